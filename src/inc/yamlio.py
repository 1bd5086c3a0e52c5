"""Safe YAML loading and pydantic validation with errors that name the file, line and field."""

from __future__ import annotations

import reprlib

from inc import limits
from inc.errors import ConfigError

TYPE_CHECKING = False  # typing's flag without importing typing (the read path imports this)
if TYPE_CHECKING:  # pydantic and yaml are imported only when used
    from pathlib import Path
    from typing import Any, TypeVar

    import yaml
    from pydantic import BaseModel, ValidationError

    M = TypeVar("M", bound="BaseModel")


def load_yaml(path: Path) -> Any:
    """Read ``path`` with the safe loader under the read limits; errors name the file and line.

    Only a regular file inside the workspace, at most ``limits.yaml_mb``, is read (inc.limits).
    """
    try:
        text = limits.read_text(path, "yaml")
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: file not found") from exc
    except limits.LimitError as exc:
        raise ConfigError(exc.message) from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    return parse_yaml(text, str(path))


def parse_yaml(text: str, source: str) -> Any:
    """Parse YAML ``text`` with the safe loader; malformed YAML names ``source`` and the line.

    Aliases are allowed (teams share thresholds with anchors) but the document is measured with
    its aliases expanded before anything is built from it: an alias bomb ("billion laughs") is a
    ConfigError naming the limit, found in time linear in the file, never a multi-gigabyte walk.
    """
    from inc import yamlplain

    try:  # the plain YAML inc writes, read without importing PyYAML (the same result, or Unsure)
        return yamlplain.read(text, limits.active().yaml_nodes)
    except yamlplain.Unsure:
        pass
    import yaml  # here, not at the top: ``inc --help`` and the fast paths do not need it

    # The C implementation of the *safe* loader when libyaml is there: same safety, ~10x faster.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expansion(node, source)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}:{_where(exc)}: malformed YAML: {_problem(exc)}; fix the syntax") from exc
    except RecursionError:
        raise ConfigError(f"{source}: nested too deeply to read; flatten it") from None
    finally:
        loader.dispose()


def _where(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    context = getattr(exc, "context_mark", None)
    if context is not None and mark is not None and context.line != mark.line:
        where += f" (in what starts at line {context.line + 1})"
    return where


def _problem(exc: yaml.YAMLError) -> str:
    problem = str(getattr(exc, "problem", None) or exc)
    return problem if len(problem) <= 200 else problem[:197] + "..."


def _check_expansion(root: yaml.Node, source: str) -> None:
    """Refuse a document whose node count, aliases expanded, is over ``limits.yaml_nodes``.

    Composed aliases are the same node object, so the expanded size of every node is computed
    once (post-order, without recursion): linear in the distinct nodes whatever the expansion.
    """

    cap = limits.active().yaml_nodes
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if not expanded:
            _check_unique_keys(node, source)
        if not expanded and children:
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
            continue
        total = 1 + sum(sizes.get(id(child), 1) for child in children)
        sizes[id(node)] = total
        if total > cap:
            raise ConfigError(
                f"{source}: over {cap:,} YAML nodes once its aliases (*name) are expanded "
                "(limits.yaml_nodes in inc.yaml); write the values out or shorten the file"
            )


def _check_unique_keys(node: yaml.Node, source: str) -> None:
    """Refuse a mapping that gives a key twice: the loader keeps the last value, while a reviewer
    reads the first (a second ``chosen_run:`` or ``waivers:`` lower down would go unseen)."""
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return
    seen: dict[str, int] = {}
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.tag == "tag:yaml.org,2002:merge":
            continue
        line = key.start_mark.line + 1
        if key.value in seen:
            raise ConfigError(
                f"{source}: line {line}: key {shown(key.value)} is given twice (first at line "
                f"{seen[key.value]}); keep one"
            )
        seen[key.value] = line


def _children(node: yaml.Node) -> list[yaml.Node]:
    import yaml

    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


class _Shown(reprlib.Repr):
    def repr_str(self, x: str, level: int) -> str:
        if len(x) > 4096:  # only both ends are shown: redact just those
            x = x[:2048] + x[-2048:]
        return super().repr_str(redact_uris(x), level)


_SHOW = _Shown()
_SHOW.maxstring = 60
_SHOW.maxother = 60
_SHOW.maxlist = _SHOW.maxdict = _SHOW.maxtuple = _SHOW.maxset = 4
_SHOW.maxlevel = 2
_MAX_PROBLEMS = 20


def shown(value: Any) -> str:
    """A short, bounded ``repr`` of an untrusted value, for error messages (never the whole input)."""
    return _SHOW.repr(value)


def format_validation_error(source: str, exc: ValidationError) -> str:
    """One line per problem: ``file: field 'a.b': reason (got value)``; at most 20 problems.

    Values and field names come from the file, so both are shown bounded (``shown``).
    """
    lines = []
    errors = exc.errors()
    for err in errors[:_MAX_PROBLEMS]:
        field = ".".join(str(part) for part in err["loc"]) or "(top level)"
        field = field if len(field) <= 80 else field[:77] + "..."
        reason = err["msg"]
        if err["type"] == "extra_forbidden":
            reason = "unknown key; remove it or check its spelling"
        got = err.get("input")
        shown_got = "" if err["type"] == "missing" or isinstance(got, dict) else f" (got {shown(got)})"
        lines.append(f"{source}: field '{field}': {reason}{shown_got}")
    if len(errors) > _MAX_PROBLEMS:
        lines.append(f"{source}: ... and {len(errors) - _MAX_PROBLEMS} more problems")
    return "\n".join(lines)


def redact_uris(text: str) -> str:
    """``text`` with the password of every URI-shaped value removed (inc.tracking.uri)."""
    from inc.tracking.uri import redact_uri

    return redact_uri(text)


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
