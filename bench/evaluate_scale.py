"""Evaluation at scale: a binary report on 100,000 rows, and the gate's plain-Python recomputation.

Budgets (issue 15): the report under 10 s; the gate's recomputation of the headline metric from
100,000 stored rows under 0.5 s in the core profile (no numpy/sklearn imported). Both are printed
against ``python -c pass`` and against scikit-learn's own metric call on the same predictions.

Run: ``env -u PYTHONDONTWRITEBYTECODE python bench/evaluate_scale.py [ROWS]``
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000

CORE_PROBE = """
import sys, time
t0 = time.perf_counter()
from inc.evaluation import recompute as rc
data = rc.read_predictions(__import__("pathlib").Path(sys.argv[1]))
value = rc.recompute(data, "roc_auc")
t1 = time.perf_counter()
heavy = sorted(m for m in ("numpy", "sklearn", "pandas", "scipy", "matplotlib") if m in sys.modules)
print(repr(value), t1 - t0, ",".join(heavy))
"""


def _python_pass() -> float:
    runs = []
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def _workspace(root: Path) -> None:
    from inc.evidence import RunRecord, write_run_record
    from inc.scaffold import init_workspace, new_increment
    from inc.workspace import Workspace

    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    init_workspace(root)
    inc = new_increment(Workspace.discover(root), "scale").increment
    write_run_record(
        inc.runs_dir,
        RunRecord(
            run_id="bench", increment=inc.id, name="bench", role="candidate", status="FINISHED", note="bench"
        ),
    )


def main() -> None:
    import numpy as np
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    from inc.evaluation.report import evaluate
    from inc.workspace import Workspace

    baseline = _python_pass()
    X, y = make_classification(ROWS + 5000, 10, n_informative=6, weights=[0.9], random_state=0)
    model = LogisticRegression(max_iter=300).fit(X[:5000], y[:5000])
    X_test, y_test = X[5000:], y[5000:]
    segment = np.where(X_test[:, 0] > 0, "a", "b")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        root.mkdir()
        _workspace(root)
        ws = Workspace.discover(root)
        t0 = time.perf_counter()
        result = evaluate(
            model,
            X_test,
            y_test,
            increment="0001",
            run_id="bench",
            workspace=ws,
            slices={"segment": segment},
            log_artifacts=False,
        )
        report_s = time.perf_counter() - t0
        scores = model.predict_proba(X_test)[:, 1]
        sk_value = roc_auc_score(y_test, scores)  # warm: sklearn's first call pays lazy imports
        runs = []
        for _ in range(3):
            t0 = time.perf_counter()
            roc_auc_score(y_test, scores)
            runs.append(time.perf_counter() - t0)
        sklearn_s = statistics.median(runs)
        predictions = result.report_dir / "predictions.json.gz"
        out = subprocess.run(
            [sys.executable, "-c", CORE_PROBE, str(predictions)], check=True, capture_output=True, text=True
        ).stdout.split()
        core_value, core_s = float(out[0]), float(out[1])
        heavy = out[2] if len(out) > 2 else ""
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", CORE_PROBE, str(predictions)], check=True, capture_output=True)
        core_process_s = time.perf_counter() - t0
        size = predictions.stat().st_size
    print(json.dumps({"rows": ROWS, "python_c_pass_s": round(baseline, 4)}))
    print(
        f"report ({ROWS:,} rows, 200 bootstrap replicates, 1 slice column, 6 plots): {report_s:.2f} s "
        f"(budget 10 s) = {report_s / baseline:.0f}x python -c pass, {report_s / sklearn_s:.0f}x sklearn roc_auc_score"
    )
    print(
        f"gate recomputation in plain Python (read {size / 1e6:.1f} MB gzip + parse + AUC): {core_s:.3f} s "
        f"(budget 0.5 s) = {core_s / baseline:.1f}x python -c pass, {core_s / sklearn_s:.1f}x sklearn roc_auc_score "
        f"({sklearn_s * 1000:.1f} ms)"
    )
    print(
        f"  whole probe process (interpreter start + import + recompute): {core_process_s:.3f} s "
        f"= {core_process_s / baseline:.1f}x python -c pass"
    )
    print(f"  heavy modules imported by the probe: {heavy or 'none'}")
    print(f"  |plain Python - sklearn| = {abs(core_value - sk_value):.2e}")


if __name__ == "__main__":
    main()
