"""The JSON Schemas ``inc schema NAME`` prints: the files inc reads and writes, and the gate output."""

from __future__ import annotations

from typing import Any

from inc.errors import UserError


def _models() -> dict[str, Any]:
    from inc import evidence
    from inc.evaluation.schema import EvaluationSummary
    from inc.gate.report_schema import GateReportModel
    from inc.meta import IncrementMeta
    from inc.ops.monitoring_schema import MonitoringConfig

    return {
        "increment": IncrementMeta,
        "run": evidence.RunRecord,
        "explain": evidence.ExplainSummary,
        "evaluation": EvaluationSummary,
        "loadtest": evidence.LoadTestReport,
        "drift": evidence.DriftReport,
        "monitoring": MonitoringConfig,
        "gate": GateReportModel,
    }


def schema_names() -> list[str]:
    """The names ``inc schema`` accepts."""
    return sorted(_models())


def json_schema(name: str) -> dict[str, Any]:
    """The JSON Schema called ``name``; an unknown name is a user error listing the known ones."""
    models = _models()
    if name not in models:
        raise UserError(f"unknown schema {name!r}; one of {', '.join(sorted(models))}")
    schema: dict[str, Any] = models[name].model_json_schema(by_alias=True)
    return schema
