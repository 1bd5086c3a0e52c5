"""Select increments, run every check on each, apply waivers and the blocking rules.

Cost grows with the selected increments only: the workspace is listed once (folder names,
for number uniqueness) and only the selected increments' files are read.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from inc.errors import IncError, MissingExtraError, UserError
from inc.gate.catalog import CATALOG, CheckSpec
from inc.gate.checks.documents import folder_problems
from inc.gate.context import EvidenceSet, GateConfig
from inc.gate.model import CheckResult, GateResult, IncrementVerdict, Outcome, fail, skip
from inc.gate.policy import apply_floors, policy_at, policy_of, strictest
from inc.gate.roots import NEEDS_CHOSEN, RootCause, chosen_root, merge_root, skipped, unjudged
from inc.gate.waivers import judge_waiver, refused_detail, waived, waived_detail
from inc.increment import META_FILE, Increment
from inc.workspace import Workspace

if TYPE_CHECKING:
    from inc.gitutil import Repo
    from inc.meta import IncrementMeta

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


def changed_folders(ws: Workspace, base: str | None, repo: Repo | None = None) -> tuple[list[Path], str]:
    """Increment folders with files changed between merge-base(base, HEAD) and HEAD.

    ``repo``: the workspace's repository when the caller has opened it already (one git call less).
    """
    from inc import gitutil

    repo = repo or gitutil.open_repo(ws.root)
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
    ws: Workspace, refs: list[str], changed: bool, base: str | None, config: GateConfig | None = None
) -> tuple[list[Path], str | None]:
    """The folders to judge: named ones, changed ones, or every increment (``config``: the gate's
    settings, whose repository ``--changed`` opens once for the whole run)."""
    folders = [ws.find_dir(ref) for ref in refs]
    used_base = None
    if changed:
        more, used_base = changed_folders(ws, base, config.repo if config is not None else None)
        folders += more
    elif base is not None:
        raise UserError("--base only applies with --changed")
    if not refs and not changed:
        folders = [ws.increments_dir / name for names in folder_numbers(ws).values() for name in names]
    return sorted(dict.fromkeys(folders)), used_base


def is_blocking(check: CheckSpec, meta: IncrementMeta, config: GateConfig) -> bool:
    """Structure always; spec from ``active``; readiness when done, closing or ``--strict``."""
    if check.stage == "structure" or config.closing or config.strict:
        return True
    if check.stage == "spec":
        return meta.status in ("active", "done")
    return meta.status == "done"


def _safe_run(check: CheckSpec, inc: Increment, ev: EvidenceSet, config: GateConfig) -> Outcome:
    try:
        return check.run(inc, ev, config)
    except MissingExtraError:
        raise  # --verify without the ml extra is a usage error (exit 2), not a failed check
    except _RECOVERABLE as exc:
        message = str(exc).replace(str(config.ws.root) + "/", "")
        return fail(f"could not judge: {message}", config.rel(inc.path))


def _apply_waiver(
    check_id: str, outcome: Outcome, meta: IncrementMeta, blocking: bool, config: GateConfig
) -> CheckResult:
    """A holding waiver turns fail/warn into ``waived``; a refused or expired one fails the check."""
    waiver = meta.waiver_for(check_id)
    blocking = blocking or outcome.forced
    if waiver is None or outcome.status == "skip" or outcome.forced:
        return CheckResult(check_id, outcome.status, outcome.detail, outcome.evidence, blocking, waiver)
    verdict = judge_waiver(waiver, meta, policy_of(config))
    if not verdict.holds:
        detail = refused_detail(verdict, outcome.status, outcome.detail)
        return CheckResult(check_id, "fail", detail, outcome.evidence, blocking, waiver, verdict.problem)
    if outcome.status in ("fail", "warn"):
        detail = waived_detail(verdict, outcome.detail)
        return CheckResult(check_id, "waived", detail, outcome.evidence, blocking, waiver)
    return CheckResult(check_id, outcome.status, outcome.detail, outcome.evidence, blocking, waiver)


def _outcome(check: CheckSpec, inc: Increment, ev: EvidenceSet, config: GateConfig) -> Outcome:
    """The check's outcome, the root cause folded in once, the workspace's floors applied."""
    root = _root(ev)
    if root is not None and check.id in NEEDS_CHOSEN:
        outcome = skipped(root) if not _waived(root.check, inc.meta, config) else unjudged(root)
    else:
        outcome = _safe_run(check, inc, ev, config)
        if root is not None and check.id == root.check:
            outcome = merge_root(outcome, root, config.rel(inc.meta_path))
        elif root is not None and check.id == "monitoring" and outcome.status == "skip":
            outcome = unjudged(root) if _waived(root.check, inc.meta, config) else outcome
    return apply_floors(check.id, outcome, ev, policy_of(config))


def _waived(check_id: str, meta: IncrementMeta, config: GateConfig) -> bool:
    """True when a holding waiver accepts ``check_id``."""
    return waived(check_id, meta, policy_of(config))


def _root(ev: EvidenceSet) -> RootCause | None:
    """The chosen run's root cause, computed once per increment."""
    if "_root" not in ev.__dict__:
        try:
            ev.__dict__["_root"] = chosen_root(ev)
        except _RECOVERABLE:
            ev.__dict__["_root"] = None
    root: RootCause | None = ev.__dict__["_root"]
    return root


def judge(inc: Increment, config: GateConfig, evidence: EvidenceSet | None = None) -> IncrementVerdict:
    """Every check of the catalog on one loaded increment (``evidence``: already read, e.g. by the docs)."""
    ev = evidence or EvidenceSet(inc, config)
    results = []
    for check in CATALOG:
        blocking = is_blocking(check, inc.meta, config)
        if config.offline and not check.offline:
            outcome = skip("judged by 'inc gate' only (reads git history or the living docs themselves)")
        else:
            outcome = _outcome(check, inc, ev, config)
        results.append(_apply_waiver(check.id, outcome, inc.meta, blocking, config))
    status = "done" if config.closing else inc.meta.status
    return IncrementVerdict(inc.id, inc.meta.slug, status, config.rel(inc.path), results)


def judge_invalid(path: Path, error: IncError, config: GateConfig) -> IncrementVerdict:
    """A folder whose increment.yaml does not load: structure fails, the rest is skipped."""
    message = error.message.replace(str(path.parent) + "/", config.rel(path.parent) + "/")
    problems = [message, *(m for m, _ in folder_problems(path, config))]
    where = config.rel(path / META_FILE)
    results = []
    for check in CATALOG:
        if check.stage == "structure":
            results.append(CheckResult(check.id, "fail", "; ".join(problems), [where], True))
        else:
            outcome = skip("not judged: the increment's files are invalid (see structure)")
            results.append(CheckResult(check.id, outcome.status, outcome.detail, [], False))
    number, _, slug = path.name.partition("-")
    return IncrementVerdict(number, slug, "invalid", config.rel(path), results)


def outside_links(path: Path, root: Path) -> list[str]:
    """Files of the increment that are symlinks leading outside the workspace (never read).

    One ``os.scandir`` per folder (the entry types come with the listing); only symlinks are
    resolved, and a folder that cannot be listed is skipped, as ``os.walk`` would.
    """
    found: list[str] = []
    top = ""
    folders = [str(path)]
    while folders:
        try:
            with os.scandir(folders.pop()) as entries:
                for entry in entries:
                    if entry.is_symlink():
                        top = top or os.path.realpath(root) + os.sep
                        if not os.path.realpath(entry.path).startswith(top):
                            found.append(os.path.relpath(entry.path, path))
                    elif entry.is_dir():
                        folders.append(entry.path)
        except OSError:
            continue
    return sorted(found, key=lambda rel: rel.split(os.sep))


def judge_folder(path: Path, config: GateConfig) -> IncrementVerdict:
    """Load one folder and judge it; an invalid increment.yaml is a failed structure check."""
    if path.is_symlink():
        error = UserError(
            f"{config.rel(path)}: the increment folder is a symlink (to {path.resolve()}); "
            "it is not read: replace the link with the folder itself"
        )
        return judge_invalid(path, error, config)
    from inc.limits import preflight

    problems = preflight(path, config.ws.root)
    if problems:
        return judge_invalid(path, UserError(f"{config.rel(path)}: " + "; ".join(problems)), config)
    links = outside_links(path, config.ws.root)
    if links:
        error = UserError(
            f"{config.rel(path)}: symlinks leading outside the workspace are not read: "
            f"{', '.join(links)}; replace them with the files themselves"
        )
        return judge_invalid(path, error, config)
    try:
        inc = Increment.load(path)
    except IncError as exc:
        return judge_invalid(path, exc, config)
    return judge(inc, config)


def _base_policy(config: GateConfig, base: str | None) -> list[str]:
    """With ``--changed``: judge by the stricter of this branch's and the base's floors."""
    if base is None:
        return []
    config.cache["base_ref"] = base
    # the two files the gate reads at the base (here, and the tasks template in checks/documents.py)
    tasks_template = config.ws.relpath(config.ws.templates_dir / "tasks.md.j2")
    config.read_at(base, [config.ws.config_path.name, tasks_template])
    theirs = policy_at(config.ws, base, config.text_at)
    if theirs is None:
        return []
    policy, notes = strictest(config.settings.policy, theirs, base)
    config.cache["policy"] = policy
    return notes


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
    config = GateConfig(
        ws,
        strict=strict,
        verify=verify,
        closing=closing,
        numbers=folder_numbers(ws),
        selected=bool(refs) or changed,
    )
    folders, used_base = select_folders(ws, list(refs or []), changed, base, config)
    notes = _base_policy(config, used_base)
    verdicts = [judge_folder(path, config) for path in folders]
    selection = "changed" if changed else ("named" if refs else "all")
    if changed and not folders:
        notes.append(f"no increment changed since the merge base with {used_base}")
    return GateResult(
        verdicts, strict, verify, closing, used_base, selection, _repo_prefix(config), tuple(notes)
    )
