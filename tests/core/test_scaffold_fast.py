"""``inc new`` on its fast path (no jinja2, no PyYAML for the packaged templates) refuses and
writes exactly as before: custom templates, bombs and bad renders are exit 2, nothing written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from inc.cli import main
from inc.increment import Increment
from inc.scaffold import new_increment, remove_folder
from inc.workspace import Workspace


def _nothing_written(ws: Workspace) -> None:
    assert ws.increment_dirs() == []
    assert [p.name for p in ws.increments_dir.iterdir() if p.name != ".gitkeep"] == []


def _override(ws: Workspace, name: str, text: str) -> None:
    ws.templates_dir.mkdir(parents=True, exist_ok=True)
    (ws.templates_dir / name).write_text(text, encoding="utf-8")


def test_the_returned_increment_is_what_the_file_says(workspace: Workspace) -> None:
    made = new_increment(workspace, "fraud", title='Fraud "risk" #1: é 🚀').increment
    again = Increment.load(made.path)
    assert made.view == again.view
    assert made.view.title == 'Fraud "risk" #1: é 🚀'
    assert made.meta.model_dump() == again.meta.model_dump()


@pytest.mark.parametrize("title", ["line\u2028separator", "next\x85line", "bom\ufeff", "tab\there"])
def test_titles_yaml_reads_specially_go_through_pyyaml(workspace: Workspace, title: str) -> None:
    """The flat reader declines these; what is recorded is what PyYAML reads, as before."""
    made = new_increment(workspace, "odd", title=title).increment
    text = (made.path / "increment.yaml").read_text(encoding="utf-8")
    assert made.view.title == yaml.safe_load(text)["title"] == Increment.load(made.path).view.title


@pytest.mark.parametrize(
    ("template", "text", "needle"),
    [
        ("spec.md.j2", "{{ 'x' * 10**10 }}", "render output budget"),
        (
            "plan.md.j2",
            "{% for a in range(99999) %}{% for b in range(99999) %}{% endfor %}{% endfor %}",
            "time budget",
        ),
        ("tasks.md.j2", "{{ ''.__class__.__mro__[1].__subclasses__() }}", "tasks.md.j2"),
        ("spec.md.j2", "{% if %}", "spec.md.j2: line 1"),
        ("increment.yaml.j2", "schema: 1\nid: [unclosed\n", "increment.yaml.j2 (rendered): line"),
    ],
)
def test_custom_template_failures_are_exit_2_naming_it_and_write_nothing(
    chdir_workspace: Workspace, capsys: pytest.CaptureFixture[str], template: str, text: str, needle: str
) -> None:
    _override(chdir_workspace, template, text)
    if "range" in text:  # a shorter time budget than the default 5 s
        config = chdir_workspace.root / "inc.yaml"
        config.write_text(
            config.read_text(encoding="utf-8") + "limits:\n  render_seconds: 1\n", encoding="utf-8"
        )
    code = main(["new", "fraud"])
    err = capsys.readouterr().err
    assert code == 2 and needle in err and template in err, err
    _nothing_written(chdir_workspace)


def test_a_custom_increment_yaml_with_a_bad_field_is_exit_2_naming_the_field(
    chdir_workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    from inc import templating

    packaged = (templating.packaged_templates_dir() / "increment.yaml.j2").read_text(encoding="utf-8")
    _override(chdir_workspace, "increment.yaml.j2", packaged.replace("status: planned", "status: shipped"))
    code = main(["new", "fraud"])
    err = capsys.readouterr().err
    assert code == 2 and "increment.yaml.j2 (rendered)" in err and "'status'" in err, err
    _nothing_written(chdir_workspace)


def test_remove_folder_follows_no_link_and_handles_what_it_does_not_know(tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    link = tmp_path / ".0001-x.staging"
    link.symlink_to(target, target_is_directory=True)
    remove_folder(link)
    assert (target / "keep.txt").read_text() == "mine"  # what the link leads to is untouched
    flat = tmp_path / "flat"
    flat.mkdir()
    (flat / "owner").write_text("host 1")
    (flat / "link").symlink_to(target / "keep.txt")
    remove_folder(flat)
    assert not flat.exists() and (target / "keep.txt").exists()
    nested = tmp_path / "nested"
    (nested / "sub").mkdir(parents=True)
    (nested / "sub" / "f").write_text("x")
    remove_folder(nested)  # a sub-folder: shutil.rmtree, as before
    assert not nested.exists()
    remove_folder(tmp_path / "missing")
    assert os.path.lexists(link)


@pytest.mark.parametrize("name", ["0042", "yes", "null", "2024-01-01"])
def test_a_custom_template_with_a_bare_slug_still_records_text(workspace: Workspace, name: str) -> None:
    from inc import templating

    packaged = (templating.packaged_templates_dir() / "increment.yaml.j2").read_text(encoding="utf-8")
    _override(
        workspace, "increment.yaml.j2", packaged.replace('slug: "{{ slug }}"', "slug: {{ slug }}   # bare")
    )
    made = new_increment(workspace, name).increment
    text = (made.path / "increment.yaml").read_text(encoding="utf-8")
    assert f'slug: "{name}"   # bare' in text
    assert made.view.slug == Increment.load(made.path).view.slug == name


def test_what_inc_new_renders_is_read_without_pyyaml_and_as_pyyaml_reads_it() -> None:
    """The packaged increment.yaml and monitoring.yaml, rendered for plain names, titles and
    targets, are read by ``inc.yamlplain`` (no PyYAML import) to exactly PyYAML's data."""
    import random

    from inc import templating, yamlplain
    from inc_testing.new_contexts import plain_context

    rng = random.Random(5)
    read = 0
    for _ in range(100):
        context = plain_context(rng)
        target, title, owner = context["target"], context["title"], context["owner"]
        plain = (
            context["metric_name"] in ("roc_auc", "rmse", "ndcg@10")
            and (target is None or ("e" not in str(target) and target >= 0))  # 1e-05: text to YAML 1.1
            and all(text.isprintable() and '"' not in text and "\\" not in text for text in (title, owner))
        )
        for name in ("increment.yaml.j2", "monitoring.yaml.j2"):
            text = templating.render(name, context)
            try:
                data = yamlplain.read(text, 200_000)
            except yamlplain.Unsure:
                assert not plain, text
                continue
            expected = yaml.safe_load(text)
            assert data == expected and [type(v) for v in data.values()] == [
                type(v) for v in expected.values()
            ]
            read += 1
    assert read > 50
