"""SHAP report overhead: raw SHAP computation vs the full ``inc.explain`` report on the same rows.

Budget (DESIGN.md section 8): report time - raw SHAP time <= max(25% of raw, 3 s).
Also: the automatic explainer choice vs a naive ``shap.KernelExplainer`` on the same (fewer) rows.

    .venv/bin/python bench/explain_overhead.py [--quick]

Plain script, not a test: prints timings and ratios. The report is written into a throw-away
workspace with no tracking store (so MLflow artifact logging is skipped, and not timed).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

warnings.filterwarnings("ignore")


def _median_time(fn: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Median (wall, CPU) seconds. CPU time of this process is what the verdict uses: the machine
    is shared, and other processes inflate wall time without saying anything about inc."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def _workspace(root: Path) -> Any:
    from inc.scaffold import init_workspace, new_increment
    from inc.workspace import Workspace

    subprocess.run(["git", "init", "-q", str(root)], check=True)
    init_workspace(root)
    ws = Workspace.discover(root)
    new_increment(ws, "bench")
    return ws


def _data(rows: int, features: int) -> tuple[Any, Any]:
    import pandas as pd
    from sklearn.datasets import make_classification

    X, y = make_classification(rows, features, n_informative=10, random_state=0)
    return pd.DataFrame(X, columns=[f"f{i}" for i in range(features)]), y


def overhead(label: str, model: Any, X: Any, n_explain: int, ws: Any, repeat: int) -> None:
    """Raw TreeExplainer(model).shap_values(rows) vs inc.explain on the same sampled rows."""
    import shap

    from inc.explainability.inputs import sample_rows
    from inc.explainability.report import explain

    rows = sample_rows(X, n_explain, 0)

    def raw() -> Any:
        return shap.TreeExplainer(model).shap_values(rows)

    def report() -> Any:
        return explain(
            model,
            X,
            X,
            increment="1",
            run_id="bench",
            max_explain=n_explain,
            workspace=ws,
            log_artifacts=False,
            progress=False,
        )

    raw()
    report()  # warm-up: imports, caches
    w_raw, t_raw = _median_time(raw, repeat)
    w_report, t_report = _median_time(report, repeat)
    extra = t_report - t_raw
    budget = max(0.25 * t_raw, 3.0)
    print(
        f"{label:<36} rows={n_explain:>6}  CPU: raw {t_raw:6.2f}s report {t_report:6.2f}s "
        f"overhead {extra:5.2f}s ({t_report / t_raw:5.2f}x) budget {budget:5.2f}s "
        f"{'OK' if extra <= budget else 'OVER'}  | wall: raw {w_raw:6.2f}s report {w_report:6.2f}s"
    )


def auto_vs_kernel(label: str, model: Any, X: Any, n_rows: int, repeat: int) -> None:
    """The explainer inc picks vs a naive KernelExplainer(predict_proba, 100-row background)."""
    import shap

    from inc.explainability import adapter as shap_adapter

    rows = X.iloc[:n_rows]
    background = X.sample(100, random_state=0)

    def auto() -> Any:
        plan = shap_adapter.plan_explainer(model, background)
        return shap_adapter.compute(plan, rows)

    def kernel() -> Any:
        explainer = shap.KernelExplainer(lambda a: model.predict_proba(a)[:, 1], background.to_numpy())
        return explainer.shap_values(rows.to_numpy(), silent=True)

    method = shap_adapter.plan_explainer(model, background).method
    _, t_auto = _median_time(auto, repeat)
    _, t_kernel = _median_time(kernel, 1)
    print(
        f"{label:<36} rows={n_rows:>6}  CPU: auto ({method}) {t_auto:7.3f}s  naive kernel "
        f"{t_kernel:7.2f}s  kernel/auto {t_kernel / t_auto:8.0f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller models and data (smoke run)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier

    n, trees = (2000, 40) if args.quick else (10_000, 200)
    X, y = _data(n, 30)
    start = time.perf_counter()
    gbm = GradientBoostingClassifier(n_estimators=trees, max_depth=3, random_state=0).fit(X, y)
    rf = RandomForestClassifier(n_estimators=trees // 2, max_depth=8, n_jobs=1, random_state=0).fit(X, y)
    print(
        f"trained GradientBoosting ({trees} trees) and RandomForest ({trees // 2} trees, depth 8) "
        f"on {n} x 30 in {time.perf_counter() - start:.1f}s\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        ws = _workspace(Path(tmp))
        print("report overhead over the raw SHAP computation it wraps")
        for n_explain in (1000, n):
            overhead(f"GradientBoosting {trees} trees", gbm, X, n_explain, ws, args.repeat)
            overhead(f"RandomForest {trees // 2} trees depth 8", rf, X, n_explain, ws, args.repeat)
        print("\nautomatic choice vs naive KernelExplainer (same rows, 100-row background)")
        auto_vs_kernel(f"GradientBoosting {trees} trees", gbm, X, 20, args.repeat)
        auto_vs_kernel(f"RandomForest {trees // 2} trees depth 8", rf, X, 20, args.repeat)


if __name__ == "__main__":
    main()
