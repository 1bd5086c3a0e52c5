"""The gate's reading of evidence and settings without pydantic: plain read-only objects.

The pydantic models stay the schema of record (``inc.evidence``, ``inc.meta``, ``inc.config``,
``inc.ops.monitoring_schema``, ``inc.evaluation.schema``). Importing pydantic and building a model's
validator costs more than the gate spends judging an increment, so the gate reads its files
here: :func:`load` checks the data against the model's JSON Schema (generated into
``_fastschema.json`` by ``python -m inc.fastcheck``) and returns a :class:`Light` object with
the model's attributes and the values pydantic would give them (nested models become Light
objects, an integer becomes a float where the model says float, missing fields take the
model's defaults), after running the model's validators as the plain functions of
``inc.rules`` that the models call too. The models' methods come from the same mixins.

One-sided, like ``inc.fastcheck``: :func:`load` returns None whenever it is not sure the model
accepts the data and reads it the same way (a keyword or format it does not know, a type
pydantic would coerce, a validator without a plain twin here or whose code changed since its
digest was recorded). The caller then validates with pydantic, which accepts the data or raises
the error naming the file and field. A stale schema file makes the gate slower, never laxer.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from functools import cache
from typing import Any

from inc import fastcheck, rules


class Reject(Exception):
    """The data is not surely read as pydantic reads it."""


class Light:
    """A validated, read-only value of a pydantic model: its fields as attributes, in order.

    ``model_extra``, ``model_dump`` and ``model_copy`` behave as the model's do for reading;
    unknown keys of an open model are reached as attributes, as on the model.
    """

    model_extra: dict[str, Any] | None

    def __init__(self, values: dict[str, Any], extra: dict[str, Any] | None = None) -> None:
        self.__dict__.update(values)
        self.__dict__["model_extra"] = extra

    def __getattr__(self, name: str) -> Any:
        extra = self.__dict__.get("model_extra")
        if extra is not None and name in extra:
            return extra[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only (the gate only reads evidence)")

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.__dict__ == self.__dict__

    __hash__ = None  # type: ignore[assignment]  # mutable-looking like the models: not hashable

    def __repr__(self) -> str:
        fields = ", ".join(f"{key}={value!r}" for key, value in self._fields().items())
        return f"{type(self).__name__}({fields})"

    def _fields(self) -> dict[str, Any]:
        return {key: value for key, value in self.__dict__.items() if key != "model_extra"}

    def model_dump(
        self, *, mode: str = "python", include: set[str] | None = None, by_alias: bool = False
    ) -> dict[str, Any]:
        """The fields (then the unknown keys) as plain data, like ``BaseModel.model_dump``."""
        aliases = _aliases(type(self).__name__) if by_alias else {}
        items = {aliases.get(key, key): value for key, value in self._fields().items()}
        items.update(self.__dict__["model_extra"] or {})
        if include is not None:
            items = {key: value for key, value in items.items() if key in include}
        return {key: _dump(value, mode, by_alias) for key, value in items.items()}

    def model_copy(self, update: dict[str, Any] | None = None) -> Any:
        """A copy with ``update`` applied (not validated, as with the model)."""
        values = {**self._fields(), **(update or {})}
        return type(self)(values, self.__dict__["model_extra"])


def _dump(value: Any, mode: str, by_alias: bool) -> Any:
    if isinstance(value, Light):
        return value.model_dump(mode=mode, by_alias=by_alias)
    if isinstance(value, list):
        return [_dump(item, mode, by_alias) for item in value]
    if isinstance(value, dict):
        return {key: _dump(item, mode, by_alias) for key, item in value.items()}
    if mode == "json" and hasattr(value, "isoformat"):
        return value.isoformat()
    return value


@cache
def _light_class(name: str, mixins: tuple[str, ...] = ()) -> type[Light]:
    """The plain class of model class ``name``, with the ``inc.rules`` mixins the model has."""
    return type(name, (Light, *(getattr(rules, mixin) for mixin in mixins)), {})


@cache
def _aliases(name: str) -> dict[str, str]:
    for entry in fastcheck._spec().values():
        if name in entry.get("classes", {}):
            return {attr: key for key, attr in entry["classes"][name]["fields"] if key != attr}
    return {}


# --- the models' validators, as plain functions over the field values (by "Model.function") ---

Hook = Callable[[dict[str, Any], list[str]], None]


def _known_check(values: dict[str, Any], fields: list[str]) -> None:
    rules.known_check(values["check"])


def _inside_workspace(values: dict[str, Any], fields: list[str]) -> None:
    for field in fields:
        rules.inside_workspace(values[field])


def _thresholds(values: dict[str, Any], fields: list[str]) -> None:
    values["warn"], values["alert"] = rules.drift_thresholds(
        values["method"], values["warn"], values["alert"]
    )


def _cron(values: dict[str, Any], fields: list[str]) -> None:
    values["schedule"] = rules.cron_schedule(values["schedule"])


# "Model.function" -> (digest of the validator's code when its twin was written, the twin).
# None: a before-validator that only widens another type into the schema's type, which the
# strict type check here already refuses. A validator missing here, or whose digest changed,
# sends its model through pydantic (tests/core/test_light.py names it).
HOOKS: dict[str, tuple[str, Hook | None]] = {
    "IncrementMeta._id_as_text": ("50802979f3f9", None),
    "ModelRef._version_as_text": ("c7ea858b76d1", None),
    "Waiver._known_check": ("565aaed283d2", _known_check),
    "IncrementMeta._one_waiver_per_check": (
        "a9edb08fdd15",
        lambda values, fields: rules.one_waiver_per_check(w.check for w in values["waivers"]),
    ),
    "Config._inside_workspace": ("876b2500fc06", _inside_workspace),
    "FeatureWatch._thresholds": ("2ad53ec89b5b", _thresholds),
    "PredictionDrift._thresholds": ("2ad53ec89b5b", _thresholds),
    "FeatureWatch._method_fits_kind": (
        "1d918bef0cb6",
        lambda values, fields: rules.method_fits_kind(values["kind"], values["method"]),
    ),
    "Performance._one_threshold": (
        "fc555aa99ba0",
        lambda values, fields: rules.exactly_one(
            values["alert_below"], values["alert_above"], rules.ONE_THRESHOLD
        ),
    ),
    "ReferenceData._one_location": (
        "426c35e8425f",
        lambda values, fields: rules.exactly_one(values["path"], values["uri"], rules.ONE_LOCATION),
    ),
    "MonitoringConfig._unique_features": (
        "3d027162a1f5",
        lambda values, fields: rules.unique_names((f.name for f in values["features"]), "feature"),
    ),
    "MonitoringConfig._cron": ("2bfdf2414d96", _cron),
}


Reader = Callable[[Any], Any]


def _reject(value: Any) -> Any:
    raise Reject


def _as_is(value: Any) -> Any:
    return value


def _string(value: Any) -> Any:
    if type(value) is not str:
        raise Reject
    return value


def _number(value: Any) -> float:
    if not fastcheck._is_number(value, {}):
        raise Reject
    return float(value)


class _Model:
    """One schema entry compiled into readers: a function per schema node, built once."""

    def __init__(self, entry: dict[str, Any]) -> None:
        schema = entry["schema"]
        self.root = schema["title"]
        self.defs: dict[str, Any] = {**schema.get("$defs", {}), self.root: schema}
        self.classes: dict[str, Any] = entry["classes"]
        self.hooks: dict[str, list[tuple[Hook, list[str]]]] = {}
        ordered = sorted(entry["validators"].items(), key=lambda item: item[1]["kind"] != "field_validators")
        for name, info in ordered:
            hook = HOOKS[name][1]
            if hook is not None:
                self.hooks.setdefault(name.partition(".")[0], []).append((hook, info["fields"]))
        self.readers: dict[str, Reader] = {}

    def reader(self, schema: dict[str, Any]) -> Reader:
        """The function reading a value of ``schema`` as pydantic would; it raises Reject when
        not surely so."""
        if "$ref" in schema:
            name = schema["$ref"].removeprefix("#/$defs/")
            return lambda value: self.instance(name, value)
        if "anyOf" in schema:
            options = [self.reader(option) for option in schema["anyOf"]]
            return lambda value: _first(options, value)
        if "allOf" in schema or not schema.keys() <= fastcheck._KNOWN:
            return _reject
        kind = schema.get("type")
        if kind is None:
            return _as_is if not schema.keys() - fastcheck._IGNORED_KEYWORDS else _reject
        checks = [
            (check, schema[key])
            for key, check in fastcheck._KEYWORDS.items()
            if key in schema and check is not None and key != "format"
        ]
        if not checks and (kind, schema.get("format")) == ("string", None):
            return _string
        if not checks and kind == "number":
            return _number
        post = self.post(kind, schema)
        test = fastcheck._TYPES[kind]

        def read(value: Any) -> Any:
            if not test(value, schema) or not all(check(arg, value) for check, arg in checks):
                raise Reject
            return post(value)

        return read

    def post(self, kind: str, schema: dict[str, Any]) -> Reader:
        """What becomes of a value of the right type: a float, a list or dict read item by item."""
        if kind == "number":
            return float
        if kind == "array":
            items = schema.get("items")
            if items is None:
                return list
            item = self.reader(items)
            return lambda value: [item(i) for i in value]
        if kind == "object":
            if "properties" in schema:
                return _reject
            extra = schema.get("additionalProperties", True)
            if extra is False:
                return _reject
            item = _as_is if extra is True or extra == {} else self.reader(extra)
            return lambda value: _mapping(item, value)
        return _as_is

    def instance(self, name: str, value: Any) -> Light:
        """An object of the model class ``name`` from its data."""
        read = self.readers.get(name)
        if read is None:
            read = self.readers[name] = self.compile_class(name)
        return read(value)  # type: ignore[no-any-return]

    def compile_class(self, name: str) -> Reader:
        """The reader of one model class: fields by key, defaults, unknown keys, validators."""
        info, props = self.classes[name], self.defs[name].get("properties", {})
        fields: list[tuple[str, str]] = [(key, attr) for key, attr in info["fields"]]
        readers = {key: (attr, self.reader(props[key])) for key, attr in fields}
        defaults = {key: self.default(props[key], value) for key, value in info["defaults"].items()}
        mode, hooks, cls = info["extra"], self.hooks.get(name, []), self.light_class(name)

        def read(value: Any) -> Light:
            if type(value) is not dict:
                raise Reject
            values: dict[str, Any] = {}
            extra: dict[str, Any] | None = {} if mode == "allow" else None
            for key, item in value.items():
                field = readers.get(key)
                if field is not None:
                    values[field[0]] = field[1](item)
                elif type(key) is not str or mode == "forbid":
                    raise Reject
                elif extra is not None:
                    extra[key] = item
            ordered = {}
            for key, attr in fields:
                if attr in values:
                    ordered[attr] = values[attr]
                elif key in defaults:
                    ordered[attr] = _fresh(defaults[key])
                else:
                    raise Reject  # a required field is missing
            for hook, names in hooks:
                hook(ordered, names)
            return cls(ordered, extra)

        return read

    def default(self, schema: dict[str, Any], value: Any) -> Any:
        """A default as the model holds it: as written, a model's default as that model."""
        if isinstance(value, list):
            return [self.default(schema.get("items", {}), item) for item in value]
        if not isinstance(value, dict):
            return value
        ref = schema.get("$ref") or next((o["$ref"] for o in schema.get("anyOf", ()) if "$ref" in o), None)
        if ref is None:
            return dict(value)
        name = ref.removeprefix("#/$defs/")
        props = self.defs[name].get("properties", {})
        fields = {
            attr: self.default(props.get(key, {}), value[key]) for key, attr in self.classes[name]["fields"]
        }
        return self.light_class(name)(fields, {} if self.classes[name]["extra"] == "allow" else None)

    def light_class(self, name: str) -> type[Light]:
        """The plain class of the model class ``name``."""
        return _light_class(name, tuple(self.classes[name]["mixins"]))


def _first(options: list[Reader], value: Any) -> Any:
    for option in options:
        try:
            return option(value)
        except Reject:
            continue
    raise Reject


def _mapping(item: Reader, value: dict[Any, Any]) -> dict[str, Any]:
    if any(type(key) is not str for key in value):
        raise Reject
    return {key: item(entry) for key, entry in value.items()}


def _fresh(value: Any) -> Any:
    """A default's own copy (lists and dicts; Light objects are read-only and shared)."""
    if isinstance(value, list):
        return [_fresh(item) for item in value]
    if isinstance(value, dict):
        return {key: _fresh(item) for key, item in value.items()}
    return value


@cache
def _model(name: str) -> _Model | None:
    """The compiled entry ``name``, or None when some validator has no current twin here."""
    entry = fastcheck._spec().get(name)
    if entry is None or entry.get("opaque") != [] or "classes" not in entry:
        return None
    for validator, info in entry["validators"].items():
        digest, _ = HOOKS.get(validator, ("-", None))
        if digest != info["digest"]:
            return None
    return _Model(entry)


def load(name: str, data: Any) -> Any | None:
    """``data`` read as the model of entry ``name`` ("run_record", "increment"...), or None when
    only pydantic can say (then validate with the model: it accepts or names the field)."""
    model = _model(name)
    if model is None or type(data) is not dict:
        return None
    try:
        return model.instance(model.root, data)
    except (Reject, ValueError, TypeError, KeyError, AssertionError, re.error, RecursionError):
        return None


def model_class(kind: str) -> Any:
    """The pydantic model of entry ``kind`` (imports pydantic)."""
    module, _, name = fastcheck.MODELS[kind].partition(":")
    return getattr(importlib.import_module(module), name)


def read(kind: str, data: Any, source: str) -> Any:
    """YAML ``data`` from ``source`` as the model of ``kind``: a plain object when sure, else the
    pydantic model's reading, which raises the ConfigError naming the source and field."""
    found = load(kind, {} if data is None else data)
    if found is not None:
        return found
    from inc.yamlio import validate

    return validate(model_class(kind), data, source)
