"""Input checks for SHAP reports: frames, the model's column signature, NaNs, sampling, data files.

Every check raises :class:`inc.errors.UserError` (exit 2) before anything is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from inc.errors import NotFoundError, UserError

_NAN_PROBE_ROWS = 20


def expected_columns(model: Any) -> list[str] | None:
    """The input column names a fitted model was trained on, when it records them."""
    names = getattr(model, "feature_names_in_", None)
    if names is None:
        names = getattr(model, "feature_names", None)  # xgboost Booster
    if names is None and callable(getattr(model, "feature_name", None)):
        try:
            names = model.feature_name()  # lightgbm Booster
        except Exception:
            names = None
    if names is None:
        return None
    return [str(n) for n in names]


def as_frame(data: Any, names: Sequence[str] | None, what: str) -> pd.DataFrame:
    """``data`` as a DataFrame; an array gets the model's column names (or x0, x1, ...)."""
    if isinstance(data, pd.DataFrame):
        frame = data
    else:
        array = np.asarray(data)
        if array.ndim != 2:
            raise UserError(f"{what}: expected a 2-D table (rows x columns), got shape {array.shape}")
        columns = (
            list(names)
            if names is not None and len(names) == array.shape[1]
            else [f"x{i}" for i in range(array.shape[1])]
        )
        frame = pd.DataFrame(array, columns=columns)
    frame = frame.copy()
    frame.columns = [str(c) for c in frame.columns]
    return frame


def check_not_empty(frame: pd.DataFrame, what: str) -> None:
    """Refuse a frame with no rows or no columns."""
    if len(frame) == 0 or frame.shape[1] == 0:
        raise UserError(
            f"{what}: empty ({frame.shape[0]} rows x {frame.shape[1]} columns); pass the rows to explain"
        )


def match_columns(frame: pd.DataFrame, expected: Sequence[str] | None, what: str) -> pd.DataFrame:
    """Reorder ``frame`` to the model's columns; refuse missing or extra ones, naming them."""
    if expected is None:
        return frame
    have = list(frame.columns)
    missing = [c for c in expected if c not in have]
    extra = [c for c in have if c not in expected]
    if missing or extra:
        parts = []
        if missing:
            parts.append("missing " + ", ".join(missing))
        if extra:
            parts.append("extra " + ", ".join(extra))
        raise UserError(
            f"{what}: columns do not match the model's inputs: {'; '.join(parts)} "
            f"(the model takes {len(expected)} columns: {', '.join(list(expected)[:20])}"
            f"{', ...' if len(expected) > 20 else ''})"
        )
    return frame[list(expected)]


def check_nans(model: Any, frame: pd.DataFrame, what: str) -> None:
    """Refuse NaNs when the model cannot predict on them (tried on a few rows holding NaNs)."""
    mask = frame.isna()
    if not mask.to_numpy().any():
        return
    probe = frame[mask.any(axis=1)].head(_NAN_PROBE_ROWS)
    predict = getattr(model, "predict", None)
    if predict is None:
        return
    try:
        predict(probe)
    except Exception as exc:
        counts = mask.sum()
        columns = ", ".join(f"{c} ({int(n)})" for c, n in counts.items() if n)
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UserError(
            f"{what}: NaN values in {columns}, and the model ({type(model).__name__}) cannot take "
            f"missing values ({reason}); impute them or drop those rows"
        ) from exc


def sample_rows(frame: pd.DataFrame, limit: int, seed: int) -> pd.DataFrame:
    """At most ``limit`` rows, drawn reproducibly, in their original order."""
    if limit < 1:
        raise UserError(f"row limit must be at least 1, got {limit}")
    if len(frame) <= limit:
        return frame
    return frame.sample(n=limit, random_state=seed).sort_index()


def read_table(path: Path, target: str | None = None) -> pd.DataFrame:
    """Read a CSV or Parquet file, dropping the ``target`` column when given."""
    if not path.is_file():
        raise NotFoundError(f"{path}: no such file")
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            frame = pd.read_csv(path)
        elif suffix in (".parquet", ".pq"):
            frame = pd.read_parquet(path)
        else:
            raise UserError(f"{path}: unsupported data format {suffix or '(none)'}; use .csv or .parquet")
    except UserError:
        raise
    except Exception as exc:
        raise UserError(f"{path}: cannot be read as {suffix[1:]} ({exc})") from exc
    frame.columns = [str(c) for c in frame.columns]
    if target is not None:
        if target not in frame.columns:
            raise UserError(f"{path}: no target column {target!r} (columns: {', '.join(frame.columns)})")
        frame = frame.drop(columns=[target])
    return frame
