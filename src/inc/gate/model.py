"""Plain result types of the gate: a check's outcome, its result, an increment's verdict."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from inc.gate.catalog import TITLES

if TYPE_CHECKING:
    from inc.meta import Waiver

CheckStatus = Literal["pass", "fail", "warn", "waived", "skip"]
READY_STATUSES = ("pass", "warn", "waived")
_LOCATION_RE = re.compile(r"^(?P<file>.+?):(?P<line>\d+)$")


class Outcome(NamedTuple):
    """What a check function returns: status, one actionable line, the evidence it read.

    (NamedTuples, not dataclasses, here and in the gate: ``dataclasses`` imports ``inspect``, a
    tenth of an ``inc gate --changed`` run.)
    """

    status: CheckStatus
    detail: str
    evidence: list[str] = []  # noqa: RUF012  # never mutated: each helper below passes a new list
    forced: bool = False  # blocks at every stage and no waiver applies (e.g. --verify found tampering)


def ok(detail: str, *evidence: str) -> Outcome:
    """A passing outcome."""
    return Outcome("pass", detail, list(evidence))


def fail(detail: str, *evidence: str) -> Outcome:
    """A failing outcome."""
    return Outcome("fail", detail, list(evidence))


def warn(detail: str, *evidence: str) -> Outcome:
    """A warning: reported, never fails the gate."""
    return Outcome("warn", detail, list(evidence))


def skip(detail: str, *evidence: str) -> Outcome:
    """A check that could not apply (e.g. an optional module is absent)."""
    return Outcome("skip", detail, list(evidence))


class CheckResult(NamedTuple):
    """One check of one increment, after waivers and blocking rules were applied."""

    id: str
    status: CheckStatus
    detail: str
    evidence: list[str]
    blocking: bool
    waiver: Waiver | None = None
    waiver_problem: str = ""  # why the waiver was refused or expired ("" when it holds)

    @property
    def title(self) -> str:
        """The checklist item of DESIGN.md section 6."""
        return TITLES.get(self.id, self.id)

    @property
    def failing(self) -> bool:
        """True when this result fails the gate."""
        return self.status == "fail" and self.blocking

    def location(self) -> tuple[str | None, int | None]:
        """The first evidence path and its line, for annotations."""
        for item in self.evidence:
            match = _LOCATION_RE.match(item)
            if match:
                return match["file"], int(match["line"])
        return (self.evidence[0], None) if self.evidence else (None, None)


class IncrementVerdict(NamedTuple):
    """All checks of one increment."""

    id: str
    slug: str
    status: str
    path: str
    checks: list[CheckResult]

    @property
    def passed(self) -> bool:
        """True when no blocking check fails."""
        return not any(check.failing for check in self.checks)

    @property
    def ready(self) -> int:
        """Checks that pass, warn or are waived."""
        return sum(1 for check in self.checks if check.status in READY_STATUSES)

    @property
    def total(self) -> int:
        """Checks that apply (everything but ``skip``)."""
        return sum(1 for check in self.checks if check.status != "skip")

    def check(self, check_id: str) -> CheckResult:
        """The result of one check by id."""
        return next(c for c in self.checks if c.id == check_id)


class GateResult(NamedTuple):
    """The verdict over every selected increment."""

    increments: list[IncrementVerdict]
    strict: bool = False
    verify: bool = False
    closing: bool = False
    base: str | None = None
    selection: str = "all"
    repo_prefix: str = ""
    notes: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        """True when every increment passed."""
        return all(inc.passed for inc in self.increments)

    def to_dict(self) -> dict[str, Any]:
        """The object ``inc gate --format json`` prints, as plain data (``inc schema gate``)."""
        from inc.gate.report_schema import to_model

        return to_model(self).model_dump(mode="json")

    def to_json(self) -> str:
        """Exactly the text ``inc gate --format json`` prints."""
        from inc.gate.report import render_json

        return render_json(self)
