"""Checks on the increment's own files: structure, spec, tasks, A/B test plan, rollback plan."""

from __future__ import annotations

import re
from pathlib import Path

from inc.gate.context import EvidenceSet, GateConfig
from inc.gate.model import Outcome, fail, ok
from inc.increment import DOCUMENTS, META_FILE, Increment
from inc.markdown import PLACEHOLDER, Section, find_section

REQUIRED_SECTIONS: dict[str, tuple[str, ...]] = {
    "spec.md": (
        "Problem definition",
        "Data requirements",
        "Model requirements",
        "Baseline comparison plan",
        "Evaluation metrics",
        "Deployment considerations",
    ),
    "plan.md": (
        "Data exploration",
        "Feature engineering",
        "Model selection",
        "Hyperparameter tuning",
        "Evaluation methodology",
        "Deployment architecture",
        "Monitoring",
        "A/B test plan",
        "Rollback plan",
    ),
    "tasks.md": (),
}

# What the A/B section must name: label -> pattern of a line that names it.
AB_ITEMS: dict[str, re.Pattern[str]] = {
    "traffic split": re.compile(r"traffic|split|allocation", re.I),
    "primary metric": re.compile(r"primary metric|decision metric|success metric", re.I),
    "minimum detectable effect or sample size": re.compile(r"detectable|\bmde\b|sample size", re.I),
    "duration": re.compile(r"duration|how long|\bruns? for\b", re.I),
    "guardrails": re.compile(r"guardrail", re.I),
}
_SPLIT_VALUE_RE = re.compile(r"\d")
_VERSION_RE = re.compile(
    r"\bversion\s*[:#=]?\s*v?\d+|\bv\d+(\.\d+)*\b|models:/\S+/\d+", re.I
)


def folder_problems(path: Path, config: GateConfig) -> list[tuple[str, str]]:
    """Problems of a folder that hold whatever its metadata says: numbering and documents."""
    problems: list[tuple[str, str]] = []
    number = path.name[:4]
    twins = [name for name in config.numbers.get(number, []) if name != path.name]
    if twins:
        others = ", ".join(twins)
        problems.append(
            (
                f"number {number} is also used by {others} (two branches took it; "
                f"renumber one with 'git mv' to the next free number)",
                config.rel(path),
            )
        )
    for doc in DOCUMENTS:
        if not (path / doc).is_file():
            problems.append((f"{doc} is missing; restore it from the templates", config.rel(path / doc)))
    return problems


def _section_problems(inc: Increment, ev: EvidenceSet, config: GateConfig) -> list[tuple[str, str]]:
    problems = []
    for doc, titles in REQUIRED_SECTIONS.items():
        if not titles or not inc.doc_path(doc).is_file():
            continue
        sections = ev.sections(doc)
        missing = [title for title in titles if find_section(sections, title) is None]
        if missing:
            problems.append(
                (f"{doc} lacks the section(s): {', '.join(missing)}", config.rel(inc.doc_path(doc)))
            )
    return problems


def _meta_problems(inc: Increment, config: GateConfig) -> list[tuple[str, str]]:
    expected = f"{inc.meta.id}-{inc.meta.slug}"
    if inc.name != expected:
        return [
            (
                f"folder {inc.name} does not match id/slug {expected} in {META_FILE}",
                config.rel(inc.meta_path),
            )
        ]
    return []


def check_structure(inc: Increment, ev: EvidenceSet, config: GateConfig) -> Outcome:
    """increment.yaml valid; spec/plan/tasks present with their sections; number unique."""
    problems = [*folder_problems(inc.path, config), *_meta_problems(inc, config)]
    problems += _section_problems(inc, ev, config)
    if problems:
        detail = "; ".join(message for message, _ in problems)
        return fail(detail, *dict.fromkeys(where for _, where in problems))
    return ok(
        f"{META_FILE} valid, spec/plan/tasks have their sections, number {inc.id} unique",
        config.rel(inc.meta_path),
    )


def _placeholders(ev: EvidenceSet, doc: str) -> list[tuple[Section, int]]:
    found = []
    sections = ev.sections(doc)
    for title in REQUIRED_SECTIONS[doc]:
        section = find_section(sections, title)
        if section is not None and section.has_placeholder:
            found.append((section, section.placeholder_line() or section.line))
    return found


def check_spec(inc: Increment, ev: EvidenceSet, config: GateConfig) -> Outcome:
    """No template placeholder left in a required section of spec.md and plan.md."""
    open_items: list[tuple[str, str]] = []
    for doc in ("spec.md", "plan.md"):
        for section, line in _placeholders(ev, doc):
            open_items.append((f"{doc}:{line} ({section.title})", config.rel(inc.doc_path(doc), line)))
    if open_items:
        shown = ", ".join(label for label, _ in open_items[:4])
        more = f" and {len(open_items) - 4} more" if len(open_items) > 4 else ""
        return fail(
            f"{len(open_items)} section(s) still hold {PLACEHOLDER}: {shown}{more}; replace them",
            *(where for _, where in open_items),
        )
    return ok(
        "spec.md and plan.md have no placeholder left",
        config.rel(inc.doc_path("spec.md")),
        config.rel(inc.doc_path("plan.md")),
    )


def check_tasks(inc: Increment, ev: EvidenceSet, config: GateConfig) -> Outcome:
    """Every task in tasks.md is checked."""
    path = inc.doc_path("tasks.md")
    tasks = ev.tasks
    if not tasks:
        return fail("tasks.md has no checklist items ('- [ ] T-001 ...')", config.rel(path))
    open_tasks = [task for task in tasks if not task.done and not _evidenced_by_search(task, ev)]
    if open_tasks:
        shown = ", ".join(f"{t.id or t.text[:30]} (line {t.line})" for t in open_tasks[:3])
        more = f" and {len(open_tasks) - 3} more" if len(open_tasks) > 3 else ""
        return fail(
            f"{len(open_tasks)}/{len(tasks)} tasks open: {shown}{more}",
            *(config.rel(path, t.line) for t in open_tasks),
        )
    return ok(f"all {len(tasks)} tasks done", config.rel(path))


_TUNING_RE = re.compile(r"\btun(e|ed|es|ing)\b|hyper-?parameter", re.I)


def _evidenced_by_search(task: object, ev: EvidenceSet) -> bool:
    """An open tuning task counts as done when the chosen run logged a search (``exp.log_search``)."""
    record = ev.chosen.record
    text = getattr(task, "text", "")
    return record is not None and record.search is not None and bool(_TUNING_RE.search(text))


def _plan_section(ev: EvidenceSet, title: str) -> Section | None:
    return find_section(ev.sections("plan.md"), title)


def _filled_line(line: str, pattern: re.Pattern[str]) -> bool:
    """True when ``line`` names the item and gives it a value (no placeholder)."""
    if PLACEHOLDER in line or not pattern.search(line):
        return False
    _, sep, value = line.partition(":")
    return bool(value.strip()) if sep else len(line.split()) > 3


def check_ab_test(inc: Increment, ev: EvidenceSet, config: GateConfig) -> Outcome:
    """plan.md's A/B section names split, primary metric, MDE/sample size, duration, guardrails."""
    plan = inc.doc_path("plan.md")
    section = _plan_section(ev, "A/B test plan") or _plan_section(ev, "A/B")
    if section is None:
        return fail("plan.md has no 'A/B test plan' section", config.rel(plan))
    lines = section.text.splitlines()
    missing = [
        label for label, pattern in AB_ITEMS.items() if not any(_filled_line(ln, pattern) for ln in lines)
    ]
    split_lines = [ln for ln in lines if _filled_line(ln, AB_ITEMS["traffic split"])]
    if "traffic split" not in missing and not any(_SPLIT_VALUE_RE.search(ln) for ln in split_lines):
        missing.insert(0, "traffic split (as numbers, e.g. 90/10)")
    where = config.rel(plan, section.line)
    if missing:
        return fail(f"plan.md:{section.line} '{section.title}' does not name: {', '.join(missing)}", where)
    return ok("A/B plan names split, primary metric, MDE/sample size, duration and guardrails", where)


def check_rollback(inc: Increment, ev: EvidenceSet, config: GateConfig) -> Outcome:
    """plan.md's rollback section is filled and names the version to roll back to."""
    plan = inc.doc_path("plan.md")
    section = _plan_section(ev, "Rollback plan") or _plan_section(ev, "Rollback")
    if section is None:
        return fail("plan.md has no 'Rollback plan' section", config.rel(plan))
    where = config.rel(plan, section.line)
    if section.is_empty:
        return fail(
            f"plan.md:{section.line} '{section.title}' is empty: write the trigger and the version", where
        )
    if section.has_placeholder:
        line = section.placeholder_line() or section.line
        return fail(
            f"plan.md:{line} '{section.title}' still holds {PLACEHOLDER}", config.rel(plan, line)
        )
    if not _VERSION_RE.search(section.text):
        return fail(
            f"plan.md:{section.line} '{section.title}' does not name the version to roll back to "
            "(e.g. 'fraud-detection version 3' or models:/fraud-detection/3)",
            where,
        )
    return ok("rollback plan filled in and names the version to roll back to", where)
