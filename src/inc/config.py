"""Workspace configuration: ``inc.yaml`` or ``[tool.inc]`` in pyproject.toml, found walking up."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

# Finding and loading the file lives in inc.settings (no pydantic on the fast path).
from inc.rules import inside_workspace
from inc.settings import CONFIG_FILE, LoadedConfig, discover, load_config_at

__all__ = ["CONFIG_FILE", "Config", "LoadedConfig", "discover", "load_config_at"]


class Policy(BaseModel):
    """The workspace's floors (``policy:`` in inc.yaml): an increment below one fails unless waived."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

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
    label_delay_max_days: int = Field(
        default=365, ge=1, le=3650, description="longest label delay a performance alert may wait for"
    )
    evaluation_sample_cap: int = Field(
        default=100_000, ge=100, le=100_000_000, description="most scored predictions an evaluation keeps"
    )


class ReadLimits(BaseModel):
    """``limits:`` in inc.yaml: caps on what inc reads from the repository (sizes in MB).

    The ceilings keep a pull request that edits inc.yaml from lifting them without bound;
    ``inc.limits.Caps`` holds the same defaults for the read path (no pydantic there).
    """

    model_config = ConfigDict(extra="forbid", defer_build=True)

    yaml_mb: float = Field(default=1, gt=0, le=16, description="increment.yaml, monitoring.yaml, inc.yaml")
    markdown_mb: float = Field(default=5, gt=0, le=64, description="spec.md, plan.md, tasks.md")
    json_mb: float = Field(default=20, gt=0, le=256, description="runs/*.json and reports/*.json")
    template_mb: float = Field(default=1, gt=0, le=16, description="each template override")
    asset_mb: float = Field(default=50, gt=0, le=512, description="each plot copied into the HTML site")
    json_depth: int = Field(default=64, ge=4, le=512, description="nesting of a JSON evidence file")
    yaml_nodes: int = Field(
        default=200_000,
        ge=1_000,
        le=5_000_000,
        description="nodes of a YAML file once its aliases are expanded (alias bombs)",
    )
    render_seconds: float = Field(default=5, gt=0, le=300, description="time budget of one template render")
    render_output_mb: float = Field(default=20, gt=0, le=256, description="output budget of one render")
    render_memory_mb: int = Field(default=128, ge=32, le=4096, description="memory budget of one render")


class Config(BaseModel):
    """Settings of one workspace. Every key is optional."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

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
    limits: ReadLimits = Field(
        default_factory=ReadLimits,
        description="Read limits for repository files (sizes, JSON depth, YAML aliases, render budget).",
    )

    @field_validator("increments_dir", "living_docs_dir", "templates_dir")
    @classmethod
    def _inside_workspace(cls, value: str) -> str:
        return inside_workspace(value)
