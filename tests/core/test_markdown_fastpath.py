"""The line-scan fast path of parse_sections gives exactly what a full markdown-it parse gives."""

from __future__ import annotations

import pytest

from inc.markdown import _RISKY_LINE, parse_sections, sections_markdown_it
from inc.templating import render

CTX = {
    "id": "0001",
    "slug": "x",
    "title": "X",
    "problem": "classification",
    "metric_name": "roc_auc",
    "goal": "maximize",
    "target": 0.85,
    "created": "2026-01-01",
    "owner": "",
    "cv_min_folds": 5,
    "latency_p95_ms": 100,
    "margin_pct": "20%",
    "title_yaml": '"X"',
    "owner_yaml": '""',
    "op": ">=",
    "target_text": "0.85",
    "min_candidates": 3,
    "margin_example_relative": "",
    "margin_example_error": "",
}

DOCS = [
    "# A\n\ntext\n\n## B ##\n\nmore\n### C\n#### D\n## E\n",
    "# Title with `code` and *em*\n\n## Two  spaces   \n\n  ## indented two\n   ### three\n",
    "#NoSpace\n# \n#\n## #\n# x \\#\n####### seven\n",
    "para\n# interrupts\nline\n",
    "```\n# not a heading\n```\n# real\n",
    "Title\n=====\n\nSub\n---\n\n# atx\n",
    "> # quoted\n\n# after\n",
    "<div>\n# inside html\n</div>\n\n# after html\n",
    "- item\n  # heading in list\n- [ ] T-001 task\n",
    "    # indented code\n\n# real\n",
    "1. one\n   ## nested\n",
    "- [ ] T-001 first\n- [x] T-002 second\n* [X] third without id\n\n```\n- [ ] in code\n```\n",
    "    - [ ] indented code task\n\n- [ ] real task\n",
    "- [ ] a\n\t- [x] tab nested\n",
]


def _same_sections(text: str) -> None:
    fast = [(s.title, s.level, s.line, s.end_line, s.body) for s in parse_sections(text)]
    full = [(s.title, s.level, s.line, s.end_line, s.body) for s in sections_markdown_it(text)]
    assert fast == full


@pytest.mark.parametrize("text", DOCS)
def test_sections_match_markdown_it(text: str) -> None:
    _same_sections(text)


@pytest.mark.parametrize("name", ["spec.md.j2", "plan.md.j2", "tasks.md.j2"])
@pytest.mark.parametrize("problem", ["classification", "regression", "ranking", "clustering"])
def test_the_templates_take_the_fast_path_and_match(name: str, problem: str) -> None:
    text = render(name, {**CTX, "problem": problem})
    if problem != "classification":
        assert "class balance" not in text.lower() and "majority" not in text.lower()
    assert not any("\t" in line or _RISKY_LINE.match(line) for line in text.splitlines())
    _same_sections(text)
