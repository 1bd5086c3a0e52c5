"""The structural check that keeps pydantic off the list/show/new path: never laxer than the models."""

from __future__ import annotations

import copy
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from inc import fastcheck, light
from inc.config import Config
from inc.errors import ConfigError
from inc.increment import Increment
from inc.meta import IncrementMeta
from inc.scaffold import new_increment
from inc.status import list_increments, show_increment
from inc.workspace import Workspace

VALID: dict[str, Any] = {
    "schema": 1,
    "id": "0001",
    "slug": "fraud-detection",
    "title": "Fraud detection",
    "status": "active",
    "created": dt.date(2026, 11, 22),
    "owner": "ana",
    "problem": "classification",
    "metric": {"name": "roc_auc", "goal": "maximize", "target": 0.85},
    "baseline_margin": 0.2,
    "margin_mode": "relative",
    "cv_min_folds": 5,
    "latency_p95_ms": 100,
    "chosen_run": None,
    "model": None,
    "waivers": [],
}
ODD_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    1,
    3,
    101,
    10**30,
    0.5,
    float("nan"),
    float("inf"),
    "",
    " ",
    "0001\n",
    "x" * 61,
    "٠٠٠١",
    "a b",
    "done",
    "maximize",
    "bogus",
    [],
    {},
    {"name": "x"},
    [{}],
    dt.date(2026, 1, 1),
    dt.datetime(2026, 1, 1, 5),
    "2026-01-01",
    "/abs",
    "../up",
    "a/../b",
    ".",
    "ok-dir",
]


def _pydantic_accepts(model: Any, data: Any) -> bool:
    try:
        model.model_validate(data)
    except ValidationError:
        return False
    return True


def _mutations(base: dict[str, Any]) -> list[Any]:
    """Every field set to every odd value, every field removed, an unknown key, nested changes."""
    out: list[Any] = []
    for key in [*base, "unknown_key"]:
        removed = {k: v for k, v in base.items() if k != key}
        out.append(removed)
        for value in ODD_VALUES:
            out.append({**base, key: value})
    for nested in ("metric", "model"):
        for field in ("name", "goal", "target", "version", "extra"):
            for value in ODD_VALUES:
                changed = copy.deepcopy(base)
                changed[nested] = {**(changed.get(nested) or {"name": "m", "version": "1"}), field: value}
                out.append(changed)
    out.append({**base, "waivers": [{"check": "tasks", "reason": "r", "approved_by": "b"}]})
    out.append({**base, "waivers": [{"check": "nope", "reason": "r", "approved_by": "b"}]})
    return out


def test_schema_file_matches_the_models() -> None:
    """The committed schema is what the pydantic models produce (regenerate: python -m inc.fastcheck)."""
    assert fastcheck.SCHEMA_FILE.read_text(encoding="utf-8") == fastcheck.render_spec()


@pytest.mark.parametrize(
    ("name", "model", "base"),
    [
        ("increment", IncrementMeta, VALID),
        (
            "config",
            Config,
            {
                "schema": 1,
                "increments_dir": "increments",
                "living_docs_dir": "docs/living",
                "templates_dir": "templates",
                "tracking_uri": None,
                "training_paths": ["src"],
            },
        ),
    ],
)
def test_never_accepts_what_the_model_refuses(name: str, model: Any, base: dict[str, Any]) -> None:
    cases = _mutations(base)
    accepted = 0
    for data in cases:
        if fastcheck.accepts(name, data):
            accepted += 1
            assert _pydantic_accepts(model, data), (
                f"fast check accepted what {model.__name__} refuses: {data}"
            )
    assert fastcheck.accepts(name, base)
    assert accepted > 20  # it does take the common valid shapes


def test_a_stale_or_missing_schema_falls_back_to_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fastcheck, "_spec", lambda: {})
    light._model.cache_clear()  # the compiled entries are kept per process
    try:
        assert not fastcheck.accepts("increment", VALID)
        entry = json.loads(fastcheck.SCHEMA_FILE.read_text())
        entry["increment"]["validators"]["IncrementMeta._id_as_text"]["digest"] = "changed"
        monkeypatch.setattr(fastcheck, "_spec", lambda: entry)
        light._model.cache_clear()
        assert not fastcheck.accepts("increment", VALID)
    finally:
        light._model.cache_clear()


def test_invalid_increment_still_names_file_and_field(workspace: Workspace) -> None:
    path = new_increment(workspace, "fraud").increment.path
    meta = path / "increment.yaml"
    meta.write_text(meta.read_text().replace("status: planned", "status: shipped"))
    with pytest.raises(ConfigError) as excinfo:
        list_increments(workspace)
    assert str(meta) in excinfo.value.message and "field 'status'" in excinfo.value.message
    with pytest.raises(ConfigError, match="field 'status'"):
        show_increment(workspace, "1")


def test_fast_and_model_paths_give_the_same_view(workspace: Workspace) -> None:
    path = new_increment(workspace, "fraud").increment.path
    fast = Increment._load_checked(path)
    assert isinstance(fast._meta, light.Light)  # no pydantic model built: the plain reading
    slow = Increment(path, IncrementMeta.model_validate(fast._raw))
    assert fast.view == slow.view
    assert not isinstance(fast.meta, IncrementMeta)  # the plain reading (inc.light)
    assert fast.meta.model_dump() == slow.meta.model_dump()


def test_list_show_new_do_not_import_pydantic(workspace: Workspace) -> None:
    new_increment(workspace, "fraud")
    code = (
        "import sys\nfrom inc.cli import main\n"
        "codes = [main(['list']), main(['show', '1']), main(['new', 'second']), main(['--help'])]\n"
        "assert codes == [0, 0, 0, 0], codes\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'git', 'jinja2_', 'markdown_it'))\n"
        "print('IMPORTED:' + ','.join(bad))\n"
    )
    out = (
        subprocess.run(
            [sys.executable, "-c", code], cwd=workspace.root, capture_output=True, text=True, check=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    assert out == "IMPORTED:"


def test_workspace_config_model_is_built_on_demand(tmp_path: Path) -> None:
    (tmp_path / "inc.yaml").write_text("schema: 1\nincrements_dir: work/increments\n")
    ws = Workspace.discover(tmp_path)
    assert ws.increments_dir == tmp_path / "work" / "increments"
    assert "config" not in ws.loaded.__dict__
    assert ws.config.increments_dir == "work/increments"
    (tmp_path / "inc.yaml").write_text("increments_dir: ../outside\n")
    with pytest.raises(ConfigError, match="field 'increments_dir'"):
        Workspace.discover(tmp_path)
