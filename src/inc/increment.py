"""One increment folder: metadata, documents, tasks and where its evidence lives."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from inc import limits
from inc.errors import UserError
from inc.fsutil import atomic_write_text
from inc.markdown import Section, Task, parse_sections, parse_tasks
from inc.meta import IncrementMeta
from inc.yamlio import dump_yaml, load_model_file

META_FILE = "increment.yaml"
DOCUMENTS = ("spec.md", "plan.md", "tasks.md")


@dataclass
class Increment:
    """An increment on disk. Cheap to build; documents are read on first use."""

    path: Path
    meta: IncrementMeta

    @classmethod
    def load(cls, path: Path) -> Increment:
        """Load and validate ``path/increment.yaml``; errors name the file and field.

        A folder that is a symlink is refused: inc would read and write wherever it leads.
        """
        if path.is_symlink():
            raise UserError(
                f"{path}: the increment folder is a symlink (to {path.resolve()}); inc reads and "
                "writes only real folders of the workspace: replace the link with the folder"
            )
        return cls(path, load_model_file(IncrementMeta, path / META_FILE))

    @property
    def id(self) -> str:
        """The 4-digit number."""
        return self.meta.id

    @property
    def name(self) -> str:
        """The folder name ``NNNN-slug``."""
        return self.path.name

    @property
    def meta_path(self) -> Path:
        """Path of increment.yaml."""
        return self.path / META_FILE

    @property
    def runs_dir(self) -> Path:
        """Ledger folder: one ``<run_id>.json`` per linked run."""
        return self.path / "runs"

    @property
    def reports_dir(self) -> Path:
        """Reports folder: explain-*, loadtest-*.json, drift-*.json."""
        return self.path / "reports"

    @property
    def monitoring_path(self) -> Path:
        """Path of monitoring.yaml."""
        return self.path / "monitoring.yaml"

    def doc_path(self, name: str) -> Path:
        """Path of one of spec.md, plan.md, tasks.md."""
        return self.path / name

    def read_doc(self, name: str) -> str:
        """The text of a document, or an empty string when it is missing.

        Read under the limits (inc.limits): a regular UTF-8 file inside the workspace, at most
        ``limits.markdown_mb``; anything else is a LimitError (exit 2) naming the file.
        """
        try:
            return limits.read_text(self.doc_path(name), "markdown")
        except FileNotFoundError:
            return ""

    def sections(self, name: str) -> list[Section]:
        """Sections of a document with line numbers."""
        return parse_sections(self.read_doc(name))

    @cached_property
    def tasks(self) -> list[Task]:
        """Checklist items of tasks.md."""
        return parse_tasks(self.read_doc("tasks.md"))

    @property
    def tasks_done(self) -> int:
        """How many tasks are ticked."""
        return sum(1 for task in self.tasks if task.done)

    def run_paths(self) -> list[Path]:
        """Ledger record files, sorted by name."""
        if not self.runs_dir.is_dir():
            return []
        return sorted(self.runs_dir.glob("*.json"))

    def save_meta(self, meta: IncrementMeta | None = None) -> None:
        """Validate and atomically write increment.yaml."""
        meta = IncrementMeta.model_validate(
            (meta or self.meta).model_dump(by_alias=True)
        )
        atomic_write_text(self.meta_path, dump_yaml(meta.to_yaml_dict()))
        self.meta = meta
