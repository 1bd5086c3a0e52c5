"""The packaged templates rendered without jinja2 give jinja2's bytes; anything else goes to jinja2."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from inc import templating
from inc.metric_defaults import DEFAULT_METRICS
from inc.plainrender import Unsupported, render_text
from inc.workspace import Workspace
from inc_testing.new_contexts import plain_context

NEW_TEMPLATES = ("increment.yaml.j2", "spec.md.j2", "plan.md.j2", "tasks.md.j2", "monitoring.yaml.j2")


def test_packaged_templates_render_byte_for_byte_as_jinja2() -> None:
    rng = random.Random(17)
    sources = {
        name: (templating.packaged_templates_dir() / name).read_text(encoding="utf-8")
        for name in NEW_TEMPLATES
    }
    for _ in range(150):
        context = plain_context(rng)
        for name, source in sources.items():
            assert render_text(source, context) == templating.render(name, context), (name, context)


@pytest.mark.parametrize("problem", sorted(DEFAULT_METRICS))
@pytest.mark.parametrize("target", [None, 0.5])
def test_every_branch_of_the_packaged_templates(problem: str, target: float | None) -> None:
    context = {**plain_context(random.Random(1)), "problem": problem, "target": target}
    for goal in ("maximize", "minimize"):
        context["goal"] = goal
        for name in NEW_TEMPLATES:
            source = (templating.packaged_templates_dir() / name).read_text(encoding="utf-8")
            assert render_text(source, context) == templating.render(name, context), name


SNIPPETS = [
    "a\n  {% if x == 'y' %}\n  b\n  {% endif %}\nc\n",
    "{% if x is none %}N{% else %}V{% endif %}",
    "  {% if x is not none -%}\n\n\n  b\n{% endif %}\n",
    "a {% if x == 'y' %}b{% elif x == 'z' %}c{% else %}d{% endif %} e\n",
    '{{ x }}{% if x != "y" %}!{% endif %}\n',
    "\t{% if x == 'y' %}\n\tin\n\t{% endif %}\n",
    "a\u00a0{% if x == 'y' %}y{% endif %}\n\u00a0{% if x == 'z' %}z{% endif %}\n",
    "a  \n\n{%- if x == 'y' %}  y {%- endif %}\n\nend",
    "{% if x == 'y' %}{% if x is not none %}both{% endif %}{% else %}{% if x is none %}none{% endif %}{% endif %}",
    "{{ 'a' if x == 'y' else 'b' }}|{{ \"c\" if x is none else \"d\" }}|{{ 'e' if x != 'z' else 'f' }}",
    "{% if x == 'y' %}\nstart\n{% endif %}",
    "text {{ x }} {% if x == 'y' %}\n   {% endif %}   \n  {% if x == 'z' %}\n{% endif %}tail",
    "{% if x == 'y' -%}   \n  \n{%- endif %}\n\n",
    "  {{ x }}\n  {% if x == 'w' %}w\n  {% endif -%}\n",
    "metric: {name: {{ x }}, target: {{ x }}}\n{% if x is none -%}\nnull\n{% else -%}\nset\n{% endif -%}\nend\n",
    "",
    "no tags at all\n\n",
]


@pytest.mark.parametrize("source", SNIPPETS)
@pytest.mark.parametrize("x", ["y", "z", "w", None, 0, "", "{{ x }}"])
def test_whitespace_and_branches_as_jinja2(source: str, x: object) -> None:
    env = templating.environment(None)
    assert render_text(source, {"x": x}) == env.from_string(source).render(x=x)


@pytest.mark.parametrize(
    "source",
    [
        "{{ x|upper }}",
        "{# a comment #}",
        "{% for i in x %}{% endfor %}",
        "{% raw %}{{ x }}{% endraw %}",
        "{{- x }}",
        "{{ x -}}",
        "{%+ if x == 'y' %}{% endif %}",
        "{% if x == 'y' +%}{% endif %}",
        "{{ missing }}",
        "{{ none }}",
        "a\r\nb",
        "{% if x %}truthy{% endif %}",
        "{% if x == 'y' %}never closed",
        "{% endif %}",
        "{% else %}",
        "{% if x == 'y' %}{% else %}{% elif x == 'z' %}{% endif %}",
        "{% if x == 'y' %}{% else %}{% else %}{% endif %}",
        "{{ 'it\\'s' if x == 'y' else 'b' }}",
        "{{ x",
        "{% if x == 'y' %}",
        "{% include 'spec.md.j2' %}",
        "{% set x = 'z' %}{{ x }}",
        "{{ x ~ 'y' }}",
        "{{ x.attr }}",
        "{{ x == 'y' }}",
        "{% if x == 'y' - %}{% endif %}",
    ],
)
def test_anything_else_is_left_to_jinja2(source: str) -> None:
    with pytest.raises(Unsupported):
        render_text(source, {"x": "y"})


def _probe(root: Path, name: str) -> list[str]:
    """Run ``inc new NAME`` in a fresh interpreter; the heavy modules it imported."""
    probe = (
        "import sys\nfrom inc.cli import main\n"
        f"assert main(['new', {name!r}]) == 0\n"
        "heavy = ('jinja2', 'yaml', 'pydantic', 'click', 'subprocess', 'socket', 'shutil', 'hashlib', 'dataclasses')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    env = {**os.environ, "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout.splitlines()[-1].replace("'", '"')))


def test_new_imports_neither_jinja2_nor_yaml_and_an_override_goes_to_jinja2(workspace: Workspace) -> None:
    assert _probe(workspace.root, "fraud") == []
    made = workspace.increments_dir / "0001-fraud"
    packaged = {name: (made / name[:-3]).read_text(encoding="utf-8") for name in NEW_TEMPLATES}
    workspace.templates_dir.mkdir(parents=True, exist_ok=True)
    (workspace.templates_dir / "spec.md.j2").write_text("# {{ title }}: our own spec\n", encoding="utf-8")
    assert "jinja2" in _probe(workspace.root, "churn")
    churn = workspace.increments_dir / "0002-churn"
    assert (churn / "spec.md").read_text(encoding="utf-8") == "# Churn: our own spec\n"
    for name in ("plan.md", "tasks.md"):  # not overridden: the packaged ones, as before
        assert (churn / name).read_text(encoding="utf-8") == packaged[f"{name}.j2"].replace(
            "Fraud", "Churn"
        ).replace("0001", "0002")


def test_a_folder_or_link_named_like_a_template_goes_to_jinja2(workspace: Workspace) -> None:
    """jinja2's loader decides what an override entry is (a folder is skipped, a link refused),
    so any entry of that name takes the jinja2 path, whose behaviour is unchanged."""
    workspace.templates_dir.mkdir(parents=True, exist_ok=True)
    (workspace.templates_dir / "plan.md.j2").mkdir()
    (workspace.templates_dir / "tasks.md.j2").symlink_to("/etc/hostname")
    context = plain_context(random.Random(3))
    for name in ("plan.md.j2", "tasks.md.j2"):
        try:
            expected: object = templating.render(name, context, workspace.templates_dir)
        except Exception as exc:
            expected = type(exc)
        try:
            got: object = templating.render_packaged_or_override(name, context, workspace.templates_dir)
        except Exception as exc:
            got = type(exc)
        assert got == expected


def test_a_packaged_template_beyond_the_subset_is_rendered_by_jinja2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit of a packaged template that uses a filter (say) still renders: through jinja2."""
    packaged = tmp_path / "packaged"
    packaged.mkdir()
    (packaged / "spec.md.j2").write_text("# {{ title|upper }}\n{# note #}\n", encoding="utf-8")
    monkeypatch.setattr(templating, "packaged_templates_dir", lambda: packaged)
    templating._environment.cache_clear()
    try:
        assert templating.render_packaged_or_override("spec.md.j2", {"title": "fraud"}, None) == "# FRAUD\n"
    finally:
        templating._environment.cache_clear()
