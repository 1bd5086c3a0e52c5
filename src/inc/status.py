"""Summaries behind ``inc list`` and ``inc show``: plain data, formatted by the CLI."""

from __future__ import annotations

TYPE_CHECKING = False  # typing's flag without importing typing (``inc list`` imports this)
if TYPE_CHECKING:
    from typing import Any

    from inc.increment import Increment
    from inc.metacache import MetaCache
    from inc.tracking.runs_table import RunRow
    from inc.workspace import Workspace


class _Plain:
    """Compared and printed by its attributes, like the dataclasses these were (``dataclasses``
    imports ``inspect``: ~10 ms of every ``inc list``)."""

    def __eq__(self, other: object) -> bool:
        return other.__class__ is self.__class__ and vars(self) == vars(other)

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        fields = ", ".join(f"{key}={value!r}" for key, value in vars(self).items())
        return f"{type(self).__name__}({fields})"


class IncrementSummary(_Plain):
    """One row of ``inc list``."""

    def __init__(
        self,
        id: str,
        slug: str,
        title: str,
        status: str,
        path: str,
        tasks_done: int,
        tasks_total: int,
        runs: int,
        duplicates: list[str] | None = None,
    ) -> None:
        self.id = id
        self.slug = slug
        self.title = title
        self.status = status
        self.path = path
        self.tasks_done = tasks_done
        self.tasks_total = tasks_total
        self.runs = runs
        self.duplicates: list[str] = [] if duplicates is None else duplicates  # same number elsewhere

    def as_json(self) -> dict[str, Any]:
        """The keys of DESIGN.md section 10."""
        return dict(self.__dict__)


def summarize(ws: Workspace, inc: Increment, cache: MetaCache | None = None) -> IncrementSummary:
    """A list row for one increment (task counts remembered in ``cache`` when given)."""
    view = inc.view
    done, total = inc.task_counts(cache)
    return IncrementSummary(
        id=view.id,
        slug=view.slug,
        title=view.title,
        status=view.status,
        path=ws.relpath(inc.path),
        tasks_done=done,
        tasks_total=total,
        runs=len(inc.run_paths()),
    )


def list_increments(ws: Workspace, status: str | None = None) -> list[IncrementSummary]:
    """Every increment (optionally of one status), by number."""
    cache = ws.meta_cache()
    rows = [summarize(ws, inc, cache) for inc in ws.increments(cache)]
    cache.save(prune=True)
    flag_duplicates(rows)
    return [row for row in rows if status is None or row.status == status]


def flag_duplicates(rows: list[IncrementSummary]) -> None:
    """Fill ``duplicates`` of the rows whose number another increment also uses (after a merge)."""
    by_number: dict[str, list[IncrementSummary]] = {}
    for row in rows:
        by_number.setdefault(row.id, []).append(row)
    for same in by_number.values():
        if len(same) > 1:
            for row in same:
                row.duplicates = sorted(f"{o.id}-{o.slug}" for o in same if o is not row)


class IncrementDetail(_Plain):
    """Everything ``inc show`` prints."""

    def __init__(
        self,
        summary: IncrementSummary,
        metric: dict[str, Any],
        owner: str,
        problem: str,
        chosen_run: str | None,
        model: dict[str, Any] | None,
        open_tasks: list[str],
        runs: list[RunRow],
        problems: list[str] | None = None,
        evidence: list[str] | None = None,
        comparison: dict[str, Any] | None = None,
    ) -> None:
        self.summary = summary
        self.metric = metric
        self.owner = owner
        self.problem = problem
        self.chosen_run = chosen_run
        self.model = model
        self.open_tasks = open_tasks
        self.runs = runs
        self.problems: list[str] = [] if problems is None else problems
        self.evidence: list[str] = [] if evidence is None else evidence
        self.comparison: dict[str, Any] = {} if comparison is None else comparison  # as ``inc runs``

    def as_json(self) -> dict[str, Any]:
        """JSON form for ``inc show --format json``."""
        data = {key: value for key, value in self.__dict__.items() if key != "summary"}
        data["runs"] = [run.__dict__ for run in self.runs]
        return {**self.summary.as_json(), **data}


def show_increment(ws: Workspace, ref: str) -> IncrementDetail:
    """Details of one increment: tasks, runs with the spec's metric, evidence files."""
    cache = ws.meta_cache()
    inc = ws.find(ref, cache)
    cache.save()
    runs: list[RunRow] = []
    comparison: dict[str, Any] = {}
    problems: list[str] = []
    run_paths = inc.run_paths()
    if run_paths:  # the ledger is read with its pydantic models only when there is one
        from inc.evidence import EvidenceError, read_run_record
        from inc.tracking.runs_table import table_for

        records = []
        for path in run_paths:  # a damaged record is listed as a problem, not fatal here
            try:
                records.append(read_run_record(path))
            except EvidenceError as exc:
                problems.append(str(exc))
        table = table_for(inc, records)
        runs = table.rows
        comparison = table.comparison()
    evidence = []
    if inc.reports_dir.is_dir():
        evidence = sorted(ws.relpath(p) for p in inc.reports_dir.iterdir())
    view = inc.view
    return IncrementDetail(
        summary=summarize(ws, inc),
        metric=dict(view.metric),
        owner=view.owner,
        problem=view.problem,
        chosen_run=view.chosen_run,
        model=dict(view.model) if view.model else None,
        open_tasks=[f"{t.id or '-'} {t.text}" for t in inc.tasks if not t.done],
        runs=runs,
        problems=problems,
        evidence=evidence,
        comparison=comparison,
    )
