"""What the checks read: the gate's settings and one increment's evidence, loaded lazily once.

Every evidence file is parsed at most once per gate run, and a malformed file becomes an
error string naming it (the checks turn those into failed checks, never into a crash).
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from inc.comparison import subject_of
from inc.evidence_io import EvidenceError, read_record, read_report
from inc.increment import Increment
from inc.markdown import Section, Task
from inc.workspace import Workspace

if TYPE_CHECKING:
    from inc.config import Config
    from inc.evidence import ExplainSummary, LoadTestReport, RunRecord
    from inc.gitutil import Repo


class GateConfig:
    """Settings of one gate run, shared by every increment it judges."""

    def __init__(
        self,
        ws: Workspace,
        strict: bool = False,
        verify: bool = False,
        closing: bool = False,
        offline: bool = False,
        selected: bool = False,
        numbers: dict[str, list[str]] | None = None,
    ) -> None:
        self.ws = ws
        self.strict = strict
        self.verify = verify
        self.closing = closing  # ``inc done``: every check blocks
        self.offline = offline  # the living docs: checks that read git history or the docs are not run
        self.selected = selected  # named or --changed increments only: workspace-wide checks stay narrow
        self.numbers: dict[str, list[str]] = {} if numbers is None else numbers  # number -> folder names
        self.cache: dict[str, Any] = {}  # workspace-wide results, computed once
        self._repo: Repo | None = None
        self._repo_opened = False

    def __repr__(self) -> str:
        return (
            f"GateConfig(ws={self.ws!r}, strict={self.strict}, verify={self.verify}, closing={self.closing})"
        )

    @cached_property
    def settings(self) -> Config:
        """The workspace's settings as the checks read them: a plain object (``inc.light``) when
        inc.yaml is plainly valid, else the ``Config`` model."""
        from inc import light

        found = light.load("config", self.ws.loaded.raw or {})
        return found if found is not None else self.ws.config

    @property
    def repo(self) -> Repo | None:
        """The git repository of the workspace (opened once), or None outside git."""
        if not self._repo_opened:
            from inc import gitutil

            self._repo = gitutil.open_repo(self.ws.root)
            self._repo_opened = True
        return self._repo

    def read_at(self, ref: str, rels: list[str]) -> None:
        """Read the workspace files ``rels`` as committed at ``ref`` in one git call, for
        :meth:`text_at` (the base branch's config and tasks template with ``--changed``)."""
        from inc import gitutil

        known: dict[tuple[str, str], bytes | None] = self.cache.setdefault("committed", {})
        missing = [rel for rel in dict.fromkeys(rels) if (ref, rel) not in known]
        for rel, blob in gitutil.blobs_at(self.ws.root, ref, missing).items():
            known[(ref, rel)] = blob

    def text_at(self, ref: str, rel: str) -> str | None:
        """The workspace file ``rel`` as committed at ``ref`` (None when it is not a file there),
        with universal newlines; text that is not UTF-8 raises ``UnicodeDecodeError``."""
        self.read_at(ref, [rel])
        blob = self.cache["committed"][(ref, rel)]
        return None if blob is None else blob.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")

    def rel(self, path: Path, line: int | None = None) -> str:
        """A path relative to the workspace root, with ``:line`` when given."""
        raw, prefix = str(path), str(self.ws.root) + "/"
        text = raw[len(prefix) :] if raw.startswith(prefix) and ".." not in raw else self.ws.relpath(path)
        return f"{text}:{line}" if line else text


class Chosen(NamedTuple):
    """The run that is to ship: from ``chosen_run``, or the gate's pick of the best candidate."""

    record: RunRecord | None
    picked: bool = False
    problem: str = ""


class EvidenceSet:
    """One increment's evidence files, each read on first use."""

    def __init__(self, inc: Increment, config: GateConfig) -> None:
        self.inc = inc
        self.config = config
        self.errors: dict[Path, str] = {}

    def rel(self, path: Path, line: int | None = None) -> str:
        """Workspace-relative path for reports."""
        return self.config.rel(path, line)

    def preload(
        self,
        sections: dict[str, list[Section]],
        tasks: list[Task],
        parsed: dict[Path, RunRecord | EvidenceError],
    ) -> None:
        """Take documents and ledger records someone already parsed (the living docs), same rules."""
        self.__dict__["_sections"] = dict(sections)
        self.__dict__["tasks"] = tasks
        ordered = sorted(parsed.items(), key=lambda item: item[0].name)
        self.__dict__["run_paths"] = {path.stem: path for path, _ in ordered}
        records: dict[str, RunRecord] = {}
        for path, item in ordered:
            if isinstance(item, EvidenceError):
                self.errors[path] = _short(item, path)
            elif item.run_id != path.stem:
                self.errors[path] = f"names run {item.run_id} but the file is {path.name}"
            else:
                records[path.stem] = item
        self.__dict__["runs"] = records

    def sections(self, doc: str) -> list[Section]:
        """Sections of spec.md / plan.md, parsed once (line scanner on plain documents)."""
        cache: dict[str, list[Section]] = self.__dict__.setdefault("_sections", {})
        if doc not in cache:
            cache[doc] = _md_sections(self.inc.read_doc(doc))
        return cache[doc]

    @cached_property
    def tasks(self) -> list[Task]:
        """Checklist items of tasks.md."""
        return _md_tasks(self.inc.read_doc("tasks.md"))

    @cached_property
    def run_paths(self) -> dict[str, Path]:
        """Ledger files by run id (the file name)."""
        return {path.stem: path for path in self.inc.run_paths()}

    @cached_property
    def runs(self) -> dict[str, RunRecord]:
        """Ledger records that parse and whose sha256 is intact, by run id."""
        records: dict[str, RunRecord] = {}
        for run_id, path in self.run_paths.items():
            try:
                record = read_record(path, verify=True)
            except EvidenceError as exc:
                self.errors[path] = _short(exc, path)
                continue
            if record.run_id != run_id:
                self.errors[path] = f"names run {record.run_id} but the file is {path.name}"
                continue
            records[run_id] = record
        return records

    @property
    def run_errors(self) -> dict[Path, str]:
        """Ledger files that are malformed or fail their hash."""
        _ = self.runs
        return {p: e for p, e in self.errors.items() if p.parent == self.inc.runs_dir}

    def by_role(self, role: str) -> list[RunRecord]:
        """Valid records of one role."""
        return [r for r in self.runs.values() if r.role == role]

    def metric_of(self, record: RunRecord) -> float | None:
        """The increment's metric as logged by ``record``."""
        return record.metrics.get(self.inc.meta.metric.name)

    @cached_property
    def chosen(self) -> Chosen:
        """The chosen run (``chosen_run``), or the best candidate when none is set."""
        broken = [run_id for run_id in self.run_paths if run_id not in self.runs]
        subject = subject_of(self.inc.meta, list(self.runs.values()), broken)
        if subject.record is None:
            wanted = self.inc.meta.chosen_run
            if wanted and wanted in broken:
                return Chosen(None, problem=f"chosen run {wanted}: {self.errors.get(self.run_paths[wanted])}")
            return Chosen(None, problem=subject.problem)
        return Chosen(subject.record, picked=not subject.chosen)

    def parse(self, kind: str, path: Path) -> Any:
        """Parse a report (``kind``: "explain_summary", "loadtest_report", "evaluation_summary"...)
        as a plain read-only object; a problem is remembered in ``errors`` and gives None."""
        if path in self.errors:
            return None
        try:
            return read_report(kind, path)
        except EvidenceError as exc:
            self.errors[path] = _short(exc, path)
            return None

    def explain_dir(self, run_id: str) -> Path:
        """Folder of the SHAP report of a run."""
        return self.inc.explain_dir(run_id)

    def explain_summary(self, run_id: str) -> ExplainSummary | None:
        """``reports/explain-<run>/summary.json`` parsed, or None (see ``errors``)."""
        path = self.explain_dir(run_id) / "summary.json"
        summary: ExplainSummary | None = self.parse("explain_summary", path) if path.is_file() else None
        return summary

    def loadtest_path(self, run_id: str) -> Path:
        """Path of the load-test report of a run."""
        return self.inc.loadtest_path(run_id)

    def loadtest(self, run_id: str) -> LoadTestReport | None:
        """``reports/loadtest-<run>.json`` parsed, or None (see ``errors``)."""
        path = self.loadtest_path(run_id)
        report: LoadTestReport | None = self.parse("loadtest_report", path) if path.is_file() else None
        return report

    def loadtest_paths(self, run_id: str) -> list[Path]:
        """Every load-test report of a run: one per mode (``loadtest-<run>-<mode>.json``) and the
        untagged ``loadtest-<run>.json`` of earlier versions."""
        from inc.ops.files import run_reports

        return run_reports(self.inc.reports_dir, run_id)


def _md_sections(text: str) -> list[Section]:
    from inc.markdown import parse_sections

    return parse_sections(text)


def _md_tasks(text: str) -> list[Task]:
    from inc.markdown import parse_tasks

    return parse_tasks(text)


def _short(exc: Exception, path: Path) -> str:
    """The error message without the absolute path prefix (the check names the file)."""
    text = str(exc)
    prefix = f"{path}:"
    text = text[len(prefix) :].strip() if text.startswith(prefix) else text
    lines = [line.strip() for line in text.replace(str(path), path.name).splitlines() if line.strip()]
    joined = "; ".join(lines) or "unreadable"
    return joined if len(joined) <= 240 else joined[:237] + "..."
