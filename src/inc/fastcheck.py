"""The models' JSON Schema for reading without pydantic, and ``accepts`` for inc.yaml and increment.yaml.

The pydantic models stay the schema of record. Importing pydantic and building them costs
several times Python's own start, so the common case (a plainly valid file) is checked against
the models' own JSON Schema, generated from them into ``_fastschema.json`` (``python -m
inc.fastcheck`` rewrites it; a test fails when it differs from what the models produce). The
reading itself is ``inc.light``'s; :func:`accepts` is its yes/no answer, and the type and keyword
checks below are its building blocks.

One-sided: anything not fully understood (a keyword, a format, a validator without a plain twin,
a type pydantic would coerce, a non-ASCII value under a pattern) is "no", and the caller
validates with pydantic, which accepts it or names the file and field. A stale schema file makes
loading slower, never laxer.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

SCHEMA_FILE = Path(__file__).with_name("_fastschema.json")
_INT_LIMIT = 2**53

_IGNORED_KEYWORDS = frozenset({"title", "description", "default", "examples"})


@lru_cache(maxsize=1)
def _spec() -> dict[str, Any]:
    try:
        loaded: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # missing or damaged: everything goes through pydantic
        return {}
    return loaded


def accepts(name: str, data: Any) -> bool:
    """True only when the model called ``name`` ("increment", "config") surely accepts ``data``."""
    from inc import light

    return light.load(name, data) is not None


def with_defaults(name: str, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` (already accepted) with every missing top-level field set to the model's default."""
    defaults: dict[str, Any] = _spec()[name]["defaults"]
    return {**defaults, **data}


def _is_string(value: Any, schema: dict[str, Any]) -> bool:
    fmt = schema.get("format")
    if fmt is None:
        return type(value) is str
    if fmt == "date":  # YAML gives a datetime.date; a date written as text is left to pydantic
        return type(value) is dt.date
    return False


def _is_integer(value: Any, schema: dict[str, Any]) -> bool:
    return type(value) is int and -_INT_LIMIT < value < _INT_LIMIT


def _is_number(value: Any, schema: dict[str, Any]) -> bool:
    if type(value) is int:
        return -_INT_LIMIT < value < _INT_LIMIT
    return type(value) is float and math.isfinite(value)


def _never(value: Any, schema: dict[str, Any]) -> bool:
    return False


_TYPES: dict[str, Callable[[Any, dict[str, Any]], bool]] = {
    "string": _is_string,
    "integer": _is_integer,
    "number": _is_number,
    "boolean": lambda value, schema: type(value) is bool,
    "null": lambda value, schema: value is None,
    "array": lambda value, schema: type(value) is list,
    "object": lambda value, schema: type(value) is dict,
}


def _pattern(pattern: str, value: Any) -> bool:
    # pydantic matches with the Rust regex engine; on ASCII text without line breaks the two agree.
    if type(value) is not str or not value.isascii() or "\n" in value or "\r" in value:
        return False
    return re.search(pattern, value) is not None


def _enum(options: list[Any], value: Any) -> bool:
    return any(type(option) is type(value) and option == value for option in options)


def _minimum(bound: float, value: Any) -> bool:
    return bool(value >= bound)


def _maximum(bound: float, value: Any) -> bool:
    return bool(value <= bound)


_KEYWORDS: dict[str, Any] = {
    "$ref": None,
    "anyOf": None,
    "allOf": None,
    "format": lambda fmt, value: True,  # checked with the type
    "enum": _enum,
    "const": lambda const, value: _enum([const], value),
    "pattern": _pattern,
    "minLength": lambda n, value: len(value) >= n,
    "maxLength": lambda n, value: len(value) <= n,
    "minimum": _minimum,
    "maximum": _maximum,
    "exclusiveMinimum": lambda bound, value: value > bound,
    "exclusiveMaximum": lambda bound, value: value < bound,
    "minItems": lambda n, value: len(value) >= n,
    "maxItems": lambda n, value: len(value) <= n,
}
_STRUCTURE = {"$defs", "type", "properties", "required", "additionalProperties", "items"}
_KNOWN = frozenset(_IGNORED_KEYWORDS | _KEYWORDS.keys() | _STRUCTURE)


# --- generation (imports pydantic; run by the test and by ``python -m inc.fastcheck``) ---


def _model_classes(model: Any) -> list[Any]:
    """``model`` and every pydantic model its fields refer to, each once."""
    from typing import get_args

    from pydantic import BaseModel

    found: list[Any] = []
    todo = [model]
    while todo:
        current = todo.pop()
        if current in found:
            continue
        found.append(current)
        for info in current.model_fields.values():
            stack = [info.annotation]
            while stack:
                tp = stack.pop()
                if isinstance(tp, type) and issubclass(tp, BaseModel):
                    todo.append(tp)
                stack.extend(get_args(tp))
    return found


def code_digest(func: Any) -> str:
    """A digest of a function's syntax tree (unchanged by formatting and comments)."""
    import ast
    import hashlib
    import inspect
    import textwrap

    tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    for node in ast.walk(tree):  # decorators and line numbers are not what the validator does
        if isinstance(node, ast.FunctionDef):
            node.decorator_list = []
    return hashlib.sha256(ast.dump(tree).encode("utf-8")).hexdigest()[:12]


def _validators(model: Any) -> dict[str, dict[str, Any]]:
    """``Model.function`` -> fields it validates and its digest, for the model and nested models.

    Serializers are left out: they change what is written, not what is accepted.
    """
    out: dict[str, dict[str, Any]] = {}
    for cls in _model_classes(model):
        decorators = cls.__pydantic_decorators__
        for kind in ("validators", "field_validators", "root_validators", "model_validators"):
            for name, decorator in getattr(decorators, kind).items():
                fields = list(getattr(decorator.info, "fields", ()) or ())
                func = getattr(decorator.func, "__func__", decorator.func)
                out[f"{cls.__name__}.{name}"] = {"fields": fields, "digest": code_digest(func), "kind": kind}
    return dict(sorted(out.items()))


_PLAIN_METADATA = frozenset({"Ge", "Gt", "Le", "Lt", "MinLen", "MaxLen", "_PydanticGeneralMetadata"})
_PLAIN_CONFIG = frozenset(
    {
        "extra",
        "title",
        "populate_by_name",
        "validate_by_name",
        "validate_by_alias",
        "json_schema_extra",
        "frozen",
        "defer_build",  # when the validator is built, not what it accepts
    }
)


def _opaque(model: Any) -> list[str]:
    """What the JSON Schema does not show: validators in ``Annotated`` metadata, model settings
    that change validation (``str_strip_whitespace``, ``allow_inf_nan``...). Each makes the
    model ineligible for the fast check."""
    from typing import get_args

    found = []
    for cls in _model_classes(model):
        found += [
            f"{cls.__name__}.model_config.{key}" for key in cls.model_config if key not in _PLAIN_CONFIG
        ]
        for name, info in cls.model_fields.items():
            items = list(info.metadata)
            stack = [info.annotation]
            while stack:
                tp = stack.pop()
                items += list(getattr(tp, "__metadata__", ()))
                stack.extend(get_args(tp))
            found += [
                f"{cls.__name__}.{name}: {type(item).__name__}"
                for item in items
                if type(item).__name__ not in _PLAIN_METADATA
            ]
    return sorted(set(found))


def _defaults(model: Any) -> dict[str, Any]:
    out = {}
    for name, info in model.model_fields.items():
        if not info.is_required():
            key = info.alias or name
            default = info.get_default(call_default_factory=True)
            dump = getattr(default, "model_dump", None)
            # python mode: a model default keeps the values it holds (an int default of a float field)
            out[key] = dump(by_alias=True) if dump is not None else default
    return out


# Models with an entry in the schema file: "config" and "increment" for the fast check, all of
# them for ``inc.light`` (the gate's reading without pydantic), by entry name.
MODELS = {
    "config": "inc.config:Config",
    "increment": "inc.meta:IncrementMeta",
    "run_record": "inc.evidence:RunRecord",
    "explain_summary": "inc.evidence:ExplainSummary",
    "loadtest_report": "inc.evidence:LoadTestReport",
    "drift_report": "inc.evidence:DriftReport",
    "evaluation_summary": "inc.evaluation.schema:EvaluationSummary",
    "monitoring": "inc.ops.monitoring_schema:MonitoringConfig",
}


def _classes(model: Any) -> dict[str, dict[str, Any]]:
    """Per model class (by name, as in the JSON Schema's ``$defs``): its fields as (key, attribute)
    pairs in order, its handling of unknown keys and its defaults."""
    out: dict[str, dict[str, Any]] = {}
    for cls in _model_classes(model):
        out[cls.__name__] = {
            "fields": [[info.alias or name, name] for name, info in cls.model_fields.items()],
            "extra": cls.model_config.get("extra") or "ignore",
            "mixins": [base.__name__ for base in cls.__mro__ if base.__module__ == "inc.rules"],
            "defaults": _defaults(cls),
        }
    return out


def generate() -> dict[str, Any]:
    """The schema file's content, from the pydantic models (the schema of record)."""
    import importlib

    spec: dict[str, Any] = {}
    seen: dict[str, Any] = {}  # class name -> class, across entries: inc.light keys classes by name
    for name, where in MODELS.items():
        module, _, attr = where.partition(":")
        model = getattr(importlib.import_module(module), attr)
        spec[name] = {
            "model": f"{model.__module__}.{model.__name__}",
            "schema": model.model_json_schema(by_alias=True, mode="validation"),
            "defaults": _defaults(model),
            "classes": _classes(model),
            "validators": _validators(model),
            "opaque": _opaque(model),
        }
        for cls in _model_classes(model):
            if seen.setdefault(cls.__name__, cls) is not cls:
                raise ValueError(f"two model classes named {cls.__name__}: inc.light cannot tell them apart")
    return spec


def render_spec() -> str:
    """The schema file's text."""
    return json.dumps(generate(), indent=1, sort_keys=True, default=str) + "\n"


if __name__ == "__main__":
    SCHEMA_FILE.write_text(render_spec(), encoding="utf-8")
    print(f"wrote {SCHEMA_FILE}")
