"""Repository template overrides are untrusted code: budgets, sandbox escapes, include symlinks."""

from __future__ import annotations

import pytest

from inc_testing.hostile import Hostile

NESTED_LOOPS = (
    "{% for i in range(100000) %}{% for j in range(100000) %}{% for k in range(100000) %}"
    "{% endfor %}{% endfor %}{% endfor %}"
)
BOMBS = {
    "nested range loops": (NESTED_LOOPS, "render time budget"),
    "loops over a built list": (
        "{% set l = range(100000)|list %}{% for a in l %}{% for b in l %}{% endfor %}{% endfor %}",
        "render time budget",
    ),
    "string repetition": ("{{ 'x' * 10**10 }}", "render output budget"),
    "integer power": ("{{ 2 ** 100000000 }}", "render output budget"),
    "doubling through a namespace": (
        "{% set ns = namespace(s='x') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}"
        "{{ ns.s|length }}",
        "render memory budget",
    ),
    "huge padding": ("{{ 'x'|center(10**10) }}", "render memory budget"),
    "huge format width": ("{{ '{:>9999999999}'.format(1) }}", "render memory budget"),
    "endless recursion": ("{% macro f(n) %}{{ f(n+1) }}{% endmacro %}{{ f(0) }}", "recursion"),
    "an exception": ("{{ 1/0 }}", "ZeroDivisionError"),
    "sandbox escape": ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "template"),
}


def _override(hostile: Hostile, text: str) -> None:
    folder = hostile.root / "templates" / "docs"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "increment.md.j2").write_text(text)


@pytest.mark.parametrize("case", sorted(BOMBS))
def test_template_bomb_is_a_named_failure_within_budget(hostile: Hostile, case: str) -> None:
    text, needle = BOMBS[case]
    _override(hostile, text)
    docs = hostile.run("docs")
    docs.assert_named_failure("docs/increment.md.j2", needle, codes=(2,))
    hostile.assert_outside_untouched()


@pytest.mark.parametrize("case", ["nested range loops", "doubling through a namespace"])
def test_gate_on_a_pull_request_with_a_template_bomb_fails_the_docs_check(
    hostile: Hostile, case: str
) -> None:
    git_base = "main"
    from inc_testing import git

    git(hostile.root, "checkout", "-q", "-b", "pr")
    hostile.mark_done()
    _override(hostile, BOMBS[case][0])
    hostile.commit("pr")
    gate = hostile.run("gate", "--changed", "--base", git_base, "--strict")
    gate.assert_named_failure("living_docs", "docs/increment.md.j2", BOMBS[case][1], codes=(1,))
    hostile.assert_outside_untouched()


def test_include_of_a_symlink_out_of_the_templates_folder_is_refused(hostile: Hostile) -> None:
    folder = hostile.root / "templates" / "docs"
    folder.mkdir(parents=True)
    (folder / "leak.j2").symlink_to(hostile.outside / "secret.txt")
    _override(hostile, "{% include 'docs/leak.j2' %}")
    docs = hostile.run("docs")
    docs.assert_named_failure("leak.j2", "symlink", codes=(2,))
    assert "TOP-SECRET-VALUE" not in docs.output
    pages = hostile.root / "living-docs"
    assert not pages.exists() or all("TOP-SECRET" not in p.read_text() for p in pages.rglob("*.md"))
    # a symlink to a template inside the folder is fine
    (folder / "leak.j2").unlink()
    (folder / "base.j2").write_text("model card of {{ name | default('x') }}\n")
    (folder / "alias.j2").symlink_to(folder / "base.j2")
    _override(hostile, "{% include 'docs/alias.j2' %}")
    assert hostile.run("docs").returncode == 0
