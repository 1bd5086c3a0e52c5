"""Dataset fingerprints: content hash, shape, column names and dtypes, and a sketch of row hashes.

The sketch (``RowSketch``) lets the gate estimate, without the data, which share of a test
set's rows also occur in the training set (``inc.gate.checks.leakage``). Each row is hashed to
64 bits from its values alone: numbers (bool, int, float) as float64 with -0.0 and NaN made
canonical, anything else through pandas' value hashing; a DataFrame's columns in the order
of their names (re-ordering columns keeps the hashes; renaming one changes its place), an
array's columns by position. The ``SKETCH_K`` smallest distinct hashes are kept with their
row counts, plus the row, distinct-row and repeated-row counts.
"""

from __future__ import annotations

import bisect
import hashlib
from typing import Any

from inc.errors import UserError
from inc.evidence import ColumnInfo, DatasetFingerprint, RowSketch
from inc.rules import context_of, is_training

SKETCH_K = 256
WIDE_K = 1024  # a training sketch may hold this many hashes (see widen_training)
SKETCH_METHOD = "bottom-k/row-values-v1"


def for_run(data: Any, name: str, context: str | None = None) -> tuple[DatasetFingerprint, RowSketch | None]:
    """What ``exp.log_dataset`` records: the fingerprint with its context and a ``SKETCH_K`` sketch,
    and the wider ``WIDE_K`` sketch kept until the run ends (see ``widen_training``)."""
    found = fingerprint(data, name, WIDE_K)
    wide = found.sketch
    narrow = prefix(wide, min(SKETCH_K, len(wide.hashes) // 16)) if wide is not None else None
    return found.model_copy(update={"context": context or context_of(name), "sketch": narrow}), wide


def fingerprint(data: Any, name: str, k: int = SKETCH_K) -> DatasetFingerprint:
    """Fingerprint a pandas DataFrame/Series or anything numpy can turn into an array.

    The sha256 covers the values, the column names and dtypes and the shape, so a changed
    value, a renamed column or a cast all give a different hash. The row sketch covers every
    column given: log train and test the same way (both features only, or both with the
    target) so their rows compare; with the target included, a test row equal to a train row
    but for its label counts as a different row.
    """
    if not name or not name.strip():
        raise UserError("log_dataset: name must not be empty (e.g. name='train')")
    if _is_pandas(data):
        return _pandas_fingerprint(data, name, k)
    return _numpy_fingerprint(data, name, k)


def _is_pandas(data: Any) -> bool:
    return type(data).__module__.split(".", 1)[0] == "pandas" and hasattr(data, "dtypes")


def _pandas_fingerprint(data: Any, name: str, k: int) -> DatasetFingerprint:
    import pandas as pd

    frame = data.to_frame() if isinstance(data, pd.Series) else data
    columns = [ColumnInfo(name=str(col), dtype=str(dtype)) for col, dtype in frame.dtypes.items()]
    digest = hashlib.sha256()
    _hash_header(digest, list(frame.shape), columns)
    row_hashes = pd.util.hash_pandas_object(frame, index=True).to_numpy()
    digest.update(row_hashes.tobytes())
    ordered = sorted(range(frame.shape[1]), key=lambda i: str(frame.columns[i]))
    sketch = row_sketch([frame.iloc[:, i].to_numpy() for i in ordered], frame.shape[0], k)
    return DatasetFingerprint(
        name=name, sha256=digest.hexdigest(), shape=list(frame.shape), columns=columns, sketch=sketch
    )


def _numpy_fingerprint(data: Any, name: str, k: int) -> DatasetFingerprint:
    import numpy as np

    try:
        array = np.ascontiguousarray(data)
    except Exception as exc:
        raise UserError(f"log_dataset({name!r}): cannot read {type(data).__name__} as an array") from exc
    width = array.shape[1] if array.ndim == 2 else 1
    columns = [ColumnInfo(name=str(i), dtype=str(array.dtype)) for i in range(width)]
    digest = hashlib.sha256()
    _hash_header(digest, list(array.shape), columns)
    if array.dtype.kind == "O":
        digest.update(repr(array.tolist()).encode("utf-8"))
    else:
        digest.update(array.tobytes())
    rows = array.shape[0] if array.ndim else 1
    table = array.reshape(rows, -1) if array.ndim != 1 else array.reshape(rows, 1)
    sketch = row_sketch([table[:, i] for i in range(table.shape[1])], rows, k)
    return DatasetFingerprint(
        name=name, sha256=digest.hexdigest(), shape=list(array.shape), columns=columns, sketch=sketch
    )


def row_hashes(columns: list[Any], rows: int) -> Any:
    """One well-mixed 64-bit hash per row (a numpy uint64 array) from the columns' values."""
    import numpy as np

    combined = np.zeros(rows, dtype=np.uint64)
    for column in columns:
        combined = (combined * np.uint64(0x100000001B3)) ^ _column_hashes(column)
    return _mix(combined + np.uint64(len(columns)))


def row_sketch(columns: list[Any], rows: int, k: int = SKETCH_K) -> RowSketch:
    """The bottom-``k`` sketch of the rows made of ``columns`` (equal-length 1-D arrays)."""
    import numpy as np

    values, counts = np.unique(row_hashes(columns, rows), return_counts=True)
    return sketch_of(values, counts, rows, k)


def sketch_of(values: Any, counts: Any, rows: int, k: int) -> RowSketch:
    """A sketch from the sorted distinct hashes ``values`` and their ``counts`` (numpy arrays)."""
    kept = counts[:k]
    return RowSketch(
        method=SKETCH_METHOD,
        k=k,
        rows=rows,
        distinct_rows=int(values.size),
        repeated_rows=int(counts[counts > 1].sum()),
        hashes="".join(f"{int(v):016x}" for v in values[:k]),
        counts="" if bool((kept == 1).all()) else " ".join(str(int(c)) for c in kept),
    )


def _column_hashes(column: Any) -> Any:
    """Value hashes of one column: numbers as canonical float64, anything else by value."""
    import numpy as np
    import pandas as pd

    values = np.asarray(column)
    if values.dtype.kind in "biuf":
        numbers = values.astype(np.float64) + 0.0  # -0.0 -> 0.0; NaN payloads are canonical below
        numbers[np.isnan(numbers)] = np.nan
        return pd.util.hash_array(numbers)
    objects = pd.Series(values, dtype=object)
    objects = objects.where(objects.notna(), None)
    return pd.util.hash_array(objects.to_numpy(dtype=object))


def _mix(values: Any) -> Any:
    """splitmix64's finalizer: every output bit depends on every input bit (bottom-k needs it)."""
    import numpy as np

    values = values ^ (values >> np.uint64(30))
    values = values * np.uint64(0xBF58476D1CE4E5B9)
    values = values ^ (values >> np.uint64(27))
    values = values * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


def _hash_header(digest: Any, shape: list[int], columns: list[ColumnInfo]) -> None:
    header = repr((shape, [(c.name, c.dtype) for c in columns]))
    digest.update(header.encode("utf-8"))


def prefix(sketch: RowSketch, size: int) -> RowSketch:
    """The sketch cut to its ``size`` smallest hashes (still complete below its last hash)."""
    counts = sketch.counts.split()[:size] if sketch.counts else []
    return sketch.model_copy(
        update={
            "k": size,
            "hashes": sketch.hashes[: 16 * size],
            "counts": "" if all(c == "1" for c in counts) else " ".join(counts),
        }
    )


def widen_training(
    datasets: list[DatasetFingerprint], wide: dict[str, RowSketch]
) -> list[DatasetFingerprint]:
    """Training sketches widened to cover the evaluation sketches' range (at most ``WIDE_K`` hashes).

    A test row can only be looked up in the training sample below the training sketch's last
    hash; when train is larger than test, its ``SKETCH_K`` hashes stop early and few test rows
    compare. Widening train to the largest test sketch's last hash lets all of test's sampled
    rows compare while train is up to ``WIDE_K / SKETCH_K`` times larger.
    """
    tops = [
        int(d.sketch.hashes[-16:], 16)
        for d in datasets
        if not _training(d) and d.sketch is not None and d.sketch.hashes
    ]
    if not tops:
        return datasets
    top = max(tops)
    result = []
    for found in datasets:
        sketch = wide.get(found.name)
        if _training(found) and sketch is not None:
            # one hash past test's last, so train is known complete through it
            size = bisect.bisect_right(sketch.values(), top) + 1
            size = min(max(size, SKETCH_K), WIDE_K)
            found = found.model_copy(update={"sketch": prefix(sketch, size)})
        result.append(found)
    return result


def _training(dataset: DatasetFingerprint) -> bool:
    """The rule the gate's leakage check applies (``inc.rules.is_training``)."""
    return is_training(dataset.context, dataset.name)
