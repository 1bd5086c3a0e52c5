"""The parts of the demo a person would write by hand: spec, plan, tasks, monitoring.yaml."""

from __future__ import annotations

from pathlib import Path

from inc.evidence import sha256_file
from inc.fsutil import atomic_write_text
from inc.increment import Increment
from inc.markdown import parse_tasks, set_task_done
from inc.ops.monitoring_schema import (
    FeatureWatch,
    MonitoringConfig,
    Performance,
    PredictionDrift,
    ReferenceData,
)
from inc.templating import packaged_templates_dir, render
from inc.workspace import Workspace
from inc.yamlio import dump_yaml

CATEGORICAL = {"merchant_category"}


def _context(inc: Increment) -> dict[str, object]:
    return {
        "id": inc.id,
        "target": inc.meta.metric.target,
        "latency": f"{inc.meta.latency_p95_ms:g}",
    }


def write_spec(ws: Workspace, inc: Increment) -> None:
    """The filled spec (problem, data, success criteria, baselines, metrics, deployment)."""
    atomic_write_text(inc.doc_path("spec.md"), render("demo/spec.md.j2", _context(inc), ws.templates_dir))


def write_plan(ws: Workspace, inc: Increment, decision: str, model_name: str, version: str) -> None:
    """The filled plan, naming the chosen model, its registered version and the rollback target."""
    context = {
        **_context(inc),
        "decision": decision,
        "model_name": model_name,
        "model_version": version,
    }
    atomic_write_text(inc.doc_path("plan.md"), render("demo/plan.md.j2", context, ws.templates_dir))


def copy_training_script(inc: Increment) -> Path:
    """Keep the training code in the increment, next to the evidence it produced."""
    source = packaged_templates_dir() / "demo" / "train.py"
    target = inc.path / "train.py"
    atomic_write_text(target, source.read_text(encoding="utf-8"))
    return target


def tick_all_tasks(inc: Increment) -> int:
    """Tick every task in tasks.md; returns how many were ticked."""
    text = inc.read_doc("tasks.md")
    tasks = [task for task in parse_tasks(text) if task.id and not task.done]
    for task in tasks:
        text = set_task_done(text, str(task.id))
    atomic_write_text(inc.doc_path("tasks.md"), text)
    return len(tasks)


def write_monitoring(ws: Workspace, inc: Increment, inputs: list[str], reference: Path) -> MonitoringConfig:
    """monitoring.yaml watching every model input, the score, and roc_auc once labels arrive."""
    features = [
        FeatureWatch(name=name, kind="categorical", method="chi2")
        if name in CATEGORICAL
        else FeatureWatch(name=name, method="psi", warn=0.1, alert=0.25)
        for name in inputs
    ]
    metric = inc.meta.metric
    config = MonitoringConfig(
        features=features,
        prediction_drift=PredictionDrift(column="prediction", method="psi", warn=0.1, alert=0.25),
        performance=Performance(
            metric=metric.name, alert_below=round((metric.target or 0.85) - 0.05, 4), label_delay_days=30
        ),
        reference=ReferenceData(path=ws.relpath(reference), sha256=sha256_file(reference)),
        schedule="0 6 * * *",
        alert_route="#fraud-ml-alerts",
    )
    header = f"# Monitoring for increment {inc.id} ({inc.meta.slug}). Schema: `inc schema monitoring`.\n"
    body = dump_yaml(config.model_dump(mode="json", by_alias=True, exclude_none=True))
    atomic_write_text(inc.monitoring_path, header + body)
    return config
