"""Waivers that mean something: a real reason, an approver other than the owner, an end date.

A waiver turns a failing check into ``waived`` only when it holds: a reason of at least
``MIN_REASON`` characters and three words that is no placeholder, an ``approved_by`` that is
not blank, not a placeholder and not the increment's owner, and an ``expires`` date from today
to at most ``policy.waiver_max_days`` ahead. A waiver that does not hold is refused, and an
expired one fails the check it names even when the check itself passes.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, NamedTuple

from inc.markdown import placeholder_in

if TYPE_CHECKING:
    from inc.config import Policy
    from inc.meta import IncrementMeta, Waiver

MIN_REASON = 15
MIN_REASON_WORDS = 3
# Approvers that name nobody in particular.
NOBODY = frozenset(
    {
        "me",
        "myself",
        "i",
        "self",
        "someone",
        "somebody",
        "anyone",
        "anybody",
        "nobody",
        "noone",
        "no one",
        "team",
        "the team",
        "us",
        "we",
        "owner",
        "the owner",
        "approver",
        "reviewer",
        "lead",
        "manager",
        "unknown",
        "none",
        "null",
        "na",
        "n/a",
        "tbd",
        "todo",
        "fixme",
        "xxx",
        "x",
        "-",
        "?",
        "name",
        "your name",
        "somebody else",
        "admin",
        "root",
        "test",
        "ok",
        "yes",
    }
)
_WORD_RE = re.compile(r"[A-Za-z]{2,}")
_TOKEN_RE = re.compile(r"[A-Za-z]{2,}|\d+")


class WaiverVerdict(NamedTuple):
    """Whether a waiver holds, and why not when it does not."""

    waiver: Waiver
    problem: str = ""
    expired: bool = False

    @property
    def holds(self) -> bool:
        """True when the waiver may turn a failing check into ``waived``."""
        return not self.problem


_WHY = "write why the risk is accepted"


def _reason_problem(reason: str) -> str:
    text = " ".join(reason.split())
    marker = placeholder_in(text)
    if marker:
        return f"its reason is a placeholder ({marker!r}); {_WHY}"
    if len(text) < MIN_REASON:
        return f"its reason {text!r} is shorter than {MIN_REASON} characters; {_WHY}"
    words = {word.lower() for word in _TOKEN_RE.findall(text)}
    if len(words) < MIN_REASON_WORDS:
        return f"its reason {text!r} has fewer than {MIN_REASON_WORDS} distinct words; {_WHY}"
    return ""


def _norm(name: str) -> str:
    return " ".join(re.sub(r"[^\w@.\s-]", " ", name).strip().lower().lstrip("@").strip(" .").split())


def _identities(name: str) -> set[str]:
    """Ways one person is written: ``Dana Lee``, ``dana.lee``, ``@dana-lee``, ``dana.lee@corp.com``."""
    norm = _norm(name)
    found = {norm} if norm else set()
    for email in re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", norm):
        found |= {email, email.split("@")[0]}
    found |= {re.sub(r"[\s._-]+", "", key) for key in list(found)}
    return {key for key in found if key}


def _approver_problem(approver: str, owner: str) -> str:
    name = _norm(approver)
    if not name:
        return "approved_by is blank; name the person who accepted the risk"
    if name in NOBODY or placeholder_in(approver) or not _WORD_RE.search(approver):
        return (
            f"approved_by {approver.strip()!r} names nobody in particular; "
            "name the person who accepted the risk"
        )
    if not _norm(owner):
        return (
            "the increment has no owner, so the approver cannot be told apart from them; "
            "set owner in increment.yaml"
        )
    owners = [part for part in re.split(r"[,;&/]|\band\b", owner) if part.strip()]
    if any(_identities(approver) & _identities(one) for one in [owner, *owners]):
        return f"approved_by {approver.strip()!r} is the increment's owner; someone else must approve"
    return ""


def _date_problem(expires: dt.date | None, today: dt.date, max_days: int) -> tuple[str, bool]:
    if expires is None:
        return (
            f"it has no expires date; add one at most {max_days} days ahead "
            "(policy.waiver_max_days in inc.yaml)"
        ), False
    if expires < today:
        return f"it expired on {expires.isoformat()}; fix the check, or renew it with its approver", True
    if (expires - today).days > max_days:
        return (
            f"it expires {expires.isoformat()}, more than {max_days} days ahead "
            "(policy.waiver_max_days in inc.yaml); set an earlier date"
        ), False
    return "", False


def judge_waiver(
    waiver: Waiver, meta: IncrementMeta, policy: Policy, today: dt.date | None = None
) -> WaiverVerdict:
    """Whether ``waiver`` holds for ``meta`` under ``policy`` on ``today``."""
    today = today or dt.date.today()
    date_problem, expired = _date_problem(waiver.expires, today, policy.waiver_max_days)
    if expired:
        return WaiverVerdict(waiver, date_problem, expired=True)
    problem = _reason_problem(waiver.reason) or _approver_problem(waiver.approved_by, meta.owner)
    problem = problem or date_problem
    return WaiverVerdict(waiver, problem)


def waived_detail(verdict: WaiverVerdict, was: str) -> str:
    """The detail of a check a holding waiver turned into ``waived``."""
    waiver = verdict.waiver
    until = f"; expires {waiver.expires.isoformat()}" if waiver.expires else ""
    return f"waived by {waiver.approved_by.strip()}: {' '.join(waiver.reason.split())} (was: {was}){until}"


def refused_detail(verdict: WaiverVerdict, status: str, was: str) -> str:
    """The detail of a check whose waiver is refused (the check fails)."""
    kind = "expired" if verdict.expired else "refused"
    return f"waiver {kind}: {verdict.problem} (check: {status}: {was})"


def waived(check_id: str, meta: IncrementMeta, policy: Policy) -> bool:
    """True when a holding waiver accepts ``check_id``."""
    waiver = meta.waiver_for(check_id)
    return waiver is not None and judge_waiver(waiver, meta, policy).holds
