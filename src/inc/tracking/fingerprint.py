"""Dataset fingerprints: content hash, shape, column names and dtypes (pandas or numpy)."""

from __future__ import annotations

import hashlib
from typing import Any

from inc.errors import UserError
from inc.evidence import ColumnInfo, DatasetFingerprint


def fingerprint(data: Any, name: str) -> DatasetFingerprint:
    """Fingerprint a pandas DataFrame/Series or anything numpy can turn into an array.

    The sha256 covers the values, the column names and dtypes and the shape, so a changed
    value, a renamed column or a cast all give a different hash.
    """
    if not name or not name.strip():
        raise UserError("log_dataset: name must not be empty (e.g. name='train')")
    if _is_pandas(data):
        return _pandas_fingerprint(data, name)
    return _numpy_fingerprint(data, name)


def _is_pandas(data: Any) -> bool:
    return type(data).__module__.split(".", 1)[0] == "pandas" and hasattr(data, "dtypes")


def _pandas_fingerprint(data: Any, name: str) -> DatasetFingerprint:
    import pandas as pd

    frame = data.to_frame() if isinstance(data, pd.Series) else data
    columns = [ColumnInfo(name=str(col), dtype=str(dtype)) for col, dtype in frame.dtypes.items()]
    digest = hashlib.sha256()
    _hash_header(digest, list(frame.shape), columns)
    row_hashes = pd.util.hash_pandas_object(frame, index=True).to_numpy()
    digest.update(row_hashes.tobytes())
    return DatasetFingerprint(name=name, sha256=digest.hexdigest(), shape=list(frame.shape), columns=columns)


def _numpy_fingerprint(data: Any, name: str) -> DatasetFingerprint:
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
    return DatasetFingerprint(name=name, sha256=digest.hexdigest(), shape=list(array.shape), columns=columns)


def _hash_header(digest: Any, shape: list[int], columns: list[ColumnInfo]) -> None:
    header = repr((shape, [(c.name, c.dtype) for c in columns]))
    digest.update(header.encode("utf-8"))
