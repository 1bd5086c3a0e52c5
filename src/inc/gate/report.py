"""Render a gate result: text (a table), json (``inc schema gate``), markdown, github, junit.

The json format's schema is the pydantic models of ``inc.gate.report_schema``, imported only for it.
"""

from __future__ import annotations

import json
from pathlib import Path

from inc.fsutil import atomic_write_text
from inc.gate.model import CheckResult, GateResult, IncrementVerdict

FORMATS = ("text", "json", "markdown", "github", "junit")
ICONS = {"pass": "✅", "fail": "❌", "warn": "⚠️", "waived": "🟡", "skip": "⏭️"}


def render_json(result: GateResult) -> str:
    """The gate result as JSON (the schema ``inc schema gate`` prints)."""
    from inc.gate.report_schema import to_model

    return json.dumps(to_model(result).model_dump(mode="json"), indent=2, sort_keys=True, ensure_ascii=False)


def _verdict_word(verdict: IncrementVerdict) -> str:
    return "PASS" if verdict.passed else "FAIL"


def _status_cell(check: CheckResult) -> str:
    return check.status + ("" if check.blocking or check.status in ("pass", "skip") else " (progress)")


def _table(rows: list[list[str]], headers: list[str]) -> str:
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in [headers, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def render_text(result: GateResult) -> str:
    """One table per increment."""
    blocks = []
    for verdict in result.increments:
        head = (
            f"{verdict.id}-{verdict.slug} ({verdict.status}): {_verdict_word(verdict)}, "
            f"{verdict.ready}/{verdict.total} ready"
        )
        rows = [[check.id, _status_cell(check), check.detail] for check in verdict.checks]
        blocks.append(head + "\n" + _table(rows, ["check", "status", "detail"]))
    blocks += result.notes
    word = "passed" if result.passed else "FAILED"
    blocks.append(f"gate {word}: {len(result.increments)} increment(s) judged")
    return "\n\n".join(blocks)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(result: GateResult) -> str:
    """A PR comment / step summary."""
    word = "✅ passed" if result.passed else "❌ failed"
    lines = [f"## inc gate: {word}"]
    if result.notes:
        lines += ["", *(f"> {note}" for note in result.notes)]
    for verdict in result.increments:
        mark = "✅" if verdict.passed else "❌"
        lines += [
            "",
            f"### {mark} {verdict.id}-{verdict.slug} ({verdict.status}): "
            f"{verdict.ready}/{verdict.total} ready",
            "",
            "| | check | blocking | detail |",
            "|---|---|---|---|",
        ]
        for check in verdict.checks:
            where = f" (`{check.evidence[0]}`)" if check.evidence and check.status != "pass" else ""
            lines.append(
                f"| {ICONS[check.status]} {check.status} | {check.title} (`{check.id}`) | "
                f"{'yes' if check.blocking else 'no'} | {_md(check.detail)}{_md(where)} |"
            )
    return "\n".join(lines) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _annotation(check: CheckResult, prefix: str) -> str | None:
    if check.status == "fail":
        level = "error" if check.blocking else "notice"
    elif check.status == "warn":
        level = "warning"
    elif check.status == "waived":
        level = "notice"
    else:
        return None
    file, line = check.location()
    props = []
    if file:
        props.append(f"file={_escape_property(prefix + file)}")
        if line:
            props.append(f"line={line}")
    props.append(f"title={_escape_property(f'inc gate: {check.id}')}")
    return f"::{level} {','.join(props)}::{_escape_data(check.detail)}"


def render_github(result: GateResult) -> str:
    """Workflow commands (annotations on file and line), then the text table."""
    lines = []
    for verdict in result.increments:
        for check in verdict.checks:
            annotation = _annotation(check, result.repo_prefix)
            if annotation:
                lines.append(annotation)
    lines.append(render_text(result))
    return "\n".join(lines)


def render_junit(result: GateResult) -> str:
    """JUnit XML: one testsuite per increment, one testcase per check."""
    from xml.etree import ElementTree as ET

    suites = ET.Element("testsuites", name="inc gate")
    for verdict in result.increments:
        failures = sum(1 for c in verdict.checks if c.failing)
        skipped = sum(1 for c in verdict.checks if c.status in ("skip", "waived"))
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=f"{verdict.id}-{verdict.slug}",
            tests=str(len(verdict.checks)),
            failures=str(failures),
            errors="0",
            skipped=str(skipped),
        )
        for check in verdict.checks:
            classname = f"inc.gate.{verdict.id}-{verdict.slug}"
            case = ET.SubElement(suite, "testcase", classname=classname, name=check.id)
            if check.failing:
                failure = ET.SubElement(case, "failure", message=check.detail, type="gate")
                failure.text = "\n".join(check.evidence)
            elif check.status in ("skip", "waived"):
                ET.SubElement(case, "skipped", message=f"{check.status}: {check.detail}")
            else:
                out = ET.SubElement(case, "system-out")
                out.text = f"{_status_cell(check)}: {check.detail}"
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def render(result: GateResult, fmt: str) -> str:
    """The result in one of FORMATS."""
    renderers = {
        "text": render_text,
        "json": render_json,
        "markdown": render_markdown,
        "github": render_github,
        "junit": render_junit,
    }
    return renderers[fmt](result)


def append_step_summary(path: Path, result: GateResult) -> None:
    """Append the markdown report to ``$GITHUB_STEP_SUMMARY`` (written atomically)."""
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    sep = "" if not old or old.endswith("\n") else "\n"
    atomic_write_text(path, old + sep + render_markdown(result))
