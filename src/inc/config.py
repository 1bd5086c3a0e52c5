"""Workspace configuration: ``inc.yaml`` or ``[tool.inc]`` in pyproject.toml, found walking up."""

from __future__ import annotations

from pathlib import PurePosixPath

from pydantic import BaseModel, ConfigDict, Field, field_validator

# Finding and loading the file lives in inc.settings (no pydantic on the fast path).
from inc.settings import CONFIG_FILE, LoadedConfig, discover, load_config_at

__all__ = ["CONFIG_FILE", "Config", "LoadedConfig", "discover", "load_config_at"]


class Policy(BaseModel):
    """The workspace's floors (``policy:`` in inc.yaml): an increment below one fails unless waived."""

    model_config = ConfigDict(extra="forbid")

    baseline_margin: float = Field(
        default=0.0, ge=0, le=10, description="lowest baseline_margin an increment may declare"
    )
    cv_min_folds: int = Field(default=3, ge=3, le=100, description="fewest CV folds an increment may ask for")
    min_candidates: int = Field(
        default=1, ge=1, le=100, description="fewest candidate runs an increment needs"
    )
    loadtest_min_requests: int = Field(
        default=200, ge=1, le=10_000_000, description="fewest timed requests a load test needs to count"
    )
    waiver_max_days: int = Field(default=90, ge=1, le=3650, description="longest a waiver may last, in days")
    leakage_share: float = Field(
        default=0.01, ge=0, le=1, description="largest share of test rows that may also be in train"
    )
    evaluation_sample_cap: int = Field(
        default=100_000, ge=100, le=100_000_000, description="most scored predictions an evaluation keeps"
    )


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
    policy: Policy = Field(default_factory=Policy, description="floors every increment must meet")

    @field_validator("increments_dir", "living_docs_dir", "templates_dir")
    @classmethod
    def _inside_workspace(cls, value: str) -> str:
        path = PurePosixPath(value.replace("\\", "/"))
        if not value.strip() or path.is_absolute() or ".." in path.parts:
            raise ValueError("must be a folder inside the workspace (relative, without '..')")
        return value
