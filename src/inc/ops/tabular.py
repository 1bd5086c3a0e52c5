"""Reading CSV and Parquet data files for ``inc loadtest`` and ``inc drift`` (pandas, lazily)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from inc.errors import MissingExtraError, UserError

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
PARQUET_SUFFIXES = {".parquet", ".pq"}


def import_pandas() -> Any:
    """pandas, or MissingExtraError (exit 2) naming the ml extra."""
    try:
        import pandas
    except ImportError as exc:
        raise MissingExtraError("pandas is not installed") from exc
    return pandas


def read_table(path: Path, what: str = "data") -> Any:
    """A DataFrame from a CSV or Parquet file; empty, missing or unreadable files are UserErrors."""
    pd = import_pandas()
    suffix = path.suffix.lower()
    if not path.is_file():
        raise UserError(f"{path}: {what} file not found")
    if suffix not in CSV_SUFFIXES | PARQUET_SUFFIXES:
        raise UserError(f"{path}: unsupported {what} file type {suffix or '(none)'}; use .csv or .parquet")
    if path.stat().st_size == 0:
        raise UserError(f"{path}: {what} file is empty")
    try:
        if suffix in PARQUET_SUFFIXES:
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_csv(path, sep="\t" if suffix == ".tsv" else ",")
    except pd.errors.EmptyDataError as exc:
        raise UserError(f"{path}: {what} file has no columns") from exc
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise UserError(f"{path}: cannot read {what} file: {exc}") from exc
    except ImportError as exc:
        raise MissingExtraError(f"reading {path.name} needs pyarrow") from exc
    if len(frame.columns) == 0:
        raise UserError(f"{path}: {what} file has no columns")
    if len(frame) == 0:
        raise UserError(f"{path}: {what} file has a header but no rows")
    return frame
