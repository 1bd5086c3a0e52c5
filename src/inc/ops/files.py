"""Where load-test reports live: one file per run and mode, so no mode overwrites another.

``reports/loadtest-<run_id>-<tag>.json`` with ``tag`` one of :data:`TAGS` (``in-process``,
``http`` for the closed loop over HTTP, ``http-open`` for the open loop). The name of round one,
``reports/loadtest-<run_id>.json``, is still read. Standard library only: the gate uses this.
"""

from __future__ import annotations

from pathlib import Path

PREFIX = "loadtest-"
# longest first, so "x-http-open" is not read as run "x-http" in mode "open"
TAGS = ("in-process", "http-open", "http")


def report_tag(mode: str, open_loop: bool) -> str:
    """The file-name tag of a report: its mode, ``-open`` appended for the open loop."""
    return f"{mode}-open" if open_loop else mode


def report_name(run_id: str, tag: str) -> str:
    """``loadtest-<run_id>-<tag>.json``."""
    return f"{PREFIX}{run_id}-{tag}.json"


def parse_report_name(name: str) -> tuple[str, str | None] | None:
    """(run id, tag) of a load-test report file name; tag None for the untagged name; else None."""
    if not (name.startswith(PREFIX) and name.endswith(".json")):
        return None
    stem = name[len(PREFIX) : -len(".json")]
    for tag in TAGS:
        suffix = f"-{tag}"
        if stem.endswith(suffix) and len(stem) > len(suffix):
            return stem[: -len(suffix)], tag
    return (stem, None) if stem else None


def run_reports(reports_dir: Path, run_id: str) -> list[Path]:
    """Every load-test report of ``run_id`` in ``reports_dir``: untagged first, then by tag."""
    names = [f"{PREFIX}{run_id}.json", *(report_name(run_id, tag) for tag in sorted(TAGS))]
    return [reports_dir / name for name in names if (reports_dir / name).is_file()]
