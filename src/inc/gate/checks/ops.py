"""Operational checks: monitoring config, staleness of the evidence, living docs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from inc.explainability.features import source_column
from inc.gate.checks.monitoring_rules import reference_problems, threshold_problems, unverified_reference
from inc.gate.checks.runs import short
from inc.gate.context import EvidenceSet, GateConfig
from inc.gate.model import Outcome, fail, ok, skip, warn
from inc.increment import EXPLAIN_PREFIX, Increment
from inc.ops.files import parse_report_name

if TYPE_CHECKING:
    from inc.ops.monitoring_schema import MonitoringConfig

WORKSPACE_PAGES = ("README.md", "models.md", "decisions.md", "CHANGELOG.md")


def _relativize(message: str, ev: EvidenceSet) -> str:
    return message.replace(str(ev.inc.path) + "/", "")


def _monitoring_config(inc: Increment) -> MonitoringConfig | None:
    from inc.errors import ConfigError
    from inc.ops.monitoring import load_monitoring

    if not inc.monitoring_path.is_file():
        return None
    try:
        return load_monitoring(inc.monitoring_path)
    except ConfigError:
        return None  # the coverage problems name the invalid field


def _own_problems(
    inc: Increment, ev: EvidenceSet, config: GateConfig, mon: MonitoringConfig | None
) -> list[str]:
    """Problems of monitoring.yaml itself: a reference that cannot be found, thresholds that cannot fire."""
    if mon is None:
        return []
    from inc.gate.policy import policy_of

    most = policy_of(config).label_delay_max_days
    baseline = _best_baseline(inc, ev)
    record = ev.chosen.record
    usable = record is not None and record.role == "candidate"
    chosen = record.metrics.get(inc.meta.metric.name) if usable and record is not None else None
    own = threshold_problems(mon, inc.meta, baseline, most, chosen)
    return reference_problems(mon, config.ws.root) + own


def _best_baseline(inc: Increment, ev: EvidenceSet) -> tuple[str, float] | None:
    """(label, value) of the best finite baseline score on the increment's metric, if any."""
    import math

    metric = inc.meta.metric
    scored = [
        (r.metrics[metric.name], r.name or short(r.run_id))
        for r in ev.runs.values()
        if r.role == "baseline" and metric.name in r.metrics and math.isfinite(r.metrics[metric.name])
    ]
    if not scored:
        return None
    value, name = max(scored) if metric.goal == "maximize" else min(scored)
    return name, value


def check_monitoring(inc: Increment, ev: EvidenceSet, config: GateConfig) -> Outcome:
    """monitoring.yaml valid and able to fire, watching every model input and top SHAP feature."""
    from inc.ops.monitoring import check_monitoring as monitoring_problems
    from inc.ops.monitoring import ranked_features

    where = ev.rel(inc.monitoring_path)
    record = ev.chosen.record
    usable = record is not None and record.role == "candidate"
    model = record.model if usable and record is not None else None
    inputs = list(model.inputs) if model is not None else []
    summary = ev.explain_summary(record.run_id) if usable and record is not None else None
    # SHAP features that are not the model's are the explainability check's to report.
    top = [f for f in ranked_features(summary) if source_column(f, inputs) in inputs] if summary else []
    problems = [_relativize(p, ev) for p in monitoring_problems(inc, inputs, top)]
    if model is None:
        problems = [p for p in problems if "model inputs are unknown" not in p]
    mon = _monitoring_config(inc)
    problems += _own_problems(inc, ev, config, mon)
    if problems:
        shown = "; ".join(problems[:3]) + (f" (and {len(problems) - 3} more)" if len(problems) > 3 else "")
        return fail(shown, where)
    if not usable:
        return skip("skipped: needs experiments (no usable chosen run to check coverage against)", where)
    if model is None:
        from inc.gate.policy import policy_of
        from inc.gate.waivers import waived

        if waived("model_versioned", inc.meta, policy_of(config)):
            return fail(
                "not judged: the chosen run saved no model, so its inputs are unknown, and the "
                "waiver on model_versioned does not judge this check; waive monitoring on its own",
                where,
            )
        return skip(
            "skipped: needs model_versioned (the chosen run saved no model, so its inputs are unknown)", where
        )
    caveat = unverified_reference(mon) if mon is not None else ""
    if caveat:
        return warn(f"{len(inputs)} model inputs and top {len(top)} SHAP features watched; {caveat}", where)
    return ok(
        f"{len(inputs)} model inputs and top {len(top)} SHAP features watched; drift, performance "
        "alert that can fire, and reference data whose sha256 matches",
        where,
    )


def _report_names(ev: EvidenceSet) -> list[tuple[str, Path, str, str | None]]:
    """(kind, file, run id in its name, run id inside it) of each explain and load-test report."""
    found: list[tuple[str, Path, str, str | None]] = []
    reports = ev.inc.reports_dir
    if not reports.is_dir():
        return found
    for entry in sorted(reports.iterdir()):
        if entry.is_dir() and entry.name.startswith(EXPLAIN_PREFIX):
            run_id = entry.name[len(EXPLAIN_PREFIX) :]
            summary = ev.explain_summary(run_id)
            found.append(("explain", entry / "summary.json", run_id, summary.run_id if summary else None))
        elif (named := parse_report_name(entry.name)) is not None:
            report = ev.parse("loadtest_report", entry) if entry.is_file() else None
            found.append(("loadtest", entry, named[0], report.run_id if report else None))
    return found


def _naming_problems(ev: EvidenceSet, chosen: str) -> list[tuple[str, str]]:
    problems = []
    names = _report_names(ev)
    for _, path, named, inside in names:
        if inside is not None and inside != named:
            problems.append((f"{ev.rel(path)} names run {inside} but is filed under {named}", ev.rel(path)))
    for kind in ("explain", "loadtest"):
        runs = {named for found_kind, _, named, _ in names if found_kind == kind}
        if runs and chosen not in runs:
            others = ", ".join(short(r) for r in sorted(runs))
            problems.append(
                (
                    f"{kind} evidence is for run(s) {others}, not the chosen {short(chosen)}",
                    ev.rel(ev.inc.reports_dir),
                )
            )
    return problems


def _report_dates(ev: EvidenceSet, record: Any) -> list[tuple[str, str]]:
    """Load-test reports of the chosen run dated in the future, or before the run ended."""
    import datetime as dt

    from inc.gate.checks.numbers import CLOCK_SKEW, parse_time

    now = dt.datetime.now(dt.UTC)
    try:
        ended = parse_time(record.end_time)
    except ValueError:
        ended = None  # the experiments check names a date that does not parse
    if ended is not None and ended > now + CLOCK_SKEW:
        ended = None  # an end in the future is the experiments check's to name
    problems = []
    for path in ev.loadtest_paths(record.run_id):
        report = ev.parse("loadtest_report", path)
        stamp = report.created if report is not None else None
        try:
            created = parse_time(stamp)
        except ValueError:
            problems.append((f"{ev.rel(path)}: created {stamp!r} is not an ISO date", ev.rel(path)))
            continue
        if created is None:
            continue
        if created > now + CLOCK_SKEW:
            problems.append((f"{ev.rel(path)}: created {created.date()} is in the future", ev.rel(path)))
        elif ended is not None and created < ended - CLOCK_SKEW:
            problems.append(
                (
                    f"{ev.rel(path)}: created {created.isoformat()} before the chosen run ended "
                    f"({ended.isoformat()}), so it did not measure that run's model",
                    ev.rel(path),
                )
            )
    return problems


def _listing(files: list[str]) -> str:
    return ", ".join(files[:6]) + (f" and {len(files) - 6} more" if len(files) > 6 else "")


def _inside(listed: str) -> bool:
    path = Path(listed)
    return bool(listed.strip("/")) and not path.is_absolute() and ".." not in path.parts


def _watched_paths(inc: Increment, config: GateConfig) -> list[str]:
    """Repository-relative paths whose change after the chosen run makes its evidence stale."""
    from inc import gitutil

    repo = config.repo
    top = gitutil.repo_root(repo) if repo is not None else config.ws.root
    root = config.ws.root.resolve()
    prefix = root.relative_to(top).as_posix() if root != top else ""

    def under(path: str) -> str:
        return f"{prefix}/{path}" if prefix else path

    paths = [under(config.ws.relpath(inc.doc_path("spec.md")))]
    paths += [under(config.ws.relpath(inc.path) + pattern) for pattern in ("/*.py", "/*.ipynb")]
    paths += [under(p.strip("/")) for p in config.settings.training_paths]
    # the training code listed under `code:` in increment.yaml (inside the workspace only)
    paths += [under(p.strip("/")) for p in inc.meta.code if _inside(p)]
    return paths


def _git_outcome(
    record_commit: str | None, inc: Increment, ev: EvidenceSet, config: GateConfig, where: str
) -> Outcome | None:
    from inc import gitutil

    repo = config.repo
    if repo is None:
        return None
    if not record_commit:
        return warn("the chosen run records no git commit, so its code cannot be tied to this branch", where)
    if not gitutil.is_ancestor(repo, record_commit, "HEAD"):
        return fail(
            f"the chosen run's commit {record_commit[:8]} is not in HEAD's history (rebased, or run "
            "from another branch?); rerun it on this branch",
            where,
        )
    watched = _watched_paths(inc, config)
    changed = gitutil.commits_touching_since(repo, record_commit, watched)
    if changed:
        files = gitutil.files_changed_since(repo, record_commit, watched)
        named = f": {_listing(files)}" if files else ""
        detail = (
            f"spec.md or training code changed in {len(changed)} commit(s) after the chosen run's "
            f"commit {record_commit[:8]} (latest {changed[0][:8]}){named}; rerun the experiments"
        )
        evidence = [where, ev.rel(inc.doc_path("spec.md"))]
        return fail(detail, *evidence) if config.strict else warn(detail, *evidence)
    return None


def _commit_after_start(record: Any, config: GateConfig) -> str | None:
    """The run's commit was made after the run started: stamped onto the record after the fact."""
    import datetime as dt

    from inc import gitutil
    from inc.gate.checks.numbers import CLOCK_SKEW, parse_time

    repo = config.repo
    if repo is None or not record.git_commit:
        return None
    try:
        started = parse_time(record.start_time)
    except ValueError:
        return None  # the experiments check names a date that does not parse
    made = gitutil.commit_time(repo, record.git_commit)
    if started is None or made is None or made <= started + CLOCK_SKEW:
        return None
    return (
        f"its commit {record.git_commit[:8]} was made at {made.astimezone(dt.UTC).isoformat()}, after the "
        f"run started ({started.isoformat()}): the commit was written into the record afterwards, it is "
        "not the code that trained the run"
    )


def _lost_commit(commit: str | None, config: GateConfig) -> str | None:
    """ "commit X is not in HEAD's history" when the run's commit was amended or rebased away."""
    from inc import gitutil

    repo = config.repo
    if repo is None or not commit or gitutil.is_ancestor(repo, commit, "HEAD"):
        return None
    return f"its commit {commit[:8]} is not in HEAD's history (amended, rebased, or another branch)"


def _provenance_outcome(record: Any, inc: Increment, config: GateConfig, where: str) -> Outcome | None:
    """Missing commit, dirty tree at run start, or training code changed since: fail when strict.

    Judged from what the record captured at run start (``inc.provenance``); the code files are
    hashed, never run. Records from before provenance was captured (no ``code``) are judged on
    their commit alone.
    """
    from inc.provenance import code_changes

    strict = config.strict or config.closing
    problems: list[str] = []
    if not record.git_commit and (strict or config.repo is not None):
        problems.append(
            "the chosen run records no git commit (trained outside git, or linked from "
            "a run MLflow did not tie to a commit)"
        )
    if record.git_dirty:
        files = list(record.dirty_files or [])
        shown = ", ".join(files[:5]) + (" ..." if len(files) > 5 else "")
        problems.append(f"the chosen run was trained from uncommitted changes ({shown or 'dirty tree'})")
    late = _commit_after_start(record, config)
    if late:
        problems.append(late)
    if record.code is not None and record.code.files:
        changed = code_changes(config.ws.root, inc, record.code)
        if changed:
            problems.append(f"training code differs from the chosen run's: {_listing(changed)}")
    if not problems:
        return None
    lost = _lost_commit(record.git_commit, config)
    if lost:
        problems.append(lost)  # amended or rebased away as well: say both, not one after the other
    detail = "; ".join(problems) + "; commit the code and rerun the experiments"
    return fail(detail, where) if strict else warn(detail, where)


def check_staleness(inc: Increment, ev: EvidenceSet, config: GateConfig) -> Outcome:
    """Evidence names the chosen run; its commit is in HEAD's history; nothing changed after it."""
    if ev.chosen.record is None:
        return skip("skipped: needs experiments (no chosen run)")
    record = ev.chosen.record
    where = ev.rel(ev.run_paths[record.run_id])
    problems = _naming_problems(ev, record.run_id) + _report_dates(ev, record)
    if problems:
        return fail("; ".join(m for m, _ in problems), *dict.fromkeys(w for _, w in problems))
    outcome = _provenance_outcome(record, inc, config, where) or _git_outcome(
        record.git_commit, inc, ev, config, where
    )
    if outcome is not None:
        return outcome
    commit = f" (commit {record.git_commit[:8]})" if record.git_commit else ""
    chosen = short(record.run_id)
    return ok(f"evidence names the chosen run {chosen}{commit}; no spec or code change since", where)


def _docs_result(config: GateConfig) -> Any:
    """``build_docs(ws, check=True)`` once per gate run."""
    cache = config.cache
    if "docs" not in cache:
        from inc.livedocs.build import build_docs

        cache["docs"] = build_docs(config.ws, check=True, remember=False)  # the gate writes no cache
    return cache["docs"]


def _relevant(page: str, inc: Increment) -> bool:
    name = Path(page).name
    return inc.name in page or name in WORKSPACE_PAGES


def check_living_docs(inc: Increment, ev: EvidenceSet, config: GateConfig) -> Outcome:
    """Rebuilding living-docs/ would change nothing for this increment.

    It runs only when the check blocks (status done, ``--strict``). When the gate judges named or
    changed increments only (``--changed`` in a pull request), it renders this increment's own
    pages (model card, runbook) and not the workspace pages, whose rows come from every increment:
    the cost follows the changed increments. The full gate and ``inc docs --check`` check them.
    """
    docs_dir = config.rel(config.ws.living_docs_dir)
    if config.closing:
        return ok("'inc done' rebuilds the living docs after closing the increment", docs_dir)
    if not (config.strict or inc.meta.status == "done"):
        return skip("checked once the increment is done (or with --strict); 'inc docs --check' now", docs_dir)
    if config.selected:
        from inc.livedocs.build import stale_increment_pages

        mine = stale_increment_pages(config.ws, inc.path)
        scope = " (its own pages; the workspace pages are checked by the full gate and 'inc docs --check')"
    else:
        result = _docs_result(config)
        mine = [page for page in (str(p) for p in result.stale) if _relevant(page, inc)]
        scope = ""
    if mine:
        shown = ", ".join(mine[:4]) + (f" and {len(mine) - 4} more" if len(mine) > 4 else "")
        fix = "run 'inc docs' and commit living-docs/"
        if inc.meta.status == "done" and inc.meta.closed is None:
            fix = (
                f"status was set to done by hand: run 'inc done {inc.id}' (it gates, pins the chosen run "
                "and model, and rebuilds the docs), then commit living-docs/"
            )
        return fail(f"living docs are stale: {shown}; {fix}", *mine[:10])
    if inc.meta.status == "done" and inc.meta.closed is None:
        return fail(
            f"status is done but the increment was never closed (no 'closed' date): status was set by "
            f"hand; run 'inc done {inc.id}' (it gates with every check blocking, pins the chosen run and "
            "model and sets the closed date), then commit",
            ev.rel(inc.meta_path),
        )
    return ok(f"living docs up to date for {inc.name}{scope}", docs_dir)
