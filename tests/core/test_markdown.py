"""Markdown sections, tasks and placeholders."""

from __future__ import annotations

from inc.markdown import find_section, parse_sections, parse_tasks, set_task_done

DOC = """# Title

intro

## A/B test plan

- Traffic split: TODO(inc): fill me

## Rollback plan

Roll back to fraud-model v3.

### Details
<!-- a comment only -->

```
- [ ] T-999 not a task, inside code
```
"""


def test_sections_have_lines_and_bodies() -> None:
    sections = parse_sections(DOC)
    titles = [(s.title, s.level, s.line) for s in sections]
    assert titles == [("Title", 1, 1), ("A/B test plan", 2, 5), ("Rollback plan", 2, 9), ("Details", 3, 13)]
    ab = find_section(sections, "a/b test")
    assert ab is not None and ab.has_placeholder and ab.placeholder_line() == 7
    rollback = find_section(sections, "Rollback plan")
    assert rollback is not None and not rollback.has_placeholder and "v3" in rollback.text
    details = find_section(sections, "details")
    assert details is not None and details.is_empty is False  # holds a code block


def test_tasks_with_ids_outside_code() -> None:
    text = "- [ ] T-001 explore\n- [x] T-002 baseline\n* [X] free task\n" + DOC
    tasks = parse_tasks(text)
    assert [(t.id, t.done, t.line) for t in tasks] == [
        ("T-001", False, 1),
        ("T-002", True, 2),
        (None, True, 3),
    ]
    ticked = parse_tasks(set_task_done(text, "T-001"))
    assert ticked[0].done and ticked[1].done


def test_tasks_and_sections_compare_by_value_and_tasks_are_read_only() -> None:
    import pytest

    first, again = (
        parse_tasks("- [ ] T-001 a\n- [x] T-002 b\n"),
        parse_tasks("- [ ] T-001 a\n- [x] T-002 b\n"),
    )
    assert first == again and len({*first, *again}) == 2
    assert repr(first[1]) == "Task(id='T-002', text='b', done=True, line=2)"
    with pytest.raises(AttributeError):
        first[0].done = True  # type: ignore[misc]
    sections = parse_sections("# A\ntext\n## B\n")
    assert sections == parse_sections("# A\ntext\n## B\n") != parse_sections("# A\nother\n## B\n")
    assert repr(sections[1]).startswith("Section(title='B', level=2, line=3")
