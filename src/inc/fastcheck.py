"""Structural validation of inc.yaml and increment.yaml without importing pydantic.

The pydantic models (``inc.config.Config``, ``inc.meta.IncrementMeta``) stay the schema of
record. Importing pydantic and building those models costs several times Python's own start,
more than ``inc list`` spends reading 100 increments, so the common case (a valid file) is
checked here against the models' own JSON Schema, generated from them into
``_fastschema.json`` (``python -m inc.fastcheck`` rewrites it; a test fails when it differs
from what the models produce).

The check is one-sided: :func:`accepts` returns True only when it is sure the model accepts
the data. Anything it does not fully understand (a keyword, a format, a validator it has no
rule for, a type pydantic would coerce, a non-ASCII value under a pattern) returns False, and
the caller validates with pydantic, which accepts it or raises the error naming the file and
field. A stale schema file therefore makes loading slower, never laxer.
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

# Validators of the models and how the fast check deals with each, by "Model.function", with
# a digest of the validator's code (its syntax tree, so formatting does not matter): when a
# validator changes, its digest no longer matches and its model goes through pydantic until
# the rule here is reviewed (a test names it).
# "widening": a before-validator that only converts another type into the schema's type; the
# fast check already insists on the schema's type, so it may ignore it.
# "empty:<field>": the validator only looks at that list field; the fast check accepts the data
# only when the field is absent or empty and leaves the rest to pydantic.
# "inside_workspace": implemented below. Any validator missing here makes its model ineligible.
VALIDATOR_RULES: dict[str, tuple[str, str]] = {
    "IncrementMeta._id_as_text": ("widening", "50802979f3f9"),
    "ModelRef._version_as_text": ("widening", "c7ea858b76d1"),
    "IncrementMeta._one_waiver_per_check": ("empty:waivers", "2d964e6866e1"),
    "Waiver._known_check": ("empty:waivers", "dfb45fbd7a03"),
    "Config._inside_workspace": ("inside_workspace", "a70291d06170"),
}
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
    entry = _spec().get(name)
    if entry is None or entry.get("opaque") != [] or not isinstance(data, dict):
        return False
    try:
        for validator, info in entry["validators"].items():
            rule, digest = VALIDATOR_RULES.get(validator, ("", ""))
            if digest != info["digest"] or not _rule_holds(rule, info["fields"], data):
                return False
        schema = entry["schema"]
        return _valid(schema, data, schema.get("$defs", {}))
    except (KeyError, TypeError, ValueError, re.error, RecursionError):
        return False


def with_defaults(name: str, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` (already accepted) with every missing top-level field set to the model's default."""
    defaults: dict[str, Any] = _spec()[name]["defaults"]
    return {**defaults, **data}


def _rule_holds(rule: str, fields: list[str], data: dict[str, Any]) -> bool:
    if rule == "widening":
        return True
    if rule.startswith("empty:"):
        return not data.get(rule[len("empty:") :])
    if rule == "inside_workspace":
        return all(_inside_workspace(data[f]) for f in fields if f in data)
    return False


def _inside_workspace(value: Any) -> bool:
    """``Config._inside_workspace``: a relative folder without '..' (strings only)."""
    if type(value) is not str or not value.strip() or "\\" in value:
        return False
    parts = value.split("/")
    return not value.startswith("/") and ".." not in parts


def _valid(schema: dict[str, Any], value: Any, defs: dict[str, Any]) -> bool:
    if not schema.keys() <= _KNOWN:  # a constraint this check does not know: leave it to pydantic
        return False
    if "$ref" in schema:
        ref = schema["$ref"]
        if not ref.startswith("#/$defs/"):
            return False
        return _valid(defs[ref[len("#/$defs/") :]], value, defs)
    if "anyOf" in schema:
        return any(_valid(option, value, defs) for option in schema["anyOf"])
    if "allOf" in schema and not all(_valid(part, value, defs) for part in schema["allOf"]):
        return False
    kind = schema.get("type")
    if kind is not None and not _TYPES.get(kind, _never)(value, schema):
        return False
    if kind == "object" and not _valid_object(schema, value, defs):
        return False
    if kind == "array" and "items" in schema and not all(_valid(schema["items"], i, defs) for i in value):
        return False
    return all(
        check(schema[key], value)
        for key, check in _KEYWORDS.items()
        if key in schema and key not in ("$ref", "anyOf", "allOf")
    )


def _valid_object(schema: dict[str, Any], value: dict[Any, Any], defs: dict[str, Any]) -> bool:
    properties: dict[str, Any] = schema.get("properties", {})
    if any(type(key) is not str for key in value):
        return False
    if any(key not in value for key in schema.get("required", [])):
        return False
    extra = schema.get("additionalProperties", True)
    for key, item in value.items():
        sub = properties.get(key)
        if sub is None:
            if extra is False or (extra is not True and not _valid(extra, item, defs)):
                return False
        elif not _valid(sub, item, defs):
            return False
    return True


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
                mode = str(getattr(decorator.info, "mode", ""))
                out[f"{cls.__name__}.{name}"] = {
                    "fields": fields,
                    "digest": code_digest(func),
                    "kind": kind,
                    "mode": mode,
                }
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
        if cls.__name__ in out:
            raise ValueError(f"two model classes named {cls.__name__}: inc.light cannot tell them apart")
        out[cls.__name__] = {
            "fields": [[info.alias or name, name] for name, info in cls.model_fields.items()],
            "extra": cls.model_config.get("extra") or "ignore",
            "defaults": _defaults(cls),
        }
    return out


def generate() -> dict[str, Any]:
    """The schema file's content, from the pydantic models (the schema of record)."""
    import importlib

    spec = {}
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
    return spec


def render_spec() -> str:
    """The schema file's text."""
    return json.dumps(generate(), indent=1, sort_keys=True, default=str) + "\n"


if __name__ == "__main__":
    SCHEMA_FILE.write_text(render_spec(), encoding="utf-8")
    print(f"wrote {SCHEMA_FILE}")
