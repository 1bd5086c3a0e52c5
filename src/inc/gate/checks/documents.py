"""Checks on the increment's own files: structure, spec, tasks, A/B test plan, rollback plan."""

from __future__ import annotations

import re
from pathlib import Path

from inc.gate.checks.plan import AB_ITEMS, check_ab_test, check_rollback
from inc.gate.context import EvidenceSet, GateConfig
from inc.gate.model import Outcome, fail, ok
from inc.increment import DOCUMENTS, META_FILE, Increment
from inc.markdown import Section, find_section, placeholder_in

__all__ = [
    "AB_ITEMS",
    "REQUIRED_SECTIONS",
    "check_ab_test",
    "check_rollback",
    "check_spec",
    "check_structure",
    "check_tasks",
    "folder_problems",
    "required_task_ids",
]

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

# Sections judged by a check of their own (ab_test, rollback): not repeated by the spec check.
OWN_CHECK_SECTIONS = ("A/B test plan", "Rollback plan")


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


def _subsections(sections: list[Section], parent: Section) -> list[Section]:
    return [s for s in sections if parent.line < s.line <= parent.end_line and s.level > parent.level]


def _open_sections(ev: EvidenceSet, doc: str) -> list[tuple[Section, int, str]]:
    """(section, line, what is wrong) for each required section holding filler or left empty."""
    found = []
    sections = ev.sections(doc)
    for title in REQUIRED_SECTIONS[doc]:
        if title in OWN_CHECK_SECTIONS:
            continue
        section = find_section(sections, title)
        if section is None:
            continue
        hit = section.placeholder()
        marker = placeholder_in(section.title)
        if marker:
            found.append((section, section.line, repr(marker)))
        elif hit is not None:
            found.append((section, hit[0], repr(hit[1])))
        elif section.is_empty:
            found.append((section, section.line, "empty"))
        else:
            found += [(sub, sub.line, "empty") for sub in _subsections(sections, section) if sub.is_empty]
    return found


def check_spec(inc: Increment, ev: EvidenceSet, config: GateConfig) -> Outcome:
    """No placeholder (TODO(inc), TBD, TODO, FIXME, XXX, ??, lorem, N/A, <...>) and no empty
    required section or subsection left in spec.md and plan.md."""
    open_items: list[tuple[str, str]] = []
    for doc in ("spec.md", "plan.md"):
        for section, line, what in _open_sections(ev, doc):
            open_items.append((f"{doc}:{line} ({section.title}) {what}", config.rel(inc.doc_path(doc), line)))
    if open_items:
        shown = ", ".join(label for label, _ in open_items[:4])
        more = f" and {len(open_items) - 4} more" if len(open_items) > 4 else ""
        return fail(
            f"{len(open_items)} section(s) still hold a placeholder or are empty: {shown}{more}; "
            "write the real answer",
            *(where for _, where in open_items),
        )
    return ok(
        "spec.md and plan.md have no placeholder or empty section left",
        config.rel(inc.doc_path("spec.md")),
        config.rel(inc.doc_path("plan.md")),
    )


_TASK_LINE_RE = re.compile(r"^\s*[-*+]\s+\[[ xX]\]\s+(T-\d{3,})\b")
_BLOCK_OPEN_RE = re.compile(r"{%-?\s*(if|for|macro|block|call|filter|with)\b")
_BLOCK_CLOSE_RE = re.compile(r"{%-?\s*end(if|for|macro|block|call|filter|with)\b")


def required_task_ids(template: str) -> list[str]:
    """Task ids the tasks template writes for every increment (outside any jinja block)."""
    ids, depth = [], 0
    for line in template.splitlines():
        depth += len(_BLOCK_OPEN_RE.findall(line)) - len(_BLOCK_CLOSE_RE.findall(line))
        match = _TASK_LINE_RE.match(line)
        if match and depth <= 0:
            ids.append(match.group(1))
    return ids


def _template_task_ids(config: GateConfig) -> list[str]:
    """The required ids of the workspace's tasks template (its override, else the packaged one).

    With ``--changed`` the base branch's template counts too: a branch cannot drop required
    tasks by editing the template in the same pull request.
    """
    if "required_tasks" not in config.cache:
        from inc.templating import packaged_templates_dir

        override = config.ws.templates_dir / "tasks.md.j2"
        packaged = packaged_templates_dir() / "tasks.md.j2"
        path = override if override.is_file() else packaged
        try:
            ids = required_task_ids(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            ids = []
        base = config.cache.get("base_ref")
        if isinstance(base, str):
            text = _text_at(config, base, config.ws.relpath(override))
            if text is None:
                text = packaged.read_text(encoding="utf-8") if packaged.is_file() else ""
            ids += [task for task in required_task_ids(text) if task not in ids]
        config.cache["required_tasks"] = ids
    required: list[str] = config.cache["required_tasks"]
    return required


def _text_at(config: GateConfig, ref: str, rel: str) -> str | None:
    """A workspace file as committed at ``ref`` (None when it did not exist there)."""
    return config.text_at(ref, rel)


def check_tasks(inc: Increment, ev: EvidenceSet, config: GateConfig) -> Outcome:
    """Every task in tasks.md is checked, and no task the template requires was deleted."""
    path = inc.doc_path("tasks.md")
    tasks = ev.tasks
    if not tasks:
        return fail("tasks.md has no checklist items ('- [ ] T-001 ...')", config.rel(path))
    present = {task.id for task in tasks if task.id}
    gone = [task_id for task_id in _template_task_ids(config) if task_id not in present]
    problems = []
    if gone:
        problems.append(
            f"{len(gone)} task(s) of the template are missing from tasks.md: {', '.join(gone[:6])}"
            f"{' and more' if len(gone) > 6 else ''} (restore them, or waive 'tasks' with a reason)"
        )
    open_tasks = [task for task in tasks if not task.done and not _evidenced_by_search(task, ev)]
    if open_tasks:
        shown = ", ".join(f"{t.id or t.text[:30]} (line {t.line})" for t in open_tasks[:3])
        more = f" and {len(open_tasks) - 3} more" if len(open_tasks) > 3 else ""
        problems.append(f"{len(open_tasks)}/{len(tasks)} tasks open: {shown}{more}")
    if problems:
        lines = [config.rel(path, t.line) for t in open_tasks]
        return fail("; ".join(problems), *(lines or [config.rel(path)]))
    return ok(
        f"all {len(tasks)} tasks done, the template's {len(_template_task_ids(config))} included",
        config.rel(path),
    )


_TUNING_RE = re.compile(r"\btun(e|ed|es|ing)\b|hyper-?parameter", re.I)


def _evidenced_by_search(task: object, ev: EvidenceSet) -> bool:
    """An open tuning task counts as done when the chosen run logged a search (``exp.log_search``)."""
    record = ev.chosen.record
    text = getattr(task, "text", "")
    return record is not None and record.search is not None and bool(_TUNING_RE.search(text))
