"""The argv fast path (inc.cli.fast): plain list/show/new without click, same bytes as click."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from inc.cli import main
from inc.cli import text as cli_text
from inc.cli.fast import parse
from inc.scaffold import new_increment
from inc.workspace import Workspace


def both(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> tuple[tuple[int, str, str], tuple[int, str, str]]:
    """(code, out, err) through main (the fast path when it applies) and through click alone."""
    fast = main(args), *capsys.readouterr()
    slow = main(args, fast=False), *capsys.readouterr()
    return fast, slow


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["list", "--format", "json"],
        ["list", "--status", "planned", "--format", "text"],
        ["--debug", "list"],
        ["show", "1"],
        ["show", "0001-fraud-detection", "--format", "json"],
        ["new", "churn", "--format", "json"],
        ["new", "churn", "--metric", "rmse", "--goal", "minimize", "--problem", "regression", "--title", "T"],
        ["gate"],
        ["gate", "1", "2", "--strict"],
        ["gate", "--changed", "--base", "main", "--format", "junit"],
    ],
)
def test_parse_takes_plain_invocations(args: list[str]) -> None:
    command = parse(args)
    assert command is not None and command.name in args


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["list", "--help"],
        ["--version"],
        ["list", "--format=json"],
        ["list", "--format", "yaml"],
        ["list", "--status", "bogus"],
        ["list", "--format", "json", "--format", "text"],
        ["list", "extra"],
        ["list", "--debug"],
        ["show"],
        ["show", "1", "2"],
        ["show", "--", "-1"],
        ["show", "-1"],
        ["new", "x", "--target", "0.9"],
        ["new", "x", "--title"],
        ["new", "x", "--title", "-dash"],
        ["new", "x", "--problem", "astrology"],
        ["-C", "/no/such/folder", "list"],
        ["-C", "list"],
        ["gate", "--verify"],
        ["gate", "--changed", "--changed"],
        ["gate", "--format", "xml"],
        ["gate", "--base"],
        ["done", "1"],
        ["runs", "1"],
    ],
)
def test_parse_leaves_everything_else_to_click(args: list[str]) -> None:
    assert parse(args) is None


def test_list_show_print_what_click_prints(
    chdir_workspace: Workspace, fraud: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new_increment(chdir_workspace, "churn", metric="rmse")
    (fraud / "tasks.md").write_text("- [x] T-001 done\n- [ ] T-002 open\n", encoding="utf-8")
    for args in (
        ["list"],
        ["list", "--format", "json"],
        ["list", "--status", "done"],
        ["show", "1"],
        ["show", "churn", "--format", "json"],
        ["show", "7"],  # unknown: exit 2, same message
        ["-C", str(chdir_workspace.root), "list"],
    ):
        assert parse(args) is not None
        fast, slow = both(args, capsys)
        assert fast == slow, args
    code, out, _ = both(["list"], capsys)[0]
    assert code == 0 and "1/2" in out and "0002  churn" in out


def test_new_prints_what_click_prints(chdir_workspace: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = main(["new", "fraud-detection", "--metric", "brier_score"]), *capsys.readouterr()
    clicks = main(["new", "churn", "--metric", "brier_score"], fast=False), *capsys.readouterr()
    assert code == clicks[0] == 0
    assert out.replace("fraud-detection", "X").replace("0001", "N") == clicks[1].replace(
        "churn", "X"
    ).replace("0002", "N")
    assert err == clicks[2] and "note:" in err  # brier_score has no default target
    code, out, _ = main(["new", "drift-watch", "--format", "json"]), *capsys.readouterr()
    assert code == 0 and json.loads(out)["path"] == "increments/0003-drift-watch"


def test_invalid_increment_yaml_is_exit_2_naming_file_and_field(
    chdir_workspace: Workspace, fraud: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["list"]) == 0  # cached while valid
    meta = fraud / "increment.yaml"
    meta.write_text(
        meta.read_text(encoding="utf-8").replace("status: planned", "status: shipped"), encoding="utf-8"
    )
    code, _, err = main(["list"]), *capsys.readouterr()
    assert code == 2 and "increment.yaml" in err and "status" in err


def test_style_matches_click_style(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_text, "use_color", lambda: True)
    for colour in ("blue", "yellow", "green", "red"):
        assert cli_text.style("x y", fg=colour) == click.style("x y", fg=colour)
    monkeypatch.setattr(cli_text, "use_color", lambda: False)
    assert cli_text.style("x", fg="red") == "x"


def test_list_and_show_import_no_click(chdir_workspace: Workspace, fraud: Path) -> None:
    probe = (
        "import sys\nfrom inc.cli import main\n"
        "assert main(['list']) == 0 and main(['show', '1']) == 0\n"
        "print(sorted(m for m in ('click', 'pydantic', 'yaml', 'jinja2') if m in sys.modules))\n"
    )
    env = {**os.environ, "NO_COLOR": "1"}
    for _ in range(2):  # the first run fills .inc-cache/ (parsing the YAML once)
        done = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
        )
    assert done.stdout.splitlines()[-1] == "[]"


# What a warm ``inc list`` / ``inc show`` must not load (bench/startup.py's 5x budget): each is a
# few milliseconds of import (dataclasses pulls in inspect, ast, dis, tokenize; hashlib loads
# OpenSSL; yaml and the fast check's schema are needed only for a file that changed).
_NOT_ON_A_WARM_READ = (
    "click",
    "pydantic",
    "yaml",
    "jinja2",
    "dataclasses",
    "inspect",
    "typing",
    "hashlib",
    "datetime",
    "inc.fastcheck",
    "inc.meta",
    "inc.config",
)


@pytest.mark.parametrize("args", [["list"], ["show", "1"], ["list", "--status", "done"]])
def test_a_warm_read_loads_only_what_reading_needs(
    args: list[str], chdir_workspace: Workspace, fraud: Path
) -> None:
    probe = (
        "import sys\nbare = set(sys.modules)\nfrom inc.cli import main\n"
        f"assert main({args!r}) == 0\n"
        f"print(sorted(m for m in {_NOT_ON_A_WARM_READ!r} if m in sys.modules and m not in bare))\n"
        "print('markdown' if 'inc.markdown' in sys.modules else 'no markdown')\n"
    )
    env = {**os.environ, "NO_COLOR": "1"}
    runs = [
        subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
        for _ in range(2)  # the first run checks the files and fills .inc-cache/
    ]
    assert "inc.fastcheck" in runs[0].stdout  # the cold run did check the files...
    *_, loaded, markdown = runs[1].stdout.splitlines()
    assert loaded == "[]"  # ...the warm one only read and hashed the files
    assert markdown == ("markdown" if args[0] == "show" else "no markdown")  # show lists open tasks


def test_gate_prints_and_exits_as_click_does(
    chdir_workspace: Workspace,
    fraud: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    summary = chdir_workspace.root.parent / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    meta = fraud / "increment.yaml"
    for args in (["gate"], ["gate", "1", "--format", "json"], ["gate", "--strict", "--format", "github"]):
        assert parse(args) is not None
        fast, slow = both(args, capsys)
        assert fast == slow, args
    assert summary.read_text(encoding="utf-8").count("## inc gate:") == 2  # github: appended by both
    meta.write_text(
        meta.read_text(encoding="utf-8").replace("status: planned", "status: active"), encoding="utf-8"
    )
    fast, slow = both(["gate"], capsys)
    assert fast == slow and fast[0] == 1 and "gate failed for 1 increment(s)" in fast[2]


def test_fast_grammar_is_a_subset_of_the_click_commands() -> None:
    """Every option the fast path takes exists on the click command, with the same choices."""
    from inc.cli.app import LazyGroup, cli
    from inc.cli.fast import _FLAGS, _GRAMMAR, _problems

    assert isinstance(cli, LazyGroup)
    for name, (_, options) in _GRAMMAR.items():
        command = cli.get_command(click.Context(cli), name)
        assert command is not None
        params = {opt: p for p in command.params for opt in p.opts}
        for option, choices in {**options, **dict.fromkeys(_FLAGS.get(name, ()), None)}.items():
            assert option in params, (name, option)
            expected = _problems() if option == "--problem" else choices
            if isinstance(params[option].type, click.Choice):
                assert tuple(params[option].type.choices) == expected, (name, option)
            else:
                assert expected is None, (name, option)
