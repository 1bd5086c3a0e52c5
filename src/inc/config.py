"""Workspace configuration: ``inc.yaml`` or ``[tool.inc]`` in pyproject.toml, found walking up."""

from __future__ import annotations

from pathlib import PurePosixPath

from pydantic import BaseModel, ConfigDict, Field, field_validator

# Finding and loading the file lives in inc.settings (no pydantic on the fast path).
from inc.settings import CONFIG_FILE, LoadedConfig, discover, load_config_at

__all__ = ["CONFIG_FILE", "Config", "LoadedConfig", "discover", "load_config_at"]


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

    @field_validator("increments_dir", "living_docs_dir", "templates_dir")
    @classmethod
    def _inside_workspace(cls, value: str) -> str:
        path = PurePosixPath(value.replace("\\", "/"))
        if not value.strip() or path.is_absolute() or ".." in path.parts:
            raise ValueError("must be a folder inside the workspace (relative, without '..')")
        return value
