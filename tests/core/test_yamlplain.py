"""The plain YAML reader: what it reads, PyYAML reads the same way (differential, seeded)."""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from inc import yamlplain
from inc.scaffold import init_workspace, new_increment
from inc.workspace import Workspace
from inc.yamlio import parse_yaml
from inc_testing.gate_evidence import monitoring_yaml

REPO = Path(__file__).resolve().parents[2]
SCALARS = [
    "0",
    "7",
    "-3",
    "+5",
    "007",
    "0o17",
    "0x1F",
    "0b101",
    "1_000",
    "1:30",
    "190:20:30",
    "1.5",
    "1.",
    ".5",
    "-.5",
    "+.5",
    "-1.5",
    "+1.5",
    "1e3",
    "1.0e+3",
    "1.0e3",
    "6.8523015e+5",
    ".inf",
    "-.inf",
    ".Inf",
    ".nan",
    ".NaN",
    "NaN",
    "inf",
    "true",
    "True",
    "TRUE",
    "tRUE",
    "false",
    "yes",
    "Yes",
    "no",
    "NO",
    "on",
    "Off",
    "y",
    "n",
    "null",
    "Null",
    "NULL",
    "nULL",
    "~",
    "",
    "=",
    "<<",
    "2026-11-29",
    "2026-13-45",
    "2026-1-2",
    "2001-12-14t21:59:43.10-05:00",
    "2026-11-29 10:00:00",
    "roc_auc",
    "amount",
    "a b",
    "a#b",
    "a #b",
    "a: b",
    "a:b",
    "s3://bucket/x",
    "http://x:5000",
    "-x",
    "- x",
    "?x",
    ":x",
    "x:",
    "#x",
    "&a x",
    "*a",
    "!tag x",
    "|",
    ">",
    "%x",
    "@x",
    "`x",
    "'single'",
    "'it''s'",
    "'open",
    '"double"',
    '"es\\"c"',
    '"tab\\t"',
    '""',
    "''",
    '"a # b"',
    "{a: 1}",
    "[1, 2]",
    "[]",
    "{}",
    "[a, [b, c]]",
    "{a: [1, x], b: {c: d}}",
    "[a,]",
    "{a: 1, a: 2}",
    "{a:1}",
    "2765b13ef77146da963882aa5779cc50",
    "0001-fraud-detection",
    "0x1g",
    "1e5x",
    "12:30",
    "1_0.5",
    "0b12",
    "2026-11-29T10:00:00Z",
    "2026-11-29x",
    "-",
    "+",
    ".",
    "0.",
    "-0",
    "+0.0",
    "1.5.2",
    "v1.2",
    "_x",
    "[a: 1]",
    "{a: b c}",
    "[x # y]",
    "café",
    "0001",
    '"0001"',
    "1 # one",
    "x # y",
]
KEYS = ["schema", "id", "name", "a", "b_c", "d-e", "f.g", "yes", "null", "1", '"q"', "k k", "on"]


def typed(value: Any) -> Any:
    """``value`` with every scalar paired with its type (1 and 1.0 and True differ)."""
    if isinstance(value, dict):
        return ("dict", [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [typed(item) for item in value])
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, value)


def agrees(text: str) -> bool:
    """True when the plain reader read ``text``, False when it left it to PyYAML; fails when the
    two disagree or the plain reader accepted what PyYAML refuses."""
    try:
        mine = yamlplain.read(text, 200_000)
    except yamlplain.Unsure:
        return False
    try:
        theirs = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise AssertionError(f"read what PyYAML refuses ({exc}):\n{text}") from exc
    assert typed(mine) == typed(theirs), f"read differently:\n{text}\nmine:   {mine!r}\ntheirs: {theirs!r}"
    return True


def _document(rng: random.Random, depth: int = 0, indent: int = 0) -> list[str]:
    pad = " " * indent
    lines = []
    for _ in range(rng.randint(1, 4)):
        key = rng.choice(KEYS)
        shape = rng.random()
        if depth < 2 and shape < 0.2:
            lines.append(f"{pad}{key}:")
            lines += _document(rng, depth + 1, indent + rng.choice([2, 4]))
        elif depth < 2 and shape < 0.35:
            lines.append(f"{pad}{key}:")
            inner = indent + rng.choice([0, 2])
            for _ in range(rng.randint(1, 3)):
                if rng.random() < 0.4:
                    sub = _document(rng, depth + 1, inner + 2)
                    lines.append(f"{' ' * inner}- {sub[0].lstrip()}")
                    lines += sub[1:]
                else:
                    lines.append(f"{' ' * inner}- {rng.choice(SCALARS)}")
        else:
            comment = rng.choice(["", "", "  # note", " #x", "# y"])
            lines.append(f"{pad}{key}: {rng.choice(SCALARS)}{comment}".rstrip())
        if rng.random() < 0.1:
            lines.append(f"{pad}# a comment")
    return lines


@pytest.mark.parametrize("text", [f"key: {value}\n" for value in SCALARS] + [f"- {v}\n" for v in SCALARS])
def test_each_scalar_is_read_as_pyyaml_reads_it_or_left_to_it(text: str) -> None:
    agrees(text)


@pytest.mark.parametrize(
    "value",
    [
        "0",
        "+3",
        "1.5",
        ".5",
        "true",
        "False",
        "null",
        "~",
        "",
        "2026-11-29",
        "'it''s'",
        '"0001"',
        "roc_auc",
        "a#b",
        "[1, 2]",
        "{a: 1}",
        "2765b13ef77146da963882aa5779cc50",
        "x # y",
    ],
)
def test_the_plain_forms_are_read_without_pyyaml(value: str) -> None:
    assert agrees(f"key: {value}\n") and agrees(f"- {value}\n")


def test_generated_documents_agree_with_pyyaml() -> None:
    rng = random.Random(17)
    read = sum(agrees("\n".join(_document(rng)) + "\n") for _ in range(3000))
    assert read > 100  # many documents hold a hostile scalar; the rest is read without PyYAML


def test_the_files_inc_writes_are_read_without_pyyaml(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    init_workspace(root, github=False)
    path = new_increment(Workspace.discover(root), "fraud-detection").increment.path
    files = [root / "inc.yaml", path / "increment.yaml", path / "monitoring.yaml"]
    files += [*sorted(REPO.glob("increments/*/*.yaml")), REPO / "inc.yaml"]
    texts = [p.read_text(encoding="utf-8") for p in files]
    texts.append(monitoring_yaml(["amount", "hour"], alert_below=0.78))
    for text in texts:
        assert agrees(text), text


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",  # aliases
        "a: 1\na: 2\n",  # a key twice: PyYAML's reading names both lines
        "a: |\n  text\n",
        "a: plain\n  continued\n",
        "a:\n\t- x\n",
        "a: 1\r\nb: 2\r\n",
        "a: !!python/object:os.system x\n",
        "a: [1,\n  2]\n",
        "--- \na: 1\n",
        "a: \x07\n",
        "a: x\u2028y\n",  # a line separator: a line break to PyYAML
        "a: \x85x\n",
    ],
)
def test_what_it_does_not_know_is_left_to_pyyaml(text: str) -> None:
    with pytest.raises(yamlplain.Unsure):
        yamlplain.read(text, 200_000)


def test_a_document_over_the_node_limit_is_left_to_pyyaml_which_names_it() -> None:
    text = "a: [" + ", ".join(["1"] * 1500) + "]\n"
    assert yamlplain.read(text, 200_000)["a"] == [1] * 1500
    with pytest.raises(yamlplain.Unsure):
        yamlplain.read(text, 1000)


def test_parse_yaml_still_names_the_line_of_a_duplicate_key() -> None:
    from inc.errors import ConfigError

    with pytest.raises(ConfigError, match="line 2: key 'status' is given twice"):
        parse_yaml("status: planned\nstatus: done\n", "increment.yaml")
