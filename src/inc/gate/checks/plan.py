"""plan.md's A/B test and rollback sections, read as typed values rather than as filled-in lines.

A/B: the traffic split is numbers that sum to 100, the MDE or sample size is a number, the
duration is an amount of time, the primary metric and guardrails are named. Rollback: the
section names a registered model version that exists, in this increment's ledger or in an
earlier increment's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from inc.gate.context import EvidenceSet, GateConfig
from inc.gate.model import Outcome, fail, ok
from inc.increment import Increment
from inc.markdown import Section, find_section, placeholder_in

# What the A/B section must name: label -> pattern of a line that names it.
AB_ITEMS: dict[str, re.Pattern[str]] = {
    "traffic split": re.compile(r"traffic|split|allocation", re.I),
    "primary metric": re.compile(r"primary metric|decision metric|success metric", re.I),
    "minimum detectable effect or sample size": re.compile(r"detectable|\bmde\b|sample size", re.I),
    "duration": re.compile(r"duration|how long|\bruns? for\b", re.I),
    "guardrails": re.compile(r"guardrail", re.I),
}
_NUMBER = r"\d+(?:[.,]\d+)?"
_SPLIT_RE = re.compile(rf"({_NUMBER})\s*%?(?:\s*[/:|]\s*({_NUMBER})\s*%?)+")
_PERCENT_RE = re.compile(rf"({_NUMBER})\s*%")
_COUNT_WORDS = "a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|twenty|thirty"
_DURATION_RE = re.compile(
    rf"(?:\b\d+(?:\.\d+)?|\b(?:{_COUNT_WORDS}))\s*(?:-|\s)?\s*(?:full\s+|whole\s+|calendar\s+|business\s+)?"
    r"(?:h|hours?|d|days?|w|weeks?|months?|pay\s+cycles?|business\s+days?)\b",
    re.I,
)
_WORD_RE = re.compile(r"[A-Za-z]{3,}")
_MODELS_URI_RE = re.compile(r"models:/(?P<name>[^/\s`'\")]+)/(?P<version>\d+)\b")
_NAMED_VERSION_RE = re.compile(
    r"(?:`?(?P<name>[A-Za-z0-9][\w.\-]*)`?\s+)?(?:version|ver\.?|v)\s*[:#=]?\s*(?P<version>\d+)\b", re.I
)
_NOT_NAMES = frozenset(
    {
        "to",
        "the",
        "back",
        "previous",
        "prior",
        "model",
        "registered",
        "its",
        "last",
        "our",
        "a",
        "of",
        "current",
        "production",
        "this",
        "that",
        "champion",
        "is",
        "at",
        "from",
        "and",
        "or",
        "with",
    }
)


def _plan_section(ev: EvidenceSet, *titles: str) -> Section | None:
    for title in titles:
        section = find_section(ev.sections("plan.md"), title)
        if section is not None:
            return section
    return None


def _value(line: str) -> str:
    """What a labelled line says after its label (the whole line when it has no colon)."""
    _, sep, value = line.partition(":")
    return value.strip() if sep else line.strip()


def _split_problem(value: str) -> str:
    group = _SPLIT_RE.search(value)
    parts = [float(n.replace(",", ".")) for n in re.findall(_NUMBER, group.group(0))] if group else []
    if not parts:
        parts = [float(n.replace(",", ".")) for n in _PERCENT_RE.findall(value)]
    if len(parts) < 2:
        return "traffic split (as numbers that sum to 100, e.g. 90/10)"
    if abs(sum(parts) - 100) > 0.01:
        shown = "/".join(f"{p:g}" for p in parts)
        return f"traffic split {shown} sums to {sum(parts):g}, not 100"
    if min(parts) <= 0:
        return "traffic split gives an arm no traffic"
    return ""


def _number_problem(value: str) -> str:
    return "" if re.search(r"\d", value) else "minimum detectable effect or sample size as a number"


def _duration_problem(value: str) -> str:
    match = _DURATION_RE.search(value)
    if match and not re.match(r"0+(?:\.0+)?\b", match.group(0)):
        return ""
    return "duration as an amount of time (e.g. 14 days, two full weeks)"


def _named_problem(label: str) -> Callable[[str], str]:
    def problem(value: str) -> str:
        return "" if _WORD_RE.search(value) else label

    return problem


TYPED: dict[str, Callable[[str], str]] = {
    "traffic split": _split_problem,
    "primary metric": _named_problem("primary metric"),
    "minimum detectable effect or sample size": _number_problem,
    "duration": _duration_problem,
    "guardrails": _named_problem("guardrails"),
}


def ab_problems(section: Section) -> tuple[list[str], list[str]]:
    """(items not named, items named with a value that is not of the right kind)."""
    lines = [line for line in section.text.splitlines() if line.strip()]
    missing, wrong = [], []
    for label, pattern in AB_ITEMS.items():
        named = [line for line in lines if pattern.search(line)]
        values = [_value(line) for line in named]
        values = [v for v in values if v and not placeholder_in(v)]
        if not values:
            fillers = [placeholder_in(_value(line)) for line in named]
            filler = next((f for f in fillers if f), None)
            missing.append(f"{label} ({filler!r} is a placeholder)" if filler else label)
            continue
        problems = [TYPED[label](value) for value in values]
        if all(problems):
            wrong.append(problems[0])
    return missing, wrong


def check_ab_test(inc: Increment, ev: EvidenceSet, config: GateConfig) -> Outcome:
    """plan.md's A/B section: split summing to 100, primary metric, MDE/sample size, duration, guardrails."""
    plan = inc.doc_path("plan.md")
    section = _plan_section(ev, "A/B test plan", "A/B")
    if section is None:
        return fail("plan.md has no 'A/B test plan' section", config.rel(plan))
    where = config.rel(plan, section.line)
    missing, wrong = ab_problems(section)
    found = section.placeholder()
    if found and not missing and not wrong:
        line, marker = found
        return fail(
            f"plan.md:{line} '{section.title}' still holds a placeholder ({marker!r})", config.rel(plan, line)
        )
    parts = []
    if missing:
        parts.append(f"does not name: {', '.join(missing)}")
    if wrong:
        parts.append(f"needs: {'; '.join(wrong)}")
    if parts:
        return fail(f"plan.md:{section.line} '{section.title}' {'; '.join(parts)}", where)
    return ok(
        "A/B plan: split sums to 100, primary metric, MDE/sample size, duration and guardrails named", where
    )


def version_refs(text: str) -> list[tuple[str | None, str]]:
    """(registered name or None, version) pairs a rollback section names."""
    refs: list[tuple[str | None, str]] = []
    for match in _MODELS_URI_RE.finditer(text):
        refs.append((match["name"], match["version"]))
    stripped = _MODELS_URI_RE.sub(" ", text)
    for match in _NAMED_VERSION_RE.finditer(stripped):
        name = match["name"]
        if name and (name.lower() in _NOT_NAMES or name.isdigit()):
            name = None
        refs.append((name, match["version"]))
    return refs


def _ledger_versions(ev: EvidenceSet) -> set[tuple[str, str]]:
    """Registered versions in this increment's ledger (a broken record is the experiments check's
    to report, so its version still counts here)."""
    known = _folder_versions(ev.inc.runs_dir)
    if ev.inc.meta.model:
        known.add((ev.inc.meta.model.name, ev.inc.meta.model.version))
    return known


def earlier_versions(config: GateConfig, before: str) -> set[tuple[str, str]]:
    """Registered (name, version) pairs in the ledgers of increments numbered below ``before``.

    Read only when this increment's own ledger does not hold the version, and once per gate run.
    """
    cache: dict[str, set[tuple[str, str]]] = config.cache.setdefault("earlier_versions", {})
    found: set[tuple[str, str]] = set()
    for number in sorted(n for n in config.numbers if n < before):
        for name in config.numbers[number]:
            if name not in cache:
                cache[name] = _folder_versions(config.ws.increments_dir / name / "runs")
            found |= cache[name]
    return found


def _folder_versions(runs: Path) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    if not runs.is_dir():
        return found
    for path in runs.glob("*.json"):
        try:
            model = json.loads(path.read_text(encoding="utf-8")).get("model") or {}
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(model, dict) and model.get("registered_name") and model.get("version"):
            found.add((str(model["registered_name"]), str(model["version"])))
    return found


def _matches(ref: tuple[str | None, str], known: set[tuple[str, str]]) -> bool:
    name, version = ref
    return any(v == version and (name is None or name.lower() == k.lower()) for k, v in known)


def check_rollback(inc: Increment, ev: EvidenceSet, config: GateConfig) -> Outcome:
    """plan.md's rollback section is filled and names a registered model version that exists."""
    plan = inc.doc_path("plan.md")
    section = _plan_section(ev, "Rollback plan", "Rollback")
    if section is None:
        return fail("plan.md has no 'Rollback plan' section", config.rel(plan))
    where = config.rel(plan, section.line)
    if section.is_empty:
        return fail(
            f"plan.md:{section.line} '{section.title}' is empty: write the trigger and the version", where
        )
    found = section.placeholder()
    if found:
        line, marker = found
        return fail(
            f"plan.md:{line} '{section.title}' still holds a placeholder ({marker!r})", config.rel(plan, line)
        )
    refs = version_refs(section.text)
    if not refs:
        return fail(
            f"plan.md:{section.line} '{section.title}' does not name the version to roll back to "
            "(e.g. 'fraud-detection version 3' or models:/fraud-detection/3)",
            where,
        )
    known = _ledger_versions(ev)
    if not any(_matches(ref, known) for ref in refs):
        known |= earlier_versions(config, inc.id)
    if any(_matches(ref, known) for ref in refs):
        return ok("rollback plan filled in and names a registered version from the ledger", where)
    named = ", ".join(f"{name} version {ver}" if name else f"version {ver}" for name, ver in refs[:3])
    return fail(
        f"plan.md:{section.line} '{section.title}' names {named}, which no run in this increment's or an "
        "earlier increment's ledger registered; name a version that exists (models:/<name>/<version>)",
        where,
    )
