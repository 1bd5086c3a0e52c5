"""The flat YAML reader returns PyYAML's data or None, never something else."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
import yaml

from inc import flatyaml, templating, yamlio
from inc.errors import ConfigError
from inc.scaffold import DEFAULT_CONFIG
from inc_testing.new_contexts import plain_context


def _pyyaml(text: str) -> Any:
    """What inc's YAML loader (PyYAML's safe loader, duplicate keys refused) reads, or the error."""
    try:
        return yamlio.parse_yaml(text, "test.yaml")
    except ConfigError as exc:
        return type(exc)
    except Exception as exc:
        return type(exc)


def _agrees(text: str) -> bool:
    """Either the flat reader declines or it reads what PyYAML reads (True when it read it)."""
    flat = flatyaml.read(text)
    if flat is None:
        return False
    expected = _pyyaml(text)
    assert flat == expected, text
    assert [type(v) for v in flat.values()] == [type(v) for v in expected.values()], text
    return True


def test_what_inc_new_writes_and_inc_init_writes_is_read_without_pyyaml() -> None:
    rng = random.Random(5)
    read = 0
    for _ in range(100):
        context = plain_context(rng)
        target = context["target"]
        plain = (
            context["metric_name"] in ("roc_auc", "rmse", "ndcg@10")
            and (target is None or "e" not in str(target))  # 1e-05 is a string to YAML 1.1
            and context["title"].isprintable()
            and context["owner"].isprintable()
        )
        for name in ("increment.yaml.j2", "monitoring.yaml.j2"):
            text = templating.render(name, context)
            agreed = _agrees(text)
            assert agreed or not plain, text
            read += agreed
    assert read > 50
    assert _agrees(DEFAULT_CONFIG)


CHARACTERS = "aZ09 _-.:#'\"\\{}[],&*!|>%@`~\t\n\r\x00\x07\x1b\x7f\x80\x85\x9f\xa0é€\u2028\u2029\ufeff\ufffe\uffff\ud800🚀"


def test_quoted_strings_agree_with_pyyaml_for_hostile_text() -> None:
    rng = random.Random(11)
    read = 0
    for _ in range(3000):
        text = "".join(rng.choice(CHARACTERS) for _ in range(rng.randrange(0, 12)))
        line = f"title: {json.dumps(text, ensure_ascii=False)}{rng.choice(['', '  # note', ' #x', '#x', '   '])}\n"
        read += _agrees(line)
    assert read > 300  # the reader is not declining everything


TOKENS = [
    "yes", "No", "ON", "off", "True", "FALSE", "y", "n", "null", "Null", "NULL", "~", "0", "007", "010", "09", "-0",
    "12", "-12", "+12", "0x1f", "0b11", "1_000", "1.5", "-1.5", "1.", ".5", "1e3", "1.0e+3", "1:20",
    "2026-11-29", "2026-13-01", "2026-1-2", "2026-11-29T10:00:00", "abc", "a-b", "a.b", "a_b", "@x",
    "a#b", "x y", "a: b", "a:b", "'q'", '"q"', "&a x", "*a", "!!str x", "[a]", "[]", "{}", "{a: 1}",
    "{a: 1, a: 2}", "{on: 1}", "{a: yes}", "{a: 1,b: 2}", "{a:1}", "{ a: 1 , b: x }", "{a: [1]}",
    "- a", "-", "|", ">", "%x", "`x`", ".inf", ".nan", "nan", "inf", "=", "<<", "e5", "E",
]


@pytest.mark.parametrize("token", TOKENS)
@pytest.mark.parametrize("key", ["name", "on", "yes", "null", "Key", "_x", "a-b", "y"])
def test_plain_values_and_keys_agree_with_pyyaml(token: str, key: str) -> None:
    for tail in ("", "  # comment", "#x", " "):
        _agrees(f"{key}: {token}{tail}\n")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "# only a comment\n",
        "---\na: 1\n",
        "a: 1\n...\n",
        "\ufeffa: 1\n",
        "a: 1\r\nb: 2\r\n",
        "a:\t1\n",
        "a: 1\n  b\n",
        "a: 1\na: 2\n",
        "a:\n  - 1\n",
        "a: &x 1\nb: *x\n",
        " a: 1\n",
        "a: \"open\n",
        "a: 1 # fine\nb: two words\n",
        "%YAML 1.1\n---\na: 1\n",
        "a: 1\n\x85\n",
    ],
)
def test_declines_what_is_not_plainly_flat(text: str) -> None:
    assert flatyaml.read(text) is None


def test_a_file_over_the_lowest_node_budget_is_left_to_pyyaml() -> None:
    small = "".join(f"k{i}: {i}\n" for i in range(400))
    assert flatyaml.read(small) == {f"k{i}": i for i in range(400)}
    assert flatyaml.read("".join(f"k{i}: {i}\n" for i in range(600))) is None
    wide = "m: {" + ", ".join(f"k{i}: {i}" for i in range(600)) + "}\n"
    assert flatyaml.read(wide) is None and yaml.safe_load(wide)["m"]["k599"] == 599
