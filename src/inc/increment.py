"""One increment folder: metadata, documents, tasks and where its evidence lives."""

from __future__ import annotations

import math
from functools import cached_property

from inc import limits
from inc.errors import ConfigError, UserError
from inc.fsutil import atomic_write_text
from inc.metacache import MetaCache, digest, file_digest
from inc.yamlio import dump_yaml, load_yaml, validate

TYPE_CHECKING = False  # typing's flag without importing typing (``inc list`` imports this)
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    from inc.markdown import Section, Task
    from inc.meta import IncrementMeta

META_FILE = "increment.yaml"
EXPLAIN_PREFIX = "explain-"
EVALUATION_PREFIX = "eval-"
DRIFT_PREFIX = "drift-"
DOCUMENTS = ("spec.md", "plan.md", "tasks.md")


class MetaView:
    """The metadata ``inc list`` and ``inc show`` print, as plain validated data (no pydantic).

    Read-only, compared by value; a plain class (``dataclasses`` imports ``inspect``, ~10 ms).
    """

    FIELDS = ("id", "slug", "title", "status", "owner", "problem", "metric", "chosen_run", "model")
    id: str
    slug: str
    title: str
    status: str
    owner: str
    problem: str
    metric: dict[str, Any]  # name, goal, target
    chosen_run: str | None
    model: dict[str, Any] | None  # name, version

    def __init__(self, **values: Any) -> None:
        if set(values) != set(self.FIELDS):
            raise TypeError(f"MetaView takes exactly the fields {self.FIELDS}")
        self.__dict__.update(values)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MetaView) and vars(self) == vars(other)

    __hash__ = None  # type: ignore[assignment]  # holds dicts

    def __repr__(self) -> str:
        return "MetaView(" + ", ".join(f"{name}={getattr(self, name)!r}" for name in self.FIELDS) + ")"

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> MetaView:
        """From increment.yaml's validated data with the defaults filled in."""
        metric = {"goal": "maximize", **data["metric"]}
        target = metric.get("target")
        metric["target"] = None if target is None else float(target)  # None: not set yet
        model = data.get("model")
        return cls(
            id=data["id"],
            slug=data["slug"],
            title=data["title"],
            status=data["status"],
            owner=data["owner"],
            problem=data["problem"],
            metric=metric,
            chosen_run=data.get("chosen_run"),
            model={"name": model["name"], "version": str(model["version"])} if model else None,
        )


class Increment:
    """An increment on disk. Cheap to build; documents are read on first use.

    ``Increment.load`` reads increment.yaml without pydantic when the file is plainly valid
    (``inc.light``, ``inc.fastcheck``) and with the ``IncrementMeta`` model otherwise, so an
    invalid file is always refused with the file and field. ``view`` is the plain data; ``meta``
    has the model's attributes (a plain read-only object, or the model itself).
    """

    def __init__(
        self, path: Path, meta: IncrementMeta | None = None, *, raw: dict[str, Any] | None = None
    ) -> None:
        if meta is None and raw is None:
            raise TypeError("Increment needs its metadata (meta) or checked raw data (raw)")
        self.path = path
        self._meta = meta
        self._raw = raw

    def __repr__(self) -> str:
        return f"Increment({self.path!r})"

    @classmethod
    def load(cls, path: Path, cache: MetaCache | None = None) -> Increment:
        """Load and validate ``path/increment.yaml``; errors name the file and field.

        With a ``cache`` (``inc list``/``inc show``), data checked before is reused when the file's
        bytes hash as they did then. A folder that is a symlink is refused: inc would read and
        write wherever it leads.
        """
        if path.is_symlink():
            raise UserError(
                f"{path}: the increment folder is a symlink (to {path.resolve()}); inc reads and "
                "writes only real folders of the workspace: replace the link with the folder"
            )
        if cache is not None:
            return cls._load_cached(path, cache)
        return cls._load_checked(path)

    @classmethod
    def _load_checked(cls, path: Path) -> Increment:
        from inc import fastcheck, light  # not on the cached path of ``inc list``

        meta_path = path / META_FILE
        raw = load_yaml(meta_path)
        plain = light.load("increment", raw)  # checked once: the plain object and its data
        if plain is not None:
            return cls(path, plain, raw=fastcheck.with_defaults("increment", raw))
        from inc.meta import IncrementMeta

        meta = validate(IncrementMeta, raw, str(meta_path))
        target = meta.metric.target  # the fast check refuses non-finite targets; the model does not
        if target is not None and not math.isfinite(target):
            raise ConfigError(
                f"{meta_path}: field 'metric.target': {meta.metric.target} is not a finite "
                "number; give the target value"
            )
        return cls(path, meta)

    @classmethod
    def _load_cached(cls, path: Path, cache: MetaCache) -> Increment:
        meta_path = path / META_FILE
        before = file_digest(meta_path)
        if before is not None:
            data = cache.get(path.name, before)
            if data is not None:
                return cls(path, raw=data)
        loaded = cls._load_checked(path)
        if loaded._raw is not None and before is not None and file_digest(meta_path) == before:
            cache.put(path.name, before, loaded._raw)  # checked data, from the bytes hashed
        return loaded

    @property
    def meta(self) -> IncrementMeta:
        """The metadata with the ``IncrementMeta`` model's attributes, read on first use: a plain
        read-only object (``inc.light``) when the file passed the fast check, else the model.

        Change it with ``model_copy(update=...)`` and :meth:`save_meta`, which validate with the
        model before writing.
        """
        if self._meta is None:
            from inc import light

            self._meta = light.read("increment", self._raw, str(self.meta_path))
        return self._meta

    @meta.setter
    def meta(self, value: IncrementMeta) -> None:
        self._meta = value
        self._raw = None
        self.__dict__.pop("view", None)

    @cached_property
    def view(self) -> MetaView:
        """The metadata as plain data, without pydantic when the file passed the fast check."""
        if self._raw is not None:
            return MetaView.from_data(self._raw)
        return MetaView.from_data(self.meta.model_dump(by_alias=True))

    @property
    def id(self) -> str:
        """The 4-digit number."""
        return self.view.id

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
        """Reports folder: explain-*/, eval-*/, loadtest-*.json, drift-*.json."""
        return self.path / "reports"

    def explain_dir(self, run_id: str) -> Path:
        """The SHAP report folder of ``run_id``."""
        return self.reports_dir / f"{EXPLAIN_PREFIX}{run_id}"

    def evaluation_dir(self, run_id: str) -> Path:
        """The evaluation report folder of ``run_id``."""
        return self.reports_dir / f"{EVALUATION_PREFIX}{run_id}"

    def loadtest_path(self, run_id: str, tag: str | None = None) -> Path:
        """The load-test report of ``run_id`` in mode ``tag`` (None: the untagged name of round one)."""
        from inc.ops.files import PREFIX, report_name

        return self.reports_dir / (report_name(run_id, tag) if tag else f"{PREFIX}{run_id}.json")

    def drift_path(self, day: str) -> Path:
        """The drift report of ``day`` (ISO date)."""
        return self.reports_dir / f"{DRIFT_PREFIX}{day}.json"

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
        from inc.markdown import parse_sections  # not imported by ``inc list``: its regexes cost ~2 ms

        return parse_sections(self.read_doc(name))

    @cached_property
    def tasks(self) -> list[Task]:
        """Checklist items of tasks.md."""
        from inc.markdown import parse_tasks

        return parse_tasks(self.read_doc("tasks.md"))

    @property
    def tasks_done(self) -> int:
        """How many tasks are ticked."""
        return sum(1 for task in self.tasks if task.done)

    def task_counts(self, cache: MetaCache | None = None) -> tuple[int, int]:
        """(ticked, all) checklist items of tasks.md. With a ``cache`` (``inc list``) the counts are
        remembered by the sha256 of the file's text, so only an edited tasks.md is parsed again;
        the file is always read under the limits."""
        if cache is None or "tasks" in self.__dict__:
            return self.tasks_done, len(self.tasks)
        text = self.read_doc("tasks.md")
        key = digest(text.encode("utf-8"))
        cache.seen.add(self.path.name)
        counts = cache.task_counts(self.path.name, key)
        if counts is None:
            from inc.markdown import parse_tasks

            tasks = self.__dict__["tasks"] = parse_tasks(text)
            counts = (sum(1 for task in tasks if task.done), len(tasks))
            cache.put_task_counts(self.path.name, key, counts)
        return counts

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
        from inc.errors import ConfigError
        from inc.meta import IncrementMeta
        from inc.yamledit import edit_or_dump

        meta = IncrementMeta.model_validate((meta or self.meta).model_dump(by_alias=True))
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
    from inc.meta import IncrementMeta
    from inc.yamlio import parse_yaml

    return validate(IncrementMeta, parse_yaml(text, META_FILE), META_FILE).to_yaml_dict()
