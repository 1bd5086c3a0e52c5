"""Select increments, run every check on each, apply waivers and the blocking rules.

Cost grows with the selected increments only: the workspace is listed once (folder names,
for number uniqueness) and only the selected increments' files are read.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from inc.errors import IncError, UserError
from inc.gate.checks import CHECKS, Check
from inc.gate.checks_docs import folder_problems
from inc.gate.context import EvidenceSet, GateConfig
from inc.gate.model import CheckResult, GateResult, IncrementVerdict, Outcome, fail, skip
from inc.increment import META_FILE, Increment
from inc.meta import IncrementMeta
from inc.workspace import Workspace

if TYPE_CHECKING:
    from inc.gitutil import Repo

_DIR_RE = re.compile(r"^(\d{4})-([a-z0-9]+(?:-[a-z0-9]+)*)$")
_FALLBACK_BASES = ("origin/main", "main", "origin/master", "master")
_RECOVERABLE = (IncError, OSError, ValueError)


def folder_numbers(ws: Workspace) -> dict[str, list[str]]:
    """Increment folder names by their 4-digit number (one directory listing, nothing read)."""
    numbers: dict[str, list[str]] = {}
    try:
        entries = list(os.scandir(ws.increments_dir))
    except FileNotFoundError:
        return numbers
    for entry in entries:
        if _DIR_RE.match(entry.name) and entry.is_dir():
            numbers.setdefault(entry.name[:4], []).append(entry.name)
    for names in numbers.values():
        names.sort()
    return numbers


def default_base(repo: Repo) -> str:
    """The base of ``--changed``: ``GITHUB_BASE_REF`` (origin/<ref> when it exists), else main."""
    from inc import gitutil

    env = os.environ.get("GITHUB_BASE_REF", "").strip()
    candidates = (f"origin/{env}", env) if env else _FALLBACK_BASES
    for candidate in candidates:
        try:
            gitutil.resolve_ref(repo, candidate)
        except UserError:
            continue
        return candidate
    raise UserError(
        f"--changed: none of {', '.join(candidates)} is a known git ref; give the base with --base REF "
        "(in CI, fetch it: actions/checkout with fetch-depth: 0)"
    )


def changed_folders(ws: Workspace, base: str | None) -> tuple[list[Path], str]:
    """Increment folders with files changed between merge-base(base, HEAD) and HEAD."""
    from inc import gitutil

    repo = gitutil.open_repo(ws.root)
    if repo is None:
        raise UserError(f"--changed: {ws.root} is not in a git repository")
    base = base or default_base(repo)
    top = gitutil.repo_root(repo)
    prefix = ws.increments_dir.resolve().relative_to(top).as_posix() + "/"
    paths = gitutil.changed_paths_under(repo, base, prefix)
    names = {path[len(prefix) :].split("/")[0] for path in paths if path.startswith(prefix)}
    folders = [ws.increments_dir / name for name in sorted(names) if _DIR_RE.match(name)]
    return [folder for folder in folders if folder.is_dir()], base


def select_folders(
    ws: Workspace, refs: list[str], changed: bool, base: str | None
) -> tuple[list[Path], str | None]:
    """The folders to judge: named ones, changed ones, or every increment."""
    folders = [ws.find_dir(ref) for ref in refs]
    used_base = None
    if changed:
        more, used_base = changed_folders(ws, base)
        folders += more
    elif base is not None:
        raise UserError("--base only applies with --changed")
    if not refs and not changed:
        folders = [ws.increments_dir / name for names in folder_numbers(ws).values() for name in names]
    return sorted(dict.fromkeys(folders)), used_base


def is_blocking(check: Check, meta: IncrementMeta, config: GateConfig) -> bool:
    """Structure always; spec from ``active``; readiness when done, closing or ``--strict``."""
    if check.stage == "structure" or config.closing or config.strict:
        return True
    if check.stage == "spec":
        return meta.status in ("active", "done")
    return meta.status == "done"


def _safe_run(check: Check, inc: Increment, ev: EvidenceSet, config: GateConfig) -> Outcome:
    try:
        return check.run(inc, ev, config)
    except _RECOVERABLE as exc:
        message = str(exc).replace(str(config.ws.root) + "/", "")
        return fail(f"could not judge: {message}", config.rel(inc.path))


def _apply_waiver(check_id: str, outcome: Outcome, meta: IncrementMeta, blocking: bool) -> CheckResult:
    waiver = meta.waiver_for(check_id)
    if waiver is not None and outcome.status in ("fail", "warn"):
        detail = f"waived by {waiver.approved_by}: {waiver.reason} (was: {outcome.detail})"
        return CheckResult(check_id, "waived", detail, outcome.evidence, blocking, waiver)
    return CheckResult(check_id, outcome.status, outcome.detail, outcome.evidence, blocking, waiver)


def _verify(inc: Increment, config: GateConfig, result: CheckResult) -> CheckResult:
    """Fold ``inc.tracking.verify_runs`` into the experiments check (``--verify``)."""
    from inc.tracking import verify_runs

    differences = verify_runs(config.ws, inc)
    if differences:
        more = f" (and {len(differences) - 3} more)" if len(differences) > 3 else ""
        shown = "; ".join(differences[:3]) + more
        return CheckResult(
            result.id, "fail", f"--verify: the tracking server disagrees with the ledger: {shown}",
            result.evidence, True, result.waiver,
        )
    result.detail += "; --verify: chosen and baseline runs match the tracking server"
    return result


def judge(inc: Increment, config: GateConfig) -> IncrementVerdict:
    """Every check on one loaded increment."""
    ev = EvidenceSet(inc, config)
    results = []
    for check in CHECKS:
        blocking = is_blocking(check, inc.meta, config)
        result = _apply_waiver(check.id, _safe_run(check, inc, ev, config), inc.meta, blocking)
        if check.id == "experiments" and config.verify:
            result = _verify(inc, config, result)
        results.append(result)
    status = "done" if config.closing else inc.meta.status
    return IncrementVerdict(inc.id, inc.meta.slug, status, config.rel(inc.path), results)


def judge_invalid(path: Path, error: IncError, config: GateConfig) -> IncrementVerdict:
    """A folder whose increment.yaml does not load: structure fails, the rest is skipped."""
    message = error.message.replace(str(path.parent) + "/", config.rel(path.parent) + "/")
    problems = [message, *(m for m, _ in folder_problems(path, config))]
    where = config.rel(path / META_FILE)
    results = [CheckResult("structure", "fail", "; ".join(problems), [where], True)]
    for check in CHECKS[1:]:
        outcome = skip("not judged: the increment's files are invalid (see structure)")
        results.append(CheckResult(check.id, outcome.status, outcome.detail, [], False))
    number, _, slug = path.name.partition("-")
    return IncrementVerdict(number, slug, "invalid", config.rel(path), results)


def outside_links(path: Path, root: Path) -> list[str]:
    """Files of the increment that are symlinks leading outside the workspace (never read)."""
    found = []
    top = root.resolve()
    for current, dirs, files in os.walk(path):
        for name in [*files, *dirs]:
            entry = Path(current) / name
            if entry.is_symlink() and top not in entry.resolve().parents:
                found.append(entry)
    return [str(p.relative_to(path)) for p in sorted(found)]


def judge_folder(path: Path, config: GateConfig) -> IncrementVerdict:
    """Load one folder and judge it; an invalid increment.yaml is a failed structure check."""
    if path.is_symlink():
        error = UserError(f"{config.rel(path)}: the increment folder is a symlink (to {path.resolve()}); "
                          "it is not read: replace the link with the folder itself")
        return judge_invalid(path, error, config)
    from inc.limits import preflight

    problems = preflight(path, config.ws.root)
    if problems:
        return judge_invalid(path, UserError(f"{config.rel(path)}: " + "; ".join(problems)), config)
    links = outside_links(path, config.ws.root)
    if links:
        error = UserError(f"{config.rel(path)}: symlinks leading outside the workspace are not read: "
                          f"{', '.join(links)}; replace them with the files themselves")
        return judge_invalid(path, error, config)
    try:
        inc = Increment.load(path)
    except IncError as exc:
        return judge_invalid(path, exc, config)
    return judge(inc, config)


def _repo_prefix(config: GateConfig) -> str:
    from inc import gitutil

    repo = config.repo
    if repo is None:
        return ""
    rel = config.ws.root.resolve().relative_to(gitutil.repo_root(repo)).as_posix()
    return "" if rel == "." else rel + "/"


def run_gate(
    ws: Workspace,
    refs: list[str] | None = None,
    changed: bool = False,
    base: str | None = None,
    strict: bool = False,
    verify: bool = False,
    closing: bool = False,
) -> GateResult:
    """Judge the selected increments (all of them when neither ``refs`` nor ``changed``)."""
    if verify:
        from inc.errors import require_ml

        require_ml("mlflow")
    config = GateConfig(ws, strict=strict, verify=verify, closing=closing, numbers=folder_numbers(ws),
                        selected=bool(refs) or changed)
    folders, used_base = select_folders(ws, list(refs or []), changed, base)
    verdicts = [judge_folder(path, config) for path in folders]
    selection = "changed" if changed else ("named" if refs else "all")
    result = GateResult(verdicts, strict, verify, closing, used_base, selection, _repo_prefix(config))
    if changed and not folders:
        result.notes.append(f"no increment changed since the merge base with {used_base}")
    return result
