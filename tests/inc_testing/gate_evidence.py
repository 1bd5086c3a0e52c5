"""Builders for gate tests: filled documents and evidence written through inc.evidence writers."""

from __future__ import annotations

import hashlib
import random
import re
from pathlib import Path
from typing import Any

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
    RowSketch,
    RunRecord,
    sha256_file,
    write_evidence,
    write_run_record,
)
from inc_testing import git

FEATURES = ["amount", "hour", "merchant_risk", "account_age"]


def model_uri_of(run_id: str) -> str:
    """The model URI ``write_run`` records for a candidate ``run_id``."""
    return f"models:/m-{run_id}"


def model_sha_of(run_id: str) -> str:
    """The model digest ``write_run`` records for a candidate ``run_id`` (64 hex characters)."""
    return hashlib.sha256(f"model files of {run_id}".encode()).hexdigest()


def bound_to(run_id: str) -> dict[str, Any]:
    """The binding fields an honest report of ``run_id``'s model records (``inc.model_binding``)."""
    return {"run_id": run_id, "model_uri": model_uri_of(run_id), "model_sha256": model_sha_of(run_id)}


def commit_all(root: Path, message: str) -> str:
    """Stage everything, commit, return the new HEAD sha."""
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)
    return git(root, "rev-parse", "HEAD")


ANSWERS = {
    "Input": "One card transaction: amount, hour, merchant risk score, account age.",
    "Output": "A fraud probability consumed by the payments risk engine.",
    "Success criteria": "Fewer chargebacks; roc_auc >= 0.8 on held-out data.",
}

AB_SECTION = """\
- Traffic split: 90/10 control/treatment
- Primary metric: chargeback rate per 1,000 transactions
- Minimum detectable effect: 5% relative, 40,000 transactions per arm
- Duration: two full weeks
- Guardrails: p95 latency, manual review queue length
"""

ROLLBACK_SECTION = """\
Trigger: the chargeback alert fires twice in a day or p95 latency over 100 ms.
Roll back to 0001-fraud-detection version 1 (models:/0001-fraud-detection/1); the on-call ML engineer decides,
it takes 10 minutes through the registry alias.
"""


def fill_placeholders(text: str) -> str:
    """Replace every ``TODO(inc)`` placeholder with a plausible answer."""
    return re.sub(r"TODO\(inc\):?[^\n]*", "Answered by the team: see the notebook notes/eda.md.", text)


def replace_section(text: str, title: str, body: str) -> str:
    """Replace the body of the ``## title`` section."""
    pattern = re.compile(rf"(^## {re.escape(title)}\n)(.*?)(?=^## |\Z)", re.M | re.S)
    assert pattern.search(text), title
    return pattern.sub(lambda m: m.group(1) + "\n" + body + "\n", text, count=1)


def fill_documents(inc_path: Path) -> None:
    """Fill spec.md and plan.md (A/B and rollback sections included) and tick every task."""
    spec = fill_placeholders((inc_path / "spec.md").read_text())
    (inc_path / "spec.md").write_text(spec)
    plan = (inc_path / "plan.md").read_text()
    plan = replace_section(plan, "A/B test plan", AB_SECTION)
    plan = replace_section(plan, "Rollback plan", ROLLBACK_SECTION)
    (inc_path / "plan.md").write_text(fill_placeholders(plan))
    tasks = (inc_path / "tasks.md").read_text().replace("- [ ]", "- [x]")
    (inc_path / "tasks.md").write_text(tasks)


def monitoring_yaml(features: list[str], alert_below: float = 0.75, reference_sha: str = "a" * 64) -> str:
    """A complete monitoring.yaml watching ``features``."""
    watched = "\n".join(f"  - {{name: {name}, method: psi, warn: 0.1, alert: 0.25}}" for name in features)
    return f"""\
schema: 1
features:
{watched}
prediction_drift: {{column: prediction, method: psi, warn: 0.1, alert: 0.25}}
performance: {{metric: roc_auc, alert_below: {alert_below}, label_delay_days: 7}}
reference: {{path: data/reference.csv, sha256: "{reference_sha}"}}
schedule: "0 6 * * *"
alert_route: "#fraud-alerts"
"""


def write_reference(root: Path) -> str:
    """``data/reference.csv`` in the workspace; returns its sha256."""
    (root / "data").mkdir(exist_ok=True)
    path = root / "data" / "reference.csv"
    path.write_text("amount,hour,merchant_risk,account_age\n12.5,3,0.2,400\n80.0,14,0.7,12\n")
    return sha256_file(path)


def sketched(name: str, context: str, hashes: list[int], k: int = 256) -> DatasetFingerprint:
    """A fingerprint whose rows hash to ``hashes`` (repeats allowed), its sketch built in plain Python
    (a training sketch as widened at the end of a run: ``k=1024``).

    The same bottom-k rule as ``inc.tracking.fingerprint``: the ``k`` smallest distinct hashes
    with their row counts.
    """
    counts: dict[int, int] = {}
    for value in hashes:
        counts[value] = counts.get(value, 0) + 1
    kept = sorted(counts)[:k]
    sketch = RowSketch(
        method="bottom-k/row-values-v1",
        k=k,
        rows=len(hashes),
        distinct_rows=len(counts),
        repeated_rows=sum(c for c in counts.values() if c > 1),
        hashes="".join(f"{v:016x}" for v in kept),
        counts="" if all(counts[v] == 1 for v in kept) else " ".join(str(counts[v]) for v in kept),
    )
    digest = hashlib.sha256(f"{name}:{sorted(hashes)}:{len(hashes)}".encode()).hexdigest()
    columns = [ColumnInfo(name=f, dtype="float64") for f in FEATURES]
    return DatasetFingerprint(
        name=name, sha256=digest, shape=[len(hashes), 4], columns=columns, context=context, sketch=sketch
    )


def random_hashes(count: int, seed: int) -> list[int]:
    """``count`` random 64-bit row hashes (distinct rows, as continuous features give)."""
    rng = random.Random(seed)
    return [rng.getrandbits(64) for _ in range(count)]


def honest_datasets(run_id: str) -> list[DatasetFingerprint]:
    """A disjoint train (400 rows) and test (the 20 rows write_evaluation scores), as an honest split logs."""
    seed = int(hashlib.sha256(run_id.encode()).hexdigest()[:8], 16)
    rows = random_hashes(420, seed)
    return [sketched("train", "training", rows[:400], k=1024), sketched("test", "evaluation", rows[400:])]


def write_run(
    inc_path: Path,
    run_id: str,
    role: str,
    value: float,
    folds: list[float] | None = None,
    commit: str | None = None,
    registered: bool = True,
    metric: str = "roc_auc",
) -> RunRecord:
    """A sealed ledger record written with write_run_record."""
    model = None
    if role == "candidate":
        model = ModelInfo(
            uri=model_uri_of(run_id),
            registered_name="0001-fraud-detection" if registered else None,
            version="1" if registered else None,
            flavor="sklearn",
            serialization="skops",
            inputs=FEATURES,
            sha256=model_sha_of(run_id),
        )
    record = RunRecord(
        run_id=run_id,
        increment="0001",
        name=f"{role}-{run_id}",
        role=role,  # type: ignore[arg-type]
        status="FINISHED",
        git_commit=commit,
        params={"max_depth": "3"},
        metrics={metric: value},
        cv=CV(metric=metric, folds=folds) if folds else None,
        model=model,
        datasets=honest_datasets(run_id),
        note=f"{role} run for the gate tests",
    )
    write_run_record(inc_path / "runs", record)
    return record


def write_explain(inc_path: Path, run_id: str) -> Path:
    """A SHAP report folder with two plot files and its summary.json."""
    folder = inc_path / "reports" / f"explain-{run_id}"
    folder.mkdir(parents=True, exist_ok=True)
    plots = []
    for name in ("beeswarm.png", "bar.png"):
        (folder / name).write_bytes(b"\x89PNG fake plot " + name.encode())
        plots.append(PlotRef(file=name, sha256=sha256_file(folder / name)))
    summary = ExplainSummary(
        **bound_to(run_id),
        method="tree",
        shap_version="0.46.0",
        n_explained=100,
        background_size=50,
        global_importance=[
            FeatureImportance(feature=f, mean_abs_shap=0.4 - i * 0.1) for i, f in enumerate(FEATURES)
        ],
        plots=plots,
    )
    return write_evidence(folder / "summary.json", summary)


def write_loadtest(inc_path: Path, run_id: str, p95: float = 12.0) -> Path:
    """A load-test report of ``run_id``."""
    report = LoadTestReport(
        **bound_to(run_id),
        mode="in-process",
        batch_size=1,
        requests=500,
        failures=0,
        p50_ms=p95 / 2,
        p95_ms=p95,
        p99_ms=p95 * 1.2,
        max_ms=p95 * 2,
        throughput_rps=150.0,
        target_p95_ms=100.0,
    )
    return write_evidence(inc_path / "reports" / f"loadtest-{run_id}.json", report)


def write_evaluation(inc_path: Path, run_id: str, auc: float = 0.7, png: bytes = b"\x89PNG fake roc") -> Path:
    """An evaluation report (binary, roc_auc = ``auc`` to 0.01) with real stored predictions, without numpy."""
    import gzip
    import json

    from inc.evaluation import recompute as rc
    from inc.evaluation.schema import EvaluationSummary, FileRef

    folder = inc_path / "reports" / f"eval-{run_id}"
    folder.mkdir(parents=True, exist_ok=True)
    # 10 negatives at 0.10, 0.14, ..., 0.46; of the 100 (positive, negative) pairs, round(auc * 100)
    # are won: `full` positives outscore every negative, one more outscores `rest` of them
    full, rest = divmod(round(auc * 100), 10)
    positives = [0.9] * full + ([0.08 + 0.04 * rest] if full < 10 else [])
    labels = [0] * 10 + [1] * 10
    scores = [0.1 + 0.04 * i for i in range(10)] + positives + [0.05] * (10 - len(positives))
    data = {"task": "binary", "labels": labels, "scores": scores, "threshold": 0.5, "rows": 20, "stored": 20}
    with gzip.open(folder / "predictions.json.gz", "wb") as handle:
        handle.write(json.dumps(data).encode())
    (folder / "roc.png").write_bytes(png)
    value = rc.recompute(data, "roc_auc")
    summary = EvaluationSummary(
        **bound_to(run_id),
        model_digest=model_sha_of(run_id),
        task="binary",
        metric="roc_auc",
        value=value,
        stored_value=value,
        rows=20,
        stored_rows=20,
        threshold=0.5,
        threshold_source="default 0.5: no threshold was given",
        calibration={"ece": rc.expected_calibration_error(labels, scores), "brier": 0.2, "bins": []},
        plots=[FileRef(file="roc.png", sha256=sha256_file(folder / "roc.png"), title="ROC")],
        files=[FileRef(file="predictions.json.gz", sha256=sha256_file(folder / "predictions.json.gz"))],
    )
    return write_evidence(folder / "summary.json", summary)


def evaluation_ref(inc_path: Path, run_id: str) -> ReportRef:
    """The ledger entry ``inc evaluate`` writes for the report of ``run_id``."""
    from inc.evaluation.schema import EvaluationSummary

    rel = f"reports/eval-{run_id}/summary.json"
    summary = EvaluationSummary.model_validate_json((inc_path / rel).read_text())
    return ReportRef.model_validate(
        {
            "kind": "evaluation",
            "path": rel,
            "sha256": sha256_file(inc_path / rel),
            "metric": summary.metric,
            "value": summary.value,
            "stored_value": summary.stored_value,
            "stored_rows": summary.stored_rows,
            "model_digest": summary.model_digest,
        }
    )


def link_reports(inc_path: Path, record: RunRecord) -> None:
    """Re-seal ``record`` with ReportRefs (sha256) to its explain summary, evaluation and load test."""
    refs = []
    if (inc_path / f"reports/eval-{record.run_id}/summary.json").is_file():
        refs.append(evaluation_ref(inc_path, record.run_id))
    for kind, rel in (
        ("explain", f"reports/explain-{record.run_id}/summary.json"),
        ("loadtest", f"reports/loadtest-{record.run_id}.json"),
    ):
        path = inc_path / rel
        if path.is_file():
            refs.append(ReportRef(kind=kind, path=rel, sha256=sha256_file(path)))
    write_run_record(inc_path / "runs", record.model_copy(update={"reports": refs}))


def set_meta(inc_path: Path, **changes: object) -> None:
    """Edit increment.yaml keys through the pydantic model."""
    from inc.increment import Increment

    inc = Increment.load(inc_path)
    inc.save_meta(inc.meta.model_copy(update=changes))


def add_waiver(inc_path: Path, check: str, **fields: object) -> None:
    """Waive ``check`` in increment.yaml with a waiver that holds (owner set, approver someone else,
    expiring in 30 days); ``fields`` override the waiver's fields."""
    import datetime as dt

    from inc.increment import Increment
    from inc.meta import Waiver

    inc = Increment.load(inc_path)
    values: dict[str, object] = {
        "check": check,
        "reason": f"accepted risk for {check}",
        "approved_by": "risk-lead",
        "expires": dt.date.today() + dt.timedelta(days=30),
    }
    values.update(fields)
    waivers = [w for w in inc.meta.waivers if w.check != check] + [Waiver.model_validate(values)]
    owner = inc.meta.owner or "ml-team"
    inc.save_meta(inc.meta.model_copy(update={"waivers": waivers, "owner": owner}))
