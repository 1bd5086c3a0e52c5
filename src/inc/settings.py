"""Finding and loading the workspace config (``inc.yaml`` or ``[tool.inc]``) without pydantic.

``inc.config.Config`` is the schema of record. A valid file is checked by ``inc.fastcheck``
against that model's JSON Schema and read as plain data, so ``inc list`` and ``inc show`` never
import pydantic; anything the fast check is not sure of is validated by the model, which raises
the error naming the file and field. ``LoadedConfig.config`` builds the model on first use.
"""

from __future__ import annotations

from functools import cached_property

from inc.errors import ConfigError, UserError

TYPE_CHECKING = False  # typing's flag without importing typing (``inc list`` imports this)
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    from inc.config import Config
    from inc.metacache import MetaCache

CONFIG_FILE = "inc.yaml"


class LoadedConfig:
    """A config together with the file it came from and the workspace root.

    ``data`` holds every setting (defaults filled in) as validated plain data; ``config`` is the
    pydantic model, built on first use. Read-only; a plain class, not a dataclass (``dataclasses``
    imports ``inspect``, ~10 ms of ``inc list``).
    """

    root: Path
    path: Path
    data: dict[str, Any]
    source: str
    raw: dict[str, Any]
    cache: MetaCache | None

    def __init__(
        self,
        root: Path,
        path: Path,
        data: dict[str, Any],
        source: str = "",
        raw: dict[str, Any] | None = None,
        cache: MetaCache | None = None,
    ) -> None:
        raw = {} if raw is None else raw
        self.__dict__.update(root=root, path=path, data=data, source=source, raw=raw, cache=cache)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")  # frozen, as the dataclass was

    def __eq__(self, other: object) -> bool:  # the cache is not compared
        fields = ("root", "path", "data", "source", "raw")
        return isinstance(other, LoadedConfig) and all(getattr(self, f) == getattr(other, f) for f in fields)

    __hash__ = None  # type: ignore[assignment]  # holds dicts

    def __repr__(self) -> str:
        fields = f"root={self.root!r}, path={self.path!r}, data={self.data!r}, source={self.source!r}"
        return f"LoadedConfig({fields})"

    @cached_property
    def config(self) -> Config:
        """The settings as the ``Config`` model (validated once, on first use)."""
        from inc.config import Config
        from inc.yamlio import validate

        return validate(Config, self.raw, self.source or str(self.path))

    def text(self, key: str) -> str:
        """A text setting (``increments_dir``, ``default_owner``...)."""
        return str(self.data[key])


def load_settings(root: Path, path: Path, raw: Any, source: str) -> LoadedConfig:
    """Validate ``raw`` as a config: fast check, else the pydantic model (errors name the field)."""
    from inc import fastcheck

    if raw is None:
        raw = {}
    if fastcheck.accepts("config", raw):
        return LoadedConfig(root, path, fastcheck.with_defaults("config", raw), source, raw)
    from inc.config import Config
    from inc.yamlio import validate

    model = validate(Config, raw, source)  # raises ConfigError naming the file and field
    loaded = LoadedConfig(root, path, model.model_dump(by_alias=True), source, raw)
    loaded.__dict__["config"] = model  # already built: keep it
    return loaded


def _from_pyproject(folder: Path, path: Path) -> LoadedConfig | None:
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: malformed TOML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason}); save it as UTF-8") from exc
    section = data.get("tool", {}).get("inc")
    if section is None:
        return None
    return load_settings(folder, path, section, f"{path} [tool.inc]")


def load_config_at(folder: Path, cache: MetaCache | None = None) -> LoadedConfig | None:
    """The config in ``folder`` itself, or None when it holds none.

    With a ``cache`` (the folder's own, ``inc.metacache``), checked data is reused when inc.yaml
    hashes as it did.
    """
    yaml_path = folder / CONFIG_FILE
    if yaml_path.is_file():
        if cache is None:
            from inc.yamlio import load_yaml

            return load_settings(folder, yaml_path, load_yaml(yaml_path), str(yaml_path))
        return _cached_yaml_config(folder, yaml_path, cache)
    pyproject = folder / "pyproject.toml"
    if pyproject.is_file():
        return _from_pyproject(folder, pyproject)
    return None


def _cached_yaml_config(folder: Path, yaml_path: Path, cache: MetaCache) -> LoadedConfig:
    """inc.yaml through the cache: the remembered raw data and settings (defaults filled in, so
    neither YAML nor the fast check's schema is loaded) when the file hashes as it did."""
    from inc.metacache import file_digest

    before = file_digest(yaml_path)
    key = f"::{CONFIG_FILE}"
    if before is not None:
        entry = cache.get(key, before)
        raw, data = (entry.get("raw"), entry.get("data")) if entry is not None else (None, None)
        if isinstance(raw, dict) and isinstance(data, dict):
            return LoadedConfig(folder, yaml_path, data, str(yaml_path), raw, cache)
    from inc import fastcheck
    from inc.yamlio import load_yaml

    raw = load_yaml(yaml_path)
    loaded = load_settings(folder, yaml_path, raw, str(yaml_path))
    if (
        before is not None
        and isinstance(raw, dict)
        and fastcheck.accepts("config", raw)
        and file_digest(yaml_path) == before
    ):
        cache.put(key, before, {"raw": raw, "data": loaded.data})
    return LoadedConfig(loaded.root, loaded.path, loaded.data, loaded.source, loaded.raw, cache)


def discover(start: Path, cached: bool = False) -> LoadedConfig:
    """Walk up from ``start`` to the first folder holding a config.

    ``cached``: read inc.yaml through the workspace's cache (``inc.metacache``), which the
    returned config then carries for the increments (``inc list``, ``inc show``).
    """
    start = start.resolve()
    for folder in (start, *start.parents):
        cache = None
        if cached and (folder / CONFIG_FILE).is_file():
            from inc.metacache import MetaCache

            cache = MetaCache(folder)
        found = load_config_at(folder, cache)
        if found is not None:
            return found
    raise UserError(
        f"{start}: not inside an inc workspace (no {CONFIG_FILE} or [tool.inc] in "
        "pyproject.toml here or above); run 'inc init' at the repository root"
    )
