"""Every ``inc.<name>(...)`` the README's Python examples call exists and can be called."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def _called_names() -> set[str]:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    return {name for block in blocks for name in re.findall(r"\binc((?:\.[A-Za-z_]\w*)+)\(", block)}


def test_the_readme_calls_only_what_inc_offers() -> None:
    names = _called_names()
    assert {".gate", ".loadtest", ".explain", ".evaluate"} <= names  # the examples are still there
    for name in sorted(names):
        target: object = importlib.import_module("inc")
        for part in name.strip(".").split("."):
            target = getattr(target, part)
        assert callable(target), f"README calls inc{name}(...), which cannot be called"
