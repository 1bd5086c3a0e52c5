"""Run hygiene: short run ids everywhere, `inc unlink`, increment.yaml edits that keep comments."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import inc
from inc.cli import main
from inc.errors import ConfigError, NotFoundError, UserError
from inc.tracking.ledger import sync, unlink
from inc.tracking.runs_table import choose, match_run_id, resolve_run_id
from inc.yamlio import load_yaml


def _cli(ws: Any, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["-C", str(ws.root), *args])
    out, err = capsys.readouterr()
    return code, out, err


def _run(tracked: Any, name: str, role: str = "candidate", auc: float = 0.8) -> str:
    with inc.track_experiment(name, increment=tracked.inc.id, role=role, workspace=tracked.ws) as exp:
        exp.log_metrics({"roc_auc": auc})
    return exp.run_id


def test_prefix_matching_rules() -> None:
    known = ["abcdef0123", "abcdef9999", "0123456789"]
    assert match_run_id("0123456789", known, "x") == "0123456789"
    assert match_run_id(" 012345 ", known, "x") == "0123456789"
    assert match_run_id("ffffff", known, "x") is None
    with pytest.raises(UserError, match="too short: give at least 6"):
        match_run_id("012", known, "x")
    with pytest.raises(UserError, match="matches 2 runs"):
        match_run_id("abcdef", known, "x")
    with pytest.raises(UserError, match="must not be empty"):
        match_run_id("  ", known, "x")


def test_short_ids_work_for_choose_link_explain_and_unlink(
    tracked: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    run_id = _run(tracked, "cand")
    short = run_id[:7]
    assert resolve_run_id(tracked.reload(), short) == run_id
    assert choose(tracked.ws, tracked.inc.id, short).run_id == run_id

    # link takes a prefix too (resolved on the server), so the hint other commands print works
    (tracked.inc.runs_dir / f"{run_id}.json").unlink()
    code, out, err = _cli(tracked.ws, "link", tracked.inc.id, short, capsys=capsys)
    assert code == 0, err
    assert run_id in out

    # explain --run with an unknown prefix names the command that links it; the prefix of a linked
    # run is resolved to the full id (this run has no model, which is the next thing checked)
    code, _, err = _cli(
        tracked.ws,
        "explain",
        tracked.inc.id,
        "--run",
        "feedfacecafe",
        "--data",
        str(tmp_path / "none.csv"),
        capsys=capsys,
    )
    assert code == 2 and f"inc link {tracked.inc.id} feedfacecafe" in err
    code, _, err = _cli(
        tracked.ws,
        "explain",
        tracked.inc.id,
        "--run",
        short,
        "--data",
        str(tmp_path / "none.csv"),
        capsys=capsys,
    )
    assert code == 2 and f"run {run_id} has no model" in err


def test_unlink_refuses_the_chosen_run_unless_forced_and_sync_leaves_it_out(
    tracked: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    chosen = _run(tracked, "chosen", auc=0.9)
    other = _run(tracked, "other", auc=0.7)
    choose(tracked.ws, tracked.inc.id, chosen)

    code, _, err = _cli(tracked.ws, "unlink", tracked.inc.id, chosen[:8], capsys=capsys)
    assert code == 2 and "chosen run" in err and "--force" in err
    assert (tracked.inc.runs_dir / f"{chosen}.json").is_file()

    code, out, err = _cli(tracked.ws, "unlink", tracked.inc.id, other[:8], capsys=capsys)
    assert code == 0 and f"unlinked: {other}" in out
    assert not (tracked.inc.runs_dir / f"{other}.json").exists()
    # (the session's store may hold other tests' plain runs tagged 0001 without a slug: only
    # this test's two runs are asserted on)
    synced = {r.run_id for r in sync(tracked.ws, tracked.inc.id).records}
    assert chosen in synced and other not in synced, "sync does not bring an unlinked run back"
    assert not (tracked.inc.runs_dir / f"{other}.json").exists()

    result = unlink(tracked.ws, tracked.inc.id, chosen, force=True)
    assert result.was_chosen and "chosen_run and model cleared" in " ".join(result.notes)
    meta = load_yaml(tracked.inc.meta_path)
    assert meta["chosen_run"] is None and meta["model"] is None

    # linking it again on purpose works and removes the unlinked mark
    code, _, err = _cli(tracked.ws, "link", tracked.inc.id, other, capsys=capsys)
    assert code == 0, err
    synced = {r.run_id for r in sync(tracked.ws, tracked.inc.id).records}
    assert other in synced and chosen not in synced


def test_unlink_of_an_unknown_run_is_a_user_error(tracked: Any) -> None:
    with pytest.raises(NotFoundError, match="not in the ledger"):
        unlink(tracked.ws, tracked.inc.id, "0123456789abcdef")


COMMENTED = """\
# Increment metadata: edited by hand and by inc. Keep these comments!
schema: 1
id: "{id}"
slug: {slug}
title: Fraud detection   # shown in the docs
status: active             # planned | active | done | abandoned
created: 2026-11-22
owner: "ana"               # who answers for it

# The success metric
metric: {{name: roc_auc, goal: maximize, target: 0.85}}
baseline_margin: 0.20      # chosen model must beat the best baseline by this margin
cv_min_folds: 5
latency_p95_ms: 100        # milliseconds
chosen_run: null           # set by `inc choose`
model: null                # filled from the chosen run
waivers: []
# end of file
"""


def test_choose_and_unlink_keep_comments_and_key_order(tracked: Any) -> None:
    from sklearn.dummy import DummyClassifier

    path = tracked.inc.meta_path
    path.write_text(COMMENTED.format(id=tracked.inc.id, slug=tracked.inc.meta.slug))
    with inc.track_experiment("cand", increment=tracked.inc.id, workspace=tracked.ws) as exp:
        exp.log_metrics({"roc_auc": 0.9})
        import pandas as pd

        X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0]})
        exp.save_model(DummyClassifier().fit(X, [0, 1, 0, 1]), input_example=X[:2])
    choose(tracked.ws, tracked.inc.id, exp.run_id[:8])

    text = path.read_text()
    before, after = (
        COMMENTED.format(id=tracked.inc.id, slug=tracked.inc.meta.slug).splitlines(),
        text.splitlines(),
    )
    changed = [(b, a) for b, a in zip(before, after, strict=False) if b != a]
    assert [a.split(":")[0] for _, a in changed] == ["chosen_run", "model"], changed
    assert f"chosen_run: {exp.run_id}" in text and "# set by `inc choose`" in text
    assert text.count("#") == COMMENTED.count("#")
    assert text.endswith("# end of file\n")
    assert load_yaml(path)["model"] == {"name": tracked.inc.name, "version": "1"}
    assert f"model: {{name: {tracked.inc.name}, version: '1'}} # filled from the chosen run" in text

    unlink(tracked.ws, tracked.inc.id, exp.run_id, force=True)
    assert path.read_text() == COMMENTED.format(id=tracked.inc.id, slug=tracked.inc.meta.slug)


def test_the_line_editor_and_its_fallback(tracked: Any) -> None:
    from inc.yamledit import edit_keys

    text = "a: 1  # one\nb:\n  - x\n  - y\n# tail\nc: 'it''s # not a comment'\n"
    assert (
        edit_keys(text, {"b": [{"z": 1, "w": [2]}], "a": 2})
        == "a: 2".ljust(27) + "# one\nb:\n- z: 1\n  w:\n  - 2\n# tail\nc: 'it''s # not a comment'\n"
    )
    assert edit_keys(text, {"c": "x"}).endswith("# tail\nc: x\n")
    assert edit_keys(text, {"d": None}).endswith("d: null\n")
    # A key given twice: PyYAML would keep the last value while a reviewer reads the first, so
    # the file is refused, naming both lines, before anything edits it.
    path = tracked.inc.meta_path
    path.write_text(path.read_text() + "owner: twice\n")
    with pytest.raises(ConfigError, match="key 'owner' is given twice"):
        tracked.reload()
