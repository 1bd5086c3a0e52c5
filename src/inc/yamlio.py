"""Safe YAML loading and pydantic validation with errors that name the file, line and field."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from inc.errors import ConfigError

if TYPE_CHECKING:  # pydantic is imported only when something is validated with it
    from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound="BaseModel")


def load_yaml(path: Path) -> Any:
    """Read ``path`` with ``yaml.safe_load``; malformed YAML names the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: file not found") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    return parse_yaml(text, str(path))


def parse_yaml(text: str, source: str) -> Any:
    """Parse YAML ``text`` with the safe loader; malformed YAML names ``source`` and the line."""
    import yaml  # here, not at the top: ``inc --help`` and the fast paths do not need it

    try:
        # The C implementation of the *safe* loader when libyaml is there: same safety, ~10x faster.
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        context = getattr(exc, "context_mark", None)
        if context is not None and mark is not None and context.line != mark.line:
            where += f" (in what starts at line {context.line + 1})"
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{source}:{where}: malformed YAML: {problem}; fix the syntax") from exc


def format_validation_error(source: str, exc: ValidationError) -> str:
    """One line per problem: ``file: field 'a.b': reason (got value)``."""
    lines = []
    for err in exc.errors():
        field = ".".join(str(part) for part in err["loc"]) or "(top level)"
        reason = err["msg"]
        if err["type"] == "extra_forbidden":
            reason = "unknown key; remove it or check its spelling"
        got = err.get("input")
        shown = "" if err["type"] == "missing" or isinstance(got, dict) else f" (got {got!r})"
        lines.append(f"{source}: field '{field}': {reason}{shown}")
    return "\n".join(lines)


def validate(model: type[M], data: Any, source: str) -> M:
    """Validate ``data`` against ``model``; errors name ``source`` and each field."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping of keys, got {type(data).__name__}")
    from pydantic import ValidationError

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(source, exc)) from exc


def load_model_file(model: type[M], path: Path) -> M:
    """Load and validate a YAML file into a pydantic model."""
    return validate(model, load_yaml(path), str(path))


def dump_yaml(data: Any) -> str:
    """Block-style YAML in the given key order."""
    import yaml

    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)
