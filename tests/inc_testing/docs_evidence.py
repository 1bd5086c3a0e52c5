"""Realistic increments for the living-docs tests (builders): filled docs, ledger records, SHAP and load-test
reports and real PNG plots, all written through inc's own writers."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from inc.evidence import (
    CV,
    ColumnInfo,
    DatasetFingerprint,
    ExplainSummary,
    FeatureImportance,
    LoadTestReport,
    ModelInfo,
    PlotRef,
    ReportRef,
    RunRecord,
    sha256_file,
    write_evidence,
    write_run_record,
)
from inc.increment import Increment
from inc.markdown import PLACEHOLDER
from inc.scaffold import new_increment
from inc.workspace import Workspace

FEATURES = ["amount", "merchant_risk", "hour", "country", "card_age_days"]


def png_bytes(width: int = 24, height: int = 16, rgb: tuple[int, int, int] = (30, 120, 200)) -> bytes:
    """A valid RGB PNG made with zlib and struct only."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def fill_placeholders(path: Path, text: str = "Written by the team") -> None:
    """Replace every template placeholder line fragment with real text."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if PLACEHOLDER in line:
            line = line.split(PLACEHOLDER)[0] + f"{text}."
        lines.append(line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _record(
    run_id: str, inc_id: str, role: str, auc: float, *, cv: bool, model: bool, name: str = "", note: str = ""
) -> RunRecord:
    folds = [auc - 0.01, auc + 0.005, auc, auc - 0.004, auc + 0.009]
    return RunRecord(
        run_id=run_id,
        experiment_id="1",
        increment=inc_id,
        name=name or f"{role}-{run_id[:4]}",
        role=role,  # type: ignore[arg-type]
        status="FINISHED",
        start_time="2026-11-20T10:00:00+00:00",
        end_time="2026-11-20T10:05:00+00:00",
        git_commit="a" * 40,
        params={"max_depth": "6", "n_estimators": "200"} if role == "candidate" else {"strategy": "prior"},
        metrics={"roc_auc": auc, "accuracy": 0.9},
        cv=CV(metric="roc_auc", folds=folds) if cv else None,
        datasets=[
            DatasetFingerprint(
                name="train",
                sha256="1" * 64,
                shape=[800, 5],
                columns=[ColumnInfo(name=f, dtype="float64") for f in FEATURES],
            ),
            DatasetFingerprint(name="test", sha256="2" * 64, shape=[200, 5]),
        ],
        model=ModelInfo(
            uri=f"models:/m-{run_id}",
            registered_name=f"inc-{inc_id}",
            version="3",
            flavor="sklearn",
            serialization="skops",
            inputs=FEATURES,
        )
        if model
        else None,
        note=note or f"{role} run with a reason",
    )


def add_explain(inc: Increment, run_id: str) -> Path:
    """A SHAP summary with two real PNG plots."""
    folder = inc.reports_dir / f"explain-{run_id}"
    folder.mkdir(parents=True, exist_ok=True)
    plots = []
    for name, colour in (("bar.png", (200, 60, 60)), ("beeswarm.png", (60, 160, 90))):
        (folder / name).write_bytes(png_bytes(rgb=colour))
        plots.append(PlotRef(file=name, sha256=sha256_file(folder / name)))
    summary = ExplainSummary(
        run_id=run_id,
        method="tree",
        shap_version="0.46.0",
        n_explained=200,
        background_size=100,
        global_importance=[
            FeatureImportance(feature=f, mean_abs_shap=0.5 / (i + 1)) for i, f in enumerate(FEATURES)
        ],
        plots=plots,
    )
    write_evidence(folder / "summary.json", summary)
    (folder / "report.md").write_text("# SHAP report\n\nTop feature: amount.\n", encoding="utf-8")
    return folder / "summary.json"


MONITORING = """\
schema: 1
features:
  - {name: merchant_risk, method: psi, warn: 0.1, alert: 0.25}
  - {name: amount, method: ks, warn: 0.1, alert: 0.2}
  - {name: hour, method: psi, warn: 0.1, alert: 0.25}
  - {name: country, kind: categorical, method: chi2}
  - {name: card_age_days, method: psi, warn: 0.1, alert: 0.25}
prediction_drift: {method: psi, warn: 0.1, alert: 0.25}
performance: {metric: roc_auc, alert_below: 0.8, label_delay_days: 7}
reference: {path: data/reference.csv, sha256: "%s"}
schedule: "0 6 * * *"
alert_route: "#fraud-alerts"
"""


@dataclass
class Built:
    """A realistic increment and the ids of its runs."""

    inc: Increment
    baseline: str
    candidate: str


def make_increment(
    ws: Workspace,
    name: str,
    *,
    status: str = "active",
    auc: float = 0.91,
    owner: str = "ana",
    extra_spec: str = "",
) -> Built:
    """An increment with filled docs, a baseline and a chosen candidate, SHAP, evaluation, load test,
    monitoring."""
    inc = new_increment(ws, name).increment
    for doc in ("spec.md", "plan.md"):
        fill_placeholders(inc.doc_path(doc))
    plan = inc.doc_path("plan.md")
    plan.write_text(
        plan.read_text(encoding="utf-8")
        .replace(
            "Decision: Written by the team.", f"Decision: gradient boosting for {name}: best AUC at 4 ms p95."
        )
        .replace(
            "## Rollback plan\n\nWritten by the team.",
            f"## Rollback plan\n\nRoll back to inc-{inc.id} version 3 (models:/inc-{inc.id}/3) when AUC < 0.8.",
        )
        .replace("- Traffic split: Written by the team.", "- Traffic split: 90/10 control/treatment")
        .replace(
            "- Minimum detectable effect: Written by the team.",
            "- Minimum detectable effect: 5% relative, 40,000 transactions per arm",
        )
        .replace("- Duration: Written by the team.", "- Duration: two full weeks"),
        encoding="utf-8",
    )
    if extra_spec:
        spec = inc.doc_path("spec.md")
        spec.write_text(spec.read_text(encoding="utf-8") + "\n" + extra_spec, encoding="utf-8")
    tasks = inc.doc_path("tasks.md")
    tasks.write_text(tasks.read_text(encoding="utf-8").replace("- [ ]", "- [x]"), encoding="utf-8")
    base_id = f"b{inc.id}base"
    cand_id = f"c{inc.id}cand"
    write_run_record(inc.runs_dir, _record(base_id, inc.id, "baseline", 0.5, cv=False, model=False))
    write_run_record(
        inc.runs_dir,
        _record(
            f"b{inc.id}rule",
            inc.id,
            "baseline",
            0.5,
            cv=False,
            model=False,
            name="amount-rule",
            note="the current production rule",
        ),
    )
    for suffix, other in (("lin", auc - 0.05), ("rf", auc - 0.02)):
        write_run_record(
            inc.runs_dir, _record(f"c{inc.id}{suffix}", inc.id, "candidate", other, cv=True, model=False)
        )
    summary = add_explain(inc, cand_id)
    from inc_testing.gate_evidence import evaluation_ref, write_evaluation

    write_evaluation(inc.path, cand_id, auc=auc, png=png_bytes())  # the logged roc_auc, recomputed
    lt = LoadTestReport(
        run_id=cand_id,
        mode="in-process",
        batch_size=1,
        requests=500,
        failures=0,
        p50_ms=1.5,
        p95_ms=4.25,
        p99_ms=6.0,
        max_ms=9.0,
        throughput_rps=600.0,
        target_p95_ms=100,
    )
    write_evidence(inc.reports_dir / f"loadtest-{cand_id}.json", lt)
    record = _record(cand_id, inc.id, "candidate", auc, cv=True, model=True)
    record = record.model_copy(
        update={
            "reports": [
                ReportRef(
                    kind="explain",
                    path=f"reports/explain-{cand_id}/summary.json",
                    sha256=sha256_file(summary),
                ),
                evaluation_ref(inc.path, cand_id),
            ]
        }
    )
    write_run_record(inc.runs_dir, record)
    from inc_testing.gate_evidence import write_reference

    inc.monitoring_path.write_text(MONITORING % write_reference(ws.root), encoding="utf-8")
    meta = inc.meta.model_copy(update={"status": status, "owner": owner, "chosen_run": cand_id})
    inc.save_meta(meta)
    return Built(Increment.load(inc.path), base_id, cand_id)
