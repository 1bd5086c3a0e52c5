"""The budgeted sandbox's quick ``row.key`` on plain dicts gives what jinja2's own sandbox gives."""

from __future__ import annotations

from typing import Any

import pytest
from jinja2 import StrictUndefined, UndefinedError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from inc.template_guard import BudgetedSandbox


class Row(dict):  # type: ignore[type-arg]
    """A dict subclass: not a plain dict, so it takes the sandbox's usual way."""

    title = "class attribute"


CONTEXT: dict[str, Any] = {
    "row": {"title": "Fraud | model", "items": "shadowed", "_private": "p", "keys": 3, "nested": {"x": 1}},
    "sub": Row(title="item"),
}
EXPRESSIONS = [
    "{{ row.title }}",
    "{{ row.nested.x }}",
    "{{ row._private }}",
    "{{ row.items is callable }}",  # a dict method wins over the key, as in jinja2
    "{{ row.keys is callable }}",
    "{{ row['items'] }}",
    "{{ sub.title }}",  # the subclass's attribute wins over its item
    "{% for k, v in row.nested.items() %}{{ k }}={{ v }}{% endfor %}",
]


@pytest.mark.parametrize("source", EXPRESSIONS)
def test_attribute_lookups_match_jinja2s_sandbox(source: str) -> None:
    ours = BudgetedSandbox(undefined=StrictUndefined).from_string(source).render(**CONTEXT)
    theirs = SandboxedEnvironment(undefined=StrictUndefined).from_string(source).render(**CONTEXT)
    assert ours == theirs


def test_a_missing_key_is_still_an_error_and_internals_stay_closed() -> None:
    env = BudgetedSandbox(undefined=StrictUndefined)
    with pytest.raises(UndefinedError):
        env.from_string("{{ row.missing }}").render(**CONTEXT)
    with pytest.raises(SecurityError):
        env.from_string("{{ row.__class__.__subclasses__() }}").render(**CONTEXT)
