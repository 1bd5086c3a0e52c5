"""One increment folder: metadata, documents, tasks and where its evidence lives."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from inc.errors import ConfigError
from inc.fsutil import atomic_write_text
from inc.markdown import Section, Task, parse_sections, parse_tasks
from inc.meta import IncrementMeta
from inc.yamlio import dump_yaml, load_model_file, parse_yaml, validate

META_FILE = "increment.yaml"
DOCUMENTS = ("spec.md", "plan.md", "tasks.md")


@dataclass
class Increment:
    """An increment on disk. Cheap to build; documents are read on first use."""

    path: Path
    meta: IncrementMeta

    @classmethod
    def load(cls, path: Path) -> Increment:
        """Load and validate ``path/increment.yaml``; errors name the file and field."""
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
        """The text of a document, or an empty string when it is missing."""
        try:
            return self.doc_path(name).read_text(encoding="utf-8")
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
        """Validate and atomically write increment.yaml, keeping its comments and key order.

        Only the keys whose value changed are rewritten (``inc.yamledit``); a file that cannot be
        edited that way safely is written whole.
        """
        from inc.yamledit import edit_or_dump

        meta = IncrementMeta.model_validate(
            (meta or self.meta).model_dump(by_alias=True)
        )
        text: str | None = None
        try:
            text = self.meta_path.read_text(encoding="utf-8")
            current = _normalised(text)
        except (OSError, UnicodeDecodeError, ValueError, ConfigError):
            text, current = None, {}
        new = edit_or_dump(text, current, meta.to_yaml_dict(), _normalised, dump_yaml)
        atomic_write_text(self.meta_path, new)
        self.meta = meta


def _normalised(text: str) -> dict[str, object]:
    """increment.yaml text as the validated, documented-order mapping ``to_yaml_dict`` gives."""
    return validate(IncrementMeta, parse_yaml(text, META_FILE), META_FILE).to_yaml_dict()
