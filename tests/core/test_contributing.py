"""CONTRIBUTING.md's layout tree lists exactly the modules and packages in src/inc."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _tree_paths() -> set[str]:
    text = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    block = text.split("## Layout", 1)[1].split("```", 2)[1]
    paths: set[str] = set()
    stack: list[str] = []
    for line in block.strip("\n").splitlines()[1:]:  # the first line is src/inc/ itself
        match = re.match(r"^( *)(\S+)", line)
        assert match, line
        depth = len(match.group(1)) // 2 - 1
        name = match.group(2)
        stack[depth:] = [name.rstrip("/")]
        paths.add("/".join(stack) + ("/" if name.endswith("/") else ""))
    return paths


def _source_paths() -> set[str]:
    root = REPO / "src" / "inc"
    paths: set[str] = set()
    for path in root.rglob("*"):
        rel = path.relative_to(root).as_posix()
        if "__pycache__" in rel:
            continue
        if path.is_dir():
            paths.add(rel + "/")
        elif path.suffix == ".py" and path.name != "__init__.py":
            paths.add(rel)
    return paths


def test_contributing_tree_matches_the_package() -> None:
    listed, actual = _tree_paths(), _source_paths()
    assert not actual - listed, f"modules missing from CONTRIBUTING.md's tree: {sorted(actual - listed)}"
    assert not listed - actual, f"CONTRIBUTING.md lists modules that do not exist: {sorted(listed - actual)}"
