"""``inc init`` and ``inc new``: set up a workspace and create increments from templates."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import unicodedata
from pathlib import Path

from inc import fastcheck
from inc.comparison import margin_examples, reachability_note
from inc.errors import UserError
from inc.fsutil import atomic_write_text
from inc.increment import Increment
from inc.limits import finite
from inc.metric_defaults import DEFAULT_METRICS
from inc.metrics import lookup
from inc.settings import CONFIG_FILE, load_config_at
from inc.templating import render, render_packaged_or_override
from inc.workspace import Workspace
from inc.yamlio import parse_yaml, validate

TYPE_CHECKING = False  # typing's flag without importing typing (``inc new`` imports this)
if TYPE_CHECKING:
    from typing import Any

MAX_SLUG = 60
# The embedded store, and what a killed inc leaves behind (temp files of atomic writes, number
# claims, staging folders of ``inc new``): never committed by a ``git add -A``.
GITIGNORE_ENTRIES = ("mlflow.db", "mlartifacts/", ".*.tmp", ".*.claim/", ".*.staging/")
WORKFLOW_PATH = Path(".github/workflows/inc-gate.yml")
PROBLEMS = tuple(DEFAULT_METRICS)
NEW_FILES = ("increment.yaml", "spec.md", "plan.md", "tasks.md", "monitoring.yaml")  # from <name>.j2

DEFAULT_CONFIG = """\
# inc workspace settings (https://github.com/inc-ml/inc). Every key is optional.
schema: 1
increments_dir: increments
living_docs_dir: living-docs
templates_dir: templates      # your overrides of spec.md.j2, plan.md.j2, tasks.md.j2, ...
# tracking_uri: http://mlflow.internal:5000   # MLFLOW_TRACKING_URI wins over this
# limits:                     # what inc reads from the repository (defaults shown)
#   yaml_mb: 1
#   markdown_mb: 5
#   json_mb: 20
#   render_seconds: 5         # budget of one render of your template overrides
"""


class InitResult:
    """What ``inc init`` created and what it left alone."""

    def __init__(self, root: Path, created: list[str] | None = None, kept: list[str] | None = None) -> None:
        self.root = root
        self.created: list[str] = created if created is not None else []
        self.kept: list[str] = kept if kept is not None else []

    def __repr__(self) -> str:
        return f"InitResult(root={self.root!r}, created={self.created!r}, kept={self.kept!r})"


def init_workspace(root: Path | str, github: bool = True) -> InitResult:
    """Create inc.yaml, increments/, living-docs/, the PR workflow and .gitignore entries."""
    root = Path(root).resolve()
    result = InitResult(root)
    gitignore = _gitignore_text(root / ".gitignore")
    existing = load_config_at(root)
    config_path = root / CONFIG_FILE
    if existing is None:
        atomic_write_text(config_path, DEFAULT_CONFIG)
        result.created.append(CONFIG_FILE)
        existing = load_config_at(root)
    else:
        result.kept.append(existing.path.name)
    assert existing is not None
    for folder in (existing.text("increments_dir"), existing.text("living_docs_dir")):
        _ensure_dir(root / folder, folder, result)
    if github:
        _write_once(root / WORKFLOW_PATH, _workflow_text(), WORKFLOW_PATH.as_posix(), result)
    _add_gitignore_entries(root / ".gitignore", gitignore, result)
    return result


def _ensure_dir(path: Path, label: str, result: InitResult) -> None:
    if path.is_dir():
        result.kept.append(label + "/")
        return
    path.mkdir(parents=True)
    keep = path / ".gitkeep"
    keep.touch()
    result.created.append(label + "/")


def _write_once(path: Path, text: str, label: str, result: InitResult) -> None:
    if path.exists():
        result.kept.append(label)
        return
    atomic_write_text(path, text)
    result.created.append(label)


def _workflow_text() -> str:
    """The PR workflow, pinning the inc-ml release that writes it.

    The template is rendered by jinja: a GitHub ``${{ ... }}`` expression added to it must be
    wrapped in a raw block.
    """
    from inc import __version__

    return render("github/inc-gate.yml", {"inc_version": __version__})


def _gitignore_text(path: Path) -> str:
    """The current .gitignore (empty when missing); read before anything is written."""
    try:
        return path.read_text(encoding="utf-8") if path.exists() else ""
    except UnicodeDecodeError as exc:
        raise UserError(
            f"{path}: not UTF-8 text ({exc.reason}); add {', '.join(GITIGNORE_ENTRIES)} yourself "
            "or save it as UTF-8"
        ) from exc


def _add_gitignore_entries(path: Path, text: str, result: InitResult) -> None:
    present = {line.strip() for line in text.splitlines()}
    missing = [entry for entry in GITIGNORE_ENTRIES if entry not in present]
    if not missing:
        result.kept.append(".gitignore")
        return
    prefix = text if not text or text.endswith("\n") else text + "\n"
    block = "# inc: the embedded MLflow tracking store\n" + "\n".join(missing) + "\n"
    atomic_write_text(path, prefix + block)
    result.created.append(".gitignore entries: " + ", ".join(missing))


# Letters NFKD does not decompose into ASCII, spelled as people transliterate them.
_TRANSLIT = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "ae",
        "ø": "o",
        "Ø": "o",
        "œ": "oe",
        "Œ": "oe",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "þ": "th",
        "Þ": "th",
        "ı": "i",
    }
)


def _ascii_fold(name: str) -> str:
    """``name`` transliterated to ASCII: accents dropped (é -> e), ß -> ss; emoji and other
    symbols dropped; letters of other scripts left out."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_TRANSLIT))
    return "".join(ch for ch in decomposed if ch.isascii())


def slugify(name: str) -> str:
    """Derive a slug ``[a-z0-9-]`` from any Unicode name (é -> e, emoji dropped); refuse empty,
    path-like or over-long names (exit 2)."""
    if not name or not name.strip():
        raise UserError("increment name is empty; give a short name such as 'fraud-detection'")
    if "/" in name or "\\" in name or ".." in name:
        raise UserError(f"increment name {name[:80]!r} must not contain '/', '\\' or '..'")
    slug = re.sub(r"[^a-z0-9]+", "-", _ascii_fold(name.strip()).lower()).strip("-")
    if not slug:
        raise UserError(
            f"increment name {name[:80]!r} has no letters or digits that spell in ASCII to make a slug "
            "from; give an ASCII name (e.g. 'fraud-detection') and the display name with --title"
        )
    if len(slug) > MAX_SLUG:
        raise UserError(
            f"increment name {name[:80]!r} gives a slug of {len(slug)} characters; keep it to {MAX_SLUG}"
        )
    return slug


def _refuse_duplicate_slug(ws: Workspace, slug: str) -> None:
    taken = [name for name in ws.increment_names() if name[5:] == slug]
    if taken:
        raise UserError(
            f"increment name {slug!r} is already used by {taken[0]}; choose another name "
            f"(e.g. '{slug}-v2') or continue in {taken[0]}"
        )


def _quote_slug_line(text: str, slug: str) -> str:
    """Quote ``slug:`` in a rendered increment.yaml whose template left it bare (``0042``,
    ``null``, ``yes`` and ``2024-01-01`` are other types to YAML)."""
    lines = (line[5:].lstrip(" \t") for line in text.split("\n") if line.startswith("slug:"))
    if not any(value.startswith(slug) for value in lines):
        return text  # quoted already (the packaged template): no pattern to compile
    bare = re.compile(rf"^slug:[ \t]*{re.escape(slug)}(?P<rest>[ \t]*(#[^\n]*)?)$", re.M)
    return bare.sub(lambda m: f'slug: "{slug}"{m.group("rest")}', text, count=1)


class NewResult:
    """The increment ``inc new`` created (plain classes here: no ``dataclasses`` import)."""

    def __init__(self, increment: Increment, notes: list[str]) -> None:
        self.increment = increment
        self.notes = notes

    def __repr__(self) -> str:
        return f"NewResult(increment={self.increment!r}, notes={self.notes!r})"

    def as_json(self, ws: Workspace) -> dict[str, str]:
        """``{"id", "slug", "path"}`` (DESIGN.md section 10)."""
        return {
            "id": self.increment.id,
            "slug": self.increment.view.slug,
            "path": ws.relpath(self.increment.path),
        }


def new_increment(
    ws: Workspace,
    name: str,
    title: str | None = None,
    problem: str | None = None,
    metric: str | None = None,
    target: float | None = None,
    goal: str | None = None,
) -> NewResult:
    """Create the next numbered increment from the templates, atomically.

    The metric's direction comes from ``goal`` or the metric catalog (an unknown metric without
    ``goal`` is a UserError naming ``--goal``). ``target`` left out keeps the problem's default
    for its default bounded metric and is otherwise a placeholder the spec asks to fill in.
    """
    slug = slugify(name)
    if target is not None:
        finite(target, "--target")
    _refuse_duplicate_slug(ws, slug)
    problem = problem or ws.loaded.text("default_problem")
    if problem not in PROBLEMS:
        raise UserError(f"--problem {problem!r}: choose one of {', '.join(PROBLEMS)}")
    metric_name, goal, target, notes = _metric_choice(problem, metric, goal, target)
    context: dict[str, object] = {
        "slug": slug,
        "title": title or name.strip().replace("-", " ").capitalize(),
        "problem": problem,
        "metric_name": metric_name,
        "goal": goal,
        "op": ">=" if goal == "maximize" else "<=",
        "target": target,
        "target_text": f"{target:g}" if target is not None else "<target>",
        "created": dt.date.today().isoformat(),
        "owner": ws.loaded.text("default_owner"),
        "cv_min_folds": 5,
        "min_candidates": 3,
        "latency_p95_ms": 100,
        "margin_pct": "20%",
    }
    examples = margin_examples(metric_name, goal, 0.2)
    context["margin_example_relative"], context["margin_example_error"] = examples
    # JSON strings are YAML double-quoted strings; non-ASCII kept as is (YAML has no surrogate
    # escapes, so an emoji escaped as \ud83d\ude80 would be malformed YAML).
    context["title_yaml"] = json.dumps(context["title"], ensure_ascii=False)
    context["owner_yaml"] = json.dumps(context["owner"], ensure_ascii=False)
    number, claim = ws.claim_number()
    try:
        path, checked = _create_folder(ws, number, slug, context)
    finally:
        remove_folder(claim)
    # The data just checked is the file's: no second read (Increment.load when the model checked it)
    increment = Increment(path, raw=checked) if checked is not None else Increment.load(path)
    return NewResult(increment, list(dict.fromkeys([*ws.notes, *notes])))


def _metric_choice(
    problem: str, metric: str | None, goal: str | None, target: float | None
) -> tuple[str, str, float | None, list[str]]:
    """(metric name, goal, target, notes) for ``inc new``."""
    default_name, default_target = DEFAULT_METRICS[problem]
    name = (metric or default_name).strip()
    if goal is not None and goal not in ("maximize", "minimize"):
        raise UserError(f"--goal {goal!r}: choose maximize or minimize")
    info = lookup(name)
    notes = []
    if goal is None:
        if info is None:
            raise UserError(
                f"--metric {name}: not in inc's metric catalog, so its direction is unknown; "
                "give --goal maximize or --goal minimize"
            )
        goal = info.goal
    elif info is not None and info.goal != goal:
        notes.append(f"{name} is usually {info.goal}d; increment.yaml says {goal} as you asked")
    if target is None and name == default_name:
        target = default_target
    if target is None:
        notes.append(f"no --target given: set metric.target in increment.yaml and the spec's {name} target")
    margin_note = reachability_note(name, goal, 0.2, "relative")
    if margin_note:
        notes.append(margin_note)
    return name, goal, target, notes


def _create_folder(
    ws: Workspace, number: int, slug: str, context: dict[str, object]
) -> tuple[Path, dict[str, Any] | None]:
    context = {**context, "id": f"{number:04d}"}
    final = ws.increments_dir / f"{number:04d}-{slug}"
    staging = ws.increments_dir / f".{number:04d}-{slug}.staging"
    remove_folder(staging)
    staging.mkdir()
    try:
        files = {
            filename: render_packaged_or_override(f"{filename}.j2", context, ws.templates_dir)
            for filename in NEW_FILES
        }
        files["increment.yaml"] = _quote_slug_line(files["increment.yaml"], slug)
        source = f"{ws.templates_dir / 'increment.yaml.j2'} (rendered)"
        checked = _checked_meta(files["increment.yaml"], source)
        for filename, text in files.items():
            atomic_write_text(staging / filename, text)
        ws.publish(staging, final)
    except BaseException:
        remove_folder(staging)
        raise
    return final, checked


def remove_folder(path: Path) -> None:
    """``shutil.rmtree(path, ignore_errors=True)`` for the flat folders ``inc new`` makes (a number
    claim, a staging folder), without importing shutil and its compression modules.

    The folder is opened without following a link and its files are unlinked relative to it;
    a link, a sub-folder or a platform without ``dir_fd`` goes to shutil, which decides as before.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return
    except (OSError, AttributeError):
        fd = -1
    try:
        if fd < 0 or os.scandir not in os.supports_fd or os.unlink not in os.supports_dir_fd:
            raise IsADirectoryError(path)
        with os.scandir(fd) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    raise IsADirectoryError(entry.name)
                os.unlink(entry.name, dir_fd=fd)
        os.rmdir(path)
    except OSError:
        import shutil

        shutil.rmtree(path, ignore_errors=True)
    finally:
        if fd >= 0:
            os.close(fd)


def _checked_meta(text: str, source: str) -> dict[str, Any] | None:
    """The data of a rendered increment.yaml once it passed the fast check (None: the model
    accepted it instead); an invalid one raises the error naming ``source`` and the field.

    What the packaged template renders is read without importing PyYAML (``inc.yamlplain``, in
    ``parse_yaml``); anything that reader is not sure of is parsed by PyYAML as before.
    """
    rendered = parse_yaml(text, source)
    if fastcheck.accepts("increment", rendered):
        return fastcheck.with_defaults("increment", rendered)
    from inc.meta import IncrementMeta

    validate(IncrementMeta, rendered, source)  # the model names the field at fault
    return None
