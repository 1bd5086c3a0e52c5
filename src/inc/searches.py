"""Hyper-parameter searches as plain trials: scikit-learn's GridSearchCV / RandomizedSearchCV
(and any ``BaseSearchCV``) and Optuna studies, read by duck typing (no import of either here).

``exp.log_search`` turns these trials into nested MLflow runs; the ledger keeps a summary.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from inc.errors import UserError


@dataclass
class Trial:
    """One configuration tried: its params and score (mean over folds for a CV search)."""

    number: int
    params: dict[str, Any]
    score: float
    std: float | None = None


@dataclass
class Search:
    """The trials of a search and its best one."""

    kind: str
    trials: list[Trial]
    best_params: dict[str, Any]
    best_score: float | None
    scoring: str | None = None
    notes: list[str] = field(default_factory=list)


def trials_of(search: Any) -> Search:
    """The trials of a fitted sklearn search or an Optuna study; UserError naming the cause else."""
    if _is_optuna_study(search):
        return _optuna(search)
    if any(hasattr(search, attr) for attr in ("param_grid", "param_distributions", "cv_results_")):
        return _sklearn(search)
    raise UserError(
        f"log_search: {type(search).__module__}.{type(search).__name__} is not a GridSearchCV, "
        "RandomizedSearchCV or optuna Study; pass the fitted search object or the study"
    )


def _is_optuna_study(obj: Any) -> bool:
    return type(obj).__module__.split(".", 1)[0] == "optuna" and hasattr(obj, "trials")


def _finite(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _sklearn(search: Any) -> Search:
    kind = type(search).__name__
    results = getattr(search, "cv_results_", None)
    if not isinstance(results, dict) or "params" not in results:
        raise UserError(
            f"log_search: this {kind} was never fitted (it has no cv_results_); call "
            f"search.fit(X, y) before logging it"
        )
    key = (
        "mean_test_score"
        if "mean_test_score" in results
        else next((k for k in results if k.startswith("mean_test_")), None)
    )
    if key is None:
        raise UserError(f"log_search: {kind}.cv_results_ has no mean_test_* column to score the trials by")
    stds = results.get(key.replace("mean_", "std_", 1))
    trials = []
    for index, params in enumerate(results["params"]):
        score = _finite(results[key][index])
        if score is None:  # a configuration whose fits all failed
            continue
        std = _finite(stds[index]) if stds is not None else None
        trials.append(Trial(index, dict(params), score, std))
    if not trials:
        raise UserError(f"log_search: every trial of this {kind} failed (no finite {key}); nothing to log")
    scoring = search.scoring if isinstance(getattr(search, "scoring", None), str) else None
    best_params = dict(getattr(search, "best_params_", None) or max(trials, key=lambda t: t.score).params)
    best_score = _finite(getattr(search, "best_score_", None))
    if best_score is None:
        best_score = max(t.score for t in trials)
    return Search(kind, trials, best_params, best_score, scoring)


def _optuna(study: Any) -> Search:
    completed = [t for t in study.trials if getattr(t.state, "name", str(t.state)) == "COMPLETE"]
    trials = [
        Trial(int(t.number), dict(t.params), v)
        for t in completed
        if getattr(t, "values", None) is not None
        and len(t.values) == 1
        and (v := _finite(t.values[0])) is not None
    ]
    name = getattr(study, "study_name", "") or "study"
    if not completed:
        raise UserError(
            f"log_search: optuna study {name!r} has no completed trial ({len(study.trials)} trials, "
            "none COMPLETE); run study.optimize(...) until at least one trial completes"
        )
    if not trials:
        raise UserError(
            f"log_search: optuna study {name!r} is multi-objective or has no finite value; "
            "log a single-objective study"
        )
    maximize = getattr(getattr(study, "direction", None), "name", "MINIMIZE") == "MAXIMIZE"
    best = max(trials, key=lambda t: t.score) if maximize else min(trials, key=lambda t: t.score)
    return Search("optuna", trials, dict(best.params), best.score, "maximize" if maximize else "minimize")
