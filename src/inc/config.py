"""Workspace configuration: ``inc.yaml`` or ``[tool.inc]`` in pyproject.toml, found walking up."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pydantic import BaseModel, ConfigDict, Field, field_validator

from inc.errors import ConfigError, UserError
from inc.limits import ReadLimits
from inc.yamlio import load_yaml, validate

CONFIG_FILE = "inc.yaml"


class Config(BaseModel):
    """Settings of one workspace. Every key is optional."""

    model_config = ConfigDict(extra="forbid")

    schema_: int = Field(default=1, alias="schema", ge=1, le=1)
    increments_dir: str = "increments"
    living_docs_dir: str = "living-docs"
    templates_dir: str = "templates"
    tracking_uri: str | None = None
    default_problem: str = "classification"
    default_owner: str = ""
    training_paths: list[str] = Field(
        default_factory=list,
        description="Extra paths whose changes after the chosen run make evidence stale.",
    )
    limits: ReadLimits = Field(
        default_factory=ReadLimits,
        description="Read limits for repository files (sizes, JSON depth, YAML aliases, render budget).",
    )

    @field_validator("increments_dir", "living_docs_dir", "templates_dir")
    @classmethod
    def _inside_workspace(cls, value: str) -> str:
        path = PurePosixPath(value.replace("\\", "/"))
        if not value.strip() or path.is_absolute() or ".." in path.parts:
            raise ValueError("must be a folder inside the workspace (relative, without '..')")
        if all(part in (".", "") for part in path.parts) or path.parts[0] == ".git":
            raise ValueError("must be a sub-folder of the workspace, not its root or .git")
        return value


@dataclass(frozen=True)
class LoadedConfig:
    """A config together with the file it came from and the workspace root."""

    root: Path
    path: Path
    config: Config


def _from_pyproject(path: Path) -> Config | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: malformed TOML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason}); save it as UTF-8") from exc
    section = data.get("tool", {}).get("inc")
    if section is None:
        return None
    return validate(Config, section, f"{path} [tool.inc]")


def load_config_at(folder: Path) -> LoadedConfig | None:
    """The config in ``folder`` itself, or None when it holds none."""
    yaml_path = folder / CONFIG_FILE
    if yaml_path.is_file():
        return LoadedConfig(folder, yaml_path, validate(Config, load_yaml(yaml_path), str(yaml_path)))
    pyproject = folder / "pyproject.toml"
    if pyproject.is_file():
        config = _from_pyproject(pyproject)
        if config is not None:
            return LoadedConfig(folder, pyproject, config)
    return None


def discover(start: Path) -> LoadedConfig:
    """Walk up from ``start`` to the first folder holding a config."""
    start = start.resolve()
    for folder in (start, *start.parents):
        found = load_config_at(folder)
        if found is not None:
            return found
    raise UserError(
        f"{start}: not inside an inc workspace (no {CONFIG_FILE} or [tool.inc] in "
        "pyproject.toml here or above); run 'inc init' at the repository root"
    )
