"""Read limits for everything inc reads from a repository (a pull request may be hostile).

One place decides what may be read and how much of it: only regular files, never a device, a
FIFO or a ``/proc`` file, never through a symlink that leads out of the workspace, and at most
a size cap per kind (YAML, markdown, JSON, templates, copied assets). JSON is parsed with a
depth limit, without NaN/Infinity and without integers longer than a metric can be. Every
problem is a :class:`LimitError` (a UserError, exit 2) naming the file and the limit; the gate
turns it into a failed check.

The caps come from the ``limits:`` section of inc.yaml (``inc.config.ReadLimits``); the
workspace installs them with :func:`configure`. No pydantic here: every read path imports this.
Configured caps are bounded by hard ceilings, so
a pull request that edits inc.yaml cannot lift them without bound.
"""

from __future__ import annotations

import math
import os
import re
import stat
from collections.abc import Mapping
from functools import lru_cache

from inc.errors import UserError

TYPE_CHECKING = False  # typing's flag without importing typing: every read path imports this
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, Literal

    Kind = Literal["yaml", "markdown", "json", "template", "asset"]
MB = 1_000_000
_FORBIDDEN_ROOTS = ("/proc", "/sys", "/dev")
_MAX_INT_DIGITS = 40  # a metric, a count or a size; 40 digits is already past any real one


class LimitError(UserError):
    """A file is over a read limit, not a regular file, or leads outside the workspace."""


class Caps:
    """The limits in force (defaults; ``limits:`` in inc.yaml, validated by
    ``inc.config.ReadLimits`` with ceilings, overrides them). Sizes in MB.

    Read-only, compared by value. A plain class, not a dataclass: ``dataclasses`` imports
    ``inspect``, a fifth of what ``inc list`` may spend.
    """

    yaml_mb: float = 1
    markdown_mb: float = 5
    json_mb: float = 20
    template_mb: float = 1
    asset_mb: float = 50
    json_depth: int = 64
    yaml_nodes: int = 200_000
    render_seconds: float = 5
    render_output_mb: float = 20
    render_memory_mb: int = 128
    FIELDS = (
        "yaml_mb",
        "markdown_mb",
        "json_mb",
        "template_mb",
        "asset_mb",
        "json_depth",
        "yaml_nodes",
        "render_seconds",
        "render_output_mb",
        "render_memory_mb",
    )

    def __init__(self, **values: Any) -> None:
        unknown = set(values) - set(self.FIELDS)
        if unknown:
            raise TypeError(f"Caps got unknown fields {sorted(unknown)}")
        self.__dict__.update(values)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.FIELDS)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Caps) and self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        return "Caps(" + ", ".join(f"{name}={getattr(self, name)!r}" for name in self.FIELDS) + ")"

    def cap(self, kind: Kind) -> int:
        """The size cap of ``kind`` in bytes."""
        return int(getattr(self, f"{kind}_mb") * MB)


_STATE: dict[str, Any] = {"limits": Caps(), "root": None}


def configure(limits: Mapping[str, Any] | Any | None, root: Path | None = None) -> None:
    """Install the caps (a mapping or a model with those fields) and the workspace root reads
    must stay inside, for this process."""
    if limits is None:
        values: dict[str, Any] = {}
    elif isinstance(limits, Mapping):
        values = dict(limits)
    else:
        values = {name: getattr(limits, name) for name in Caps.FIELDS if hasattr(limits, name)}
    known = {key: value for key, value in values.items() if key in Caps.FIELDS}
    _STATE["limits"] = Caps(**known)
    _STATE["root"] = root.resolve() if root is not None else None


def active() -> Caps:
    """The caps in force."""
    limits: Caps = _STATE["limits"]
    return limits


def _size_text(size: int) -> str:
    return f"{size / MB:g} MB" if size >= MB else f"{size} bytes"


@lru_cache(maxsize=4096)
def _real_dir(folder: str) -> str:
    """``os.path.realpath`` of a folder, cached: reads of many files in one folder resolve it once.

    An absolute, normalised folder that is not itself a symlink resolves as its parent's real path
    plus its name (one ``lstat``), so the 100 folders of ``inc list`` share their parents' walk.
    """
    parent, name = os.path.split(folder)
    if not name or name in (".", "..") or not os.path.isabs(folder) or os.path.normpath(folder) != folder:
        return os.path.realpath(folder)
    try:
        if stat.S_ISLNK(os.lstat(folder).st_mode):
            return os.path.realpath(folder)
    except OSError:  # missing, or not reachable: realpath's own answer
        return os.path.realpath(folder)
    return os.path.join(_real_dir(parent), name)


def _inside(path: str, folder: str) -> bool:
    return path.startswith(folder.rstrip(os.sep) + os.sep)


def check_regular(path: Path, root: Path | None = None) -> os.stat_result:
    """Refuse ``path`` unless it is a regular file that resolves inside the workspace.

    A path nominally inside the workspace whose symlinks lead out of it is refused; so are
    devices, FIFOs, sockets, folders and anything under /proc, /sys or /dev. Cheap on the
    common path (one ``lstat``; each folder's real path is resolved once per process).
    """
    root = root if root is not None else _STATE["root"]
    nominal = os.path.abspath(path)
    try:
        info = os.lstat(nominal)
        if stat.S_ISLNK(info.st_mode):
            real = os.path.realpath(nominal)
            info = os.stat(real)
        else:
            real = os.path.join(_real_dir(os.path.dirname(nominal)), os.path.basename(nominal))
    except FileNotFoundError:
        raise
    except OSError as exc:  # ELOOP: a symlink loop; EACCES
        raise LimitError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    if any(_inside(real + os.sep, prefix) for prefix in _FORBIDDEN_ROOTS):
        raise LimitError(f"{path}: leads to {real}, a system file; inc reads only files of the workspace")
    if root is not None:
        base = _real_dir(os.path.abspath(root))
        named = _inside(nominal, os.path.abspath(root)) or _inside(nominal, base)
        if named and not _inside(real, base):
            raise LimitError(f"{path}: a symlink leading outside {base} (to {real}); copy the file in")
    if stat.S_ISDIR(info.st_mode):
        raise LimitError(f"{path}: is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise LimitError(f"{path}: not a regular file (a device, FIFO or socket); inc reads only plain files")
    return info


# how files are opened for reading: non-blocking, so a FIFO swapped in after a check cannot hang inc
READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
READ_FLAGS |= getattr(os, "O_BINARY", 0)


def read_bytes(path: Path, kind: Kind, root: Path | None = None) -> bytes:
    """The bytes of ``path`` after :func:`check_regular`, refused above the cap of ``kind``."""
    info = check_regular(path, root)
    cap = active().cap(kind)
    if info.st_size > cap:
        raise LimitError(_over(path, kind, cap, f"{_size_text(info.st_size)} is "))
    fd = os.open(path, READ_FLAGS)  # non-blocking: a FIFO swapped in since the check cannot hang us
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):  # swapped since the check
            raise LimitError(f"{path}: not a regular file (a device, FIFO or socket); read only plain files")
        data = read_fd(fd, opened.st_size, cap)
    finally:
        os.close(fd)
    if len(data) > cap:
        raise LimitError(_over(path, kind, cap, ""))
    return data


def read_fd(fd: int, size: int, cap: int) -> bytes:
    """The rest of the open regular file ``fd`` (``size`` bytes by its ``fstat``), at most ``cap + 1``
    bytes: ``os.read`` calls sized by the file (a buffered ``read(cap)`` allocates the whole cap)."""
    parts: list[bytes] = []
    total = 0
    while total <= cap:
        part = os.read(fd, (size + 1 if total <= size else cap + 1) - total)  # grown: still capped
        if not part:
            break
        parts.append(part)
        total += len(part)
    return parts[0] if len(parts) == 1 else b"".join(parts)


PREFLIGHT: dict[str, Kind] = {
    "increment.yaml": "yaml",
    "monitoring.yaml": "yaml",
    "spec.md": "markdown",
    "plan.md": "markdown",
    "tasks.md": "markdown",
}


def preflight(folder: Path, root: Path | None = None) -> list[str]:
    """Problems of an increment's own files found without reading them (``lstat``/``stat``):
    not regular, leading outside the workspace, or over their size cap. Missing files are not
    problems here. The gate reports them as a failed structure check naming file and limit."""
    problems = []
    for name, kind in PREFLIGHT.items():
        path = folder / name
        try:
            info = check_regular(path, root)
        except FileNotFoundError:
            continue
        except LimitError as exc:
            problems.append(exc.message.replace(str(folder) + os.sep, ""))
            continue
        cap = active().cap(kind)
        if info.st_size > cap:
            problems.append(_over(name, kind, cap, f"{_size_text(info.st_size)} is "))
    return problems


def _over(path: Path | str, kind: str, cap: int, size: str) -> str:
    return f"{path}: {size}over the {kind} read limit of {_size_text(cap)} (limits.{kind}_mb in inc.yaml)"


def read_text(path: Path, kind: Kind, root: Path | None = None) -> str:
    """UTF-8 text of ``path`` under the limits; non-UTF-8 bytes are a LimitError naming the offset."""
    data = read_bytes(path, kind, root)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LimitError(
            f"{path}: not UTF-8 text (byte {exc.start}: {exc.reason}); save it as UTF-8"
        ) from exc


class _JSONLimit(ValueError):
    pass


def _constant(name: str) -> Any:
    raise _JSONLimit(f"{name} is not a number JSON allows; record a finite value or leave the key out")


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _JSONLimit(f"{text[:20]} overflows to {value}; record a finite value")
    return value


def _int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > _MAX_INT_DIGITS:
        raise _JSONLimit(f"an integer of {digits} digits (at most {_MAX_INT_DIGITS})")
    return int(text)


def depth_of(data: Any, limit: int) -> int:
    """Nesting depth of parsed JSON/YAML data, counted without recursion; stops past ``limit``."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 1)]
    seen: set[int] = set()
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if id(item) in seen:
                continue
            seen.add(id(item))
            deepest = max(deepest, depth)
            if deepest > limit:
                return deepest
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


def parse_json(text: str, source: str) -> Any:
    """Parse JSON with the depth limit, no NaN/Infinity and no huge integers (LimitError)."""
    import json

    try:
        data = json.loads(text, parse_constant=_constant, parse_float=_float, parse_int=_int)
    except _JSONLimit as exc:
        raise LimitError(f"{source}: {_where_constant(text)}{exc}") from None
    except RecursionError:
        raise LimitError(_too_deep(source)) from None
    if depth_of(data, active().json_depth) > active().json_depth:
        raise LimitError(_too_deep(source))
    return data


_CONSTANT_RE = re.compile(r'(?<![\w"])(?:-?Infinity|NaN)(?![\w"])')
_KEY_RE = re.compile(r'"((?:[^"\\]|\\.)*)"\s*:')


def _where_constant(text: str) -> str:
    """``line N ("key"): `` of the first NaN/Infinity in ``text`` (its enclosing key), or ''."""
    found = _CONSTANT_RE.search(text)
    if found is None:
        return ""
    before = text[: found.start()]
    keys = _KEY_RE.findall(before)
    key = f' ("{keys[-1]}")' if keys else ""
    return f"line {before.count(chr(10)) + 1}{key}: "


def _too_deep(source: str) -> str:
    depth = active().json_depth
    return f"{source}: nested deeper than the JSON depth limit of {depth} (limits.json_depth in inc.yaml)"


def finite(value: float, what: str) -> float:
    """``value`` when it is a finite number; a UserError naming ``what`` otherwise."""
    if not math.isfinite(value):
        raise UserError(f"{what}: {value} is not a finite number; give a real value")
    return value
