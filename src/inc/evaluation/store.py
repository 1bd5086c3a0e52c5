"""The scored rows as evidence: ``predictions.json.gz`` (labels and model outputs, capped).

Written deterministically (gzip without a timestamp or file name, floats as Python's exact
``repr``), so the same predictions give the same bytes and the gate's plain-Python reader
(:func:`inc.evaluation.recompute.read_predictions`) sees exactly the numbers scored here.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import numpy as np

from inc.evaluation.resample import SEED, stratified_sample
from inc.evaluation.scoring import Scored

DEFAULT_CAP = 100_000  # rows kept; above it a seeded stratified sample (policy: evaluation sample cap)


def payload(scored: Scored, threshold: float | None, keep: np.ndarray | None) -> dict[str, Any]:
    """The stored form of ``scored`` (only the rows in ``keep`` when given)."""

    def rows(values: np.ndarray) -> np.ndarray:
        return values if keep is None else values[keep]

    labels = _plain(rows(scored.labels), scored.task)
    data: dict[str, Any] = {"schema": 1, "task": scored.task, "labels": labels}
    if scored.task == "binary":
        assert scored.scores is not None
        data.update(
            scores=rows(scored.scores).astype(float).tolist(),
            threshold=float(threshold or 0.0),
            classes=scored.classes,
        )
    elif scored.task == "multiclass":
        assert scored.predicted is not None
        data.update(predicted=rows(scored.predicted).astype(int).tolist(), classes=scored.classes)
        if scored.proba is not None:
            data["proba"] = rows(scored.proba).astype(float).tolist()
    elif scored.task == "regression":
        assert scored.predicted is not None
        data["predictions"] = rows(scored.predicted).astype(float).tolist()
    else:
        assert scored.scores is not None and scored.groups is not None
        data.update(scores=rows(scored.scores).astype(float).tolist(), groups=rows(scored.groups).tolist())
    return data


def _plain(values: np.ndarray, task: str) -> list[Any]:
    return values.astype(int).tolist() if task in ("binary", "multiclass") else values.astype(float).tolist()


def write_predictions(
    path: Path, scored: Scored, threshold: float | None, cap: int = DEFAULT_CAP, seed: int = SEED
) -> dict[str, Any]:
    """Write the (sampled) predictions; returns the stored payload with ``rows``/``stored``/``sampled``."""
    keep = stratified_sample(scored, cap, seed)
    data = payload(scored, threshold, keep)
    stored = len(data["labels"])
    data.update(rows=len(scored), stored=stored, sampled=keep is not None, seed=seed)
    text = json.dumps(data, separators=(",", ":"), sort_keys=True, allow_nan=False)
    with (
        path.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as handle,
    ):
        handle.write(text.encode("utf-8"))
    return data
