"""The schema of ``inc gate --format json`` (``inc schema gate``): pydantic models of a gate result."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from inc.gate.model import CheckResult, GateResult


class WaiverModel(BaseModel):
    """A waiver written for a check: applied (``holds``), or refused / expired with the reason why."""

    model_config = ConfigDict(defer_build=True)  # built for --format json only

    reason: str
    approved_by: str
    expires: str | None = Field(default=None, description="last day the waiver holds (ISO date)")
    holds: bool = Field(default=True, description="false when the gate refused it or it expired")
    problem: str | None = Field(default=None, description="why it was refused or expired")


class CheckModel(BaseModel):
    """One check of one increment."""

    model_config = ConfigDict(defer_build=True)  # built for --format json only

    id: str = Field(description="check id of DESIGN.md section 6")
    title: str
    status: Literal["pass", "fail", "warn", "waived", "skip"]
    blocking: bool = Field(description="true when a fail of this check fails the gate")
    detail: str = Field(description="one line a person can act on")
    evidence: list[str] = Field(
        description="workspace-relative paths read, 'path:line' where a line is at fault"
    )
    waiver: WaiverModel | None = None


class IncrementReportModel(BaseModel):
    """The verdict on one increment."""

    model_config = ConfigDict(defer_build=True)  # built for --format json only

    id: str
    slug: str
    status: str
    path: str
    passed: bool
    ready: int = Field(description="checks that pass, warn or are waived")
    total: int = Field(description="checks that apply (all but skip)")
    checks: list[CheckModel]


class GateReportModel(BaseModel):
    """``inc gate --format json`` (DESIGN.md section 10)."""

    model_config = ConfigDict(defer_build=True)  # built for --format json only

    passed: bool
    increments: list[IncrementReportModel]
    strict: bool = False
    verify: bool = False
    base: str | None = Field(default=None, description="base ref of --changed")
    notes: list[str] = Field(default_factory=list)


def _check_model(check: CheckResult) -> CheckModel:
    waiver = None
    if check.waiver is not None and (check.status == "waived" or check.waiver_problem):
        expires = check.waiver.expires
        waiver = WaiverModel(
            reason=check.waiver.reason,
            approved_by=check.waiver.approved_by,
            expires=expires.isoformat() if expires else None,
            holds=not check.waiver_problem,
            problem=check.waiver_problem or None,
        )
    return CheckModel(
        id=check.id,
        title=check.title,
        status=check.status,
        blocking=check.blocking,
        detail=check.detail,
        evidence=check.evidence,
        waiver=waiver,
    )


def to_model(result: GateResult) -> GateReportModel:
    """The JSON-ready model of a gate result."""
    increments = [
        IncrementReportModel(
            id=v.id,
            slug=v.slug,
            status=v.status,
            path=v.path,
            passed=v.passed,
            ready=v.ready,
            total=v.total,
            checks=[_check_model(c) for c in v.checks],
        )
        for v in result.increments
    ]
    return GateReportModel(
        passed=result.passed,
        increments=increments,
        strict=result.strict,
        verify=result.verify,
        base=result.base,
        notes=result.notes,
    )
