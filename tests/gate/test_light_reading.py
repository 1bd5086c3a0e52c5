"""The gate reads real evidence without pydantic, as the models read it (the honest repository)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from inc import light
from inc.evaluation.schema import EvaluationSummary
from inc.evidence import ExplainSummary, LoadTestReport, RunRecord
from inc.meta import IncrementMeta
from inc.ops.monitoring_schema import MonitoringConfig
from inc.yamlio import load_yaml
from inc_testing.light_same import same
from inc_testing.planted_builder import inc_dir


def _files(root: Path) -> list[tuple[str, Any, Path]]:
    folder = inc_dir(root)
    found: list[tuple[str, Any, Path]] = [
        ("increment", IncrementMeta, folder / "increment.yaml"),
        ("monitoring", MonitoringConfig, folder / "monitoring.yaml"),
    ]
    found += [("run_record", RunRecord, path) for path in sorted((folder / "runs").glob("*.json"))]
    reports = folder / "reports"
    found += [("explain_summary", ExplainSummary, p) for p in sorted(reports.glob("explain-*/summary.json"))]
    found += [
        ("evaluation_summary", EvaluationSummary, p) for p in sorted(reports.glob("eval-*/summary.json"))
    ]
    found += [("loadtest_report", LoadTestReport, p) for p in sorted(reports.glob("loadtest-*.json"))]
    return found


def test_every_evidence_file_reads_as_the_model_reads_it(honest_repo: Path) -> None:
    files = _files(honest_repo)
    kinds = {kind for kind, _, _ in files}
    assert kinds == {
        "increment",
        "monitoring",
        "run_record",
        "explain_summary",
        "evaluation_summary",
        "loadtest_report",
    }
    for kind, model, path in files:
        data = load_yaml(path) if path.suffix == ".yaml" else json.loads(path.read_text())
        plain = light.load(kind, data)
        assert plain is not None, f"{path.name}: the gate would need pydantic for it"
        same(plain, model.model_validate(data), path.name)


def test_the_gate_passes_the_honest_increment_without_importing_pydantic(honest_repo: Path) -> None:
    code = (
        "import sys\nfrom inc.cli import main\n"
        "code = main(['gate', '--strict'])\n"
        "heavy = ('pydantic', 'mlflow', 'sklearn', 'numpy', 'pandas', 'shap', 'matplotlib', 'scipy', 'git')\n"
        "bad = sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in heavy})\n"
        "print(f'EXIT:{code} IMPORTED:' + ','.join(bad))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=honest_repo, capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip().splitlines()[-1] == "EXIT:0 IMPORTED:", out.stdout[-3000:]


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (
            lambda text: text.replace("label_delay_days: 7", "label_delay_days: -1"),
            "performance.label_delay_days",
        ),
        (lambda text: text.replace('schedule: "0 6 * * *"', 'schedule: "every day"'), "schedule"),
    ],
)
def test_an_invalid_monitoring_file_still_names_the_field(repo: Path, edit: Any, field: str) -> None:
    from inc.errors import ConfigError
    from inc.ops.monitoring import load_monitoring

    path = inc_dir(repo) / "monitoring.yaml"
    text = path.read_text()
    assert edit(text) != text
    path.write_text(edit(text))
    with pytest.raises(ConfigError, match=f"field '{field}'"):
        load_monitoring(path)
