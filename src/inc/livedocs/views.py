"""Turn collected increment data into template contexts: formatted strings and relative links.

Every number is formatted here with a fixed format (no locale), every list is sorted here, so the
templates only place values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from inc.comparison import run_improvement
from inc.livedocs import fmt
from inc.livedocs.collect import IncrementData
from inc.livedocs.readiness import compare, readiness
from inc.markdown import PLACEHOLDER, Section

if TYPE_CHECKING:  # the records are the gate's plain read-only objects, with these models' attributes
    from inc.evidence import DatasetFingerprint, RunRecord

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_TODO_TAIL = re.compile(re.escape(PLACEHOLDER) + r".*$")
_EVAL_NAMES = re.compile(r"test|eval|valid|holdout|hold-out", re.IGNORECASE)
_CAVEAT_BULLETS = ("label quality", "leakage", "class balance")
_CAVEAT_SECTIONS = ("caveats", "limitations", "risks", "ethical considerations", "known issues")
TOP_FEATURES = 10


@dataclass(frozen=True)
class Layout:
    """Workspace-relative locations used to build links (POSIX, no leading ``./``)."""

    docs: str  # living-docs folder
    increments: str  # increments folder

    def card(self, name: str) -> str:
        """Living-docs page of an increment."""
        return f"{self.docs}/increments/{name}.md"

    def runbook(self, name: str) -> str:
        """Runbook page of an increment."""
        return f"{self.docs}/runbooks/{name}.md"

    def source(self, name: str, file: str) -> str:
        """A file inside an increment folder."""
        return f"{self.increments}/{name}/{file}"


def filled(text: str, doc: str, first_line: int) -> str:
    """``text`` (starting at 1-based ``first_line``) with placeholders shown as 'not written yet'."""
    out = []
    for offset, row in enumerate(text.splitlines()):
        if PLACEHOLDER in row:
            row = _TODO_TAIL.sub(f"*not written yet ({doc} line {first_line + offset})*", row)
        out.append(row)
    return _COMMENT.sub("", "\n".join(out)).strip()


def section_text(section: Section, doc: str) -> str:
    """The section body, placeholders marked with their line, HTML comments dropped."""
    return filled(section.body, doc, section.line + 1)


def block(data: IncrementData, doc: str, title: str, top: int = 4) -> dict[str, Any] | None:
    """A section of spec.md/plan.md ready to embed: title, demoted text, still a template or not."""
    key = f"block:{doc}:{title}:{top}"
    if key not in data.memo:
        data.memo[key] = _block(data.section(doc, title), doc, top)
    found: dict[str, Any] | None = data.memo[key]
    return found


def _block(section: Section | None, doc: str, top: int) -> dict[str, Any] | None:
    if section is None:
        return None
    text = section_text(section, doc) if not section.is_empty else ""
    return {
        "title": section.title,
        "text": fmt.demote(text, top) if text else "*empty*",
        "todo": section.has_placeholder,
        "line": section.line,
    }


def _bullets(section: Section, prefixes: tuple[str, ...], doc: str) -> list[str]:
    found = []
    for offset, row in enumerate(section.body.splitlines()):
        head = row.lstrip("-*+ ").lower()
        if row.lstrip().startswith(("-", "*", "+")) and head.startswith(prefixes):
            found.append(filled(row.strip(), doc, section.line + 1 + offset))
    return found


def caveats(data: IncrementData) -> list[str]:
    """Caveats from the spec: data risks (labels, leakage, balance) and any caveat-like section."""
    items: list[str] = []
    data_req = data.section("spec.md", "Data requirements")
    if data_req is not None:
        items.extend(_bullets(data_req, _CAVEAT_BULLETS, "spec.md"))
    for section in data.spec:
        if section.title.lower().startswith(_CAVEAT_SECTIONS) and not section.is_empty:
            items.append(fmt.demote(section_text(section, "spec.md"), 4))
    return items


def decision_lines(data: IncrementData) -> list[str]:
    """The ``Decision:`` lines of the plan's model selection rationale."""
    section = data.section("plan.md", "Model selection rationale")
    if section is None:
        return []
    lines = [
        filled(row.strip(), "plan.md", section.line + 1 + offset)
        for offset, row in enumerate(section.body.splitlines())
        if row.strip().lower().startswith(("decision:", "**decision"))
    ]
    return [row for row in lines if row]


def cv_view(record: RunRecord | None, memo: dict[str, Any] | None = None) -> dict[str, str] | None:
    """CV spread of a run: mean, std, min, max and fold count (kept in ``memo`` per record: the
    card shows the chosen run's twice, and the standard deviation is exact-fraction arithmetic)."""
    if record is None or record.cv is None or not record.cv.folds:
        return None
    key = f"cv:{id(record)}"  # the records live as long as the memo (one build)
    if memo is not None and key in memo:
        known: dict[str, str] = memo[key]
        return dict(known)
    folds = record.cv.folds
    mean, std = fmt.num(record.cv.mean), fmt.num(record.cv.std)
    view = {
        "metric": record.cv.metric,
        "mean": mean,
        "std": std,
        "min": fmt.num(min(folds)),
        "max": fmt.num(max(folds)),
        "n": str(len(folds)),
        "folds": ", ".join(fmt.num(value) for value in folds),
        "short": f"{mean} ± {std} ({len(folds)} folds)",
    }
    if memo is not None:
        memo[key] = dict(view)
    return view


def _dataset(ds: DatasetFingerprint) -> dict[str, str]:
    columns = [column.name for column in ds.columns]
    shown = ", ".join(columns[:12]) + (f", … (+{len(columns) - 12})" if len(columns) > 12 else "")
    return {
        "name": fmt.cell(ds.name),
        "sha256": ds.sha256[:16],
        "shape": " × ".join(str(n) for n in ds.shape) or fmt.DASH,
        "columns": fmt.cell(shown) if columns else fmt.DASH,
    }


def datasets(record: RunRecord | None) -> dict[str, list[dict[str, str]]]:
    """Fingerprints of the subject run, split into evaluation and training data by name."""
    result: dict[str, list[dict[str, str]]] = {"training": [], "evaluation": []}
    if record is None:
        return result
    for ds in sorted(record.datasets, key=lambda d: (d.name, d.sha256)):
        result["evaluation" if _EVAL_NAMES.search(ds.name) else "training"].append(_dataset(ds))
    return result


def run_rows(data: IncrementData, card_dir: str, layout: Layout) -> list[dict[str, str]]:
    """One table row per linked run: baselines first, then candidates, each by run id."""
    best = compare(data).baseline
    rows = []
    for run in sorted(data.runs, key=lambda r: (r.role != "baseline", r.run_id)):
        value = data.metric_of(run)
        gain = run_improvement(run, best, data.meta)
        cv = cv_view(run, data.memo)
        rows.append(
            {
                "run_id": run.run_id,
                "short_id": run.run_id[:12],
                "link": fmt.rel(card_dir, layout.source(data.name, f"runs/{run.run_id}.json")),
                "name": fmt.cell(run.name),
                "role": run.role,
                "status": fmt.cell(run.status),
                "metric": fmt.num(value),
                "cv": cv["short"] if cv else fmt.DASH,
                "vs_baseline": fmt.pct(gain) if run.role == "candidate" else fmt.DASH,
                "mark": "shipping" if data.subject is run and data.subject_chosen else "",
                "note": fmt.cell(run.note) if run.note else fmt.DASH,
            }
        )
    return rows


def _yes_no(value: bool | None) -> str:
    return fmt.DASH if value is None else ("yes" if value else "no")


def summary(data: IncrementData) -> dict[str, Any]:
    """The facts the index, models and changelog pages show for one increment (a fresh copy)."""
    if "summary" not in data.memo:
        data.memo["summary"] = _summary(data)
    return dict(data.memo["summary"])


def _summary(data: IncrementData) -> dict[str, Any]:
    meta = data.meta
    cmp = compare(data)
    states = readiness(data)
    subject = data.subject
    model = subject.model if subject is not None else None
    return {
        "id": meta.id,
        "slug": meta.slug,
        "name": data.name,
        "title": fmt.cell(meta.title),
        "title_text": fmt.inline(meta.title),
        "status": meta.status,
        "owner": fmt.cell(meta.owner) if meta.owner else fmt.DASH,
        "owner_text": fmt.inline(meta.owner) or "(none)",
        "created": meta.created.isoformat(),
        "problem": meta.problem,
        "metric": meta.metric.name,
        "goal": meta.metric.goal,
        "target": fmt.num(meta.metric.target),
        "op": ">=" if meta.metric.goal == "maximize" else "<=",
        "value": fmt.num(cmp.value),
        "meets_target": _yes_no(cmp.meets_target),
        "baseline": fmt.num(cmp.baseline_value),
        "improvement": fmt.pct(cmp.improvement),
        "margin": fmt.pct(cmp.margin).lstrip("+"),
        "margin_mode": meta.margin_mode,
        "beats_baseline": _yes_no(cmp.beats_baseline),
        "run": subject.run_id if subject is not None else "",
        "chosen": data.subject_chosen,
        "model_name": (model.registered_name or "") if model else "",
        "model_version": (model.version or "") if model else "",
        "tasks_done": sum(t.done for t in data.tasks),
        "tasks_total": len(data.tasks),
        "ready": sum(s.ready for s in states),
        "checks": sum(s.applies for s in states),
        "open": [s.id for s in states if s.applies and not s.ready],
        "states": states,
        "last_run": max((r.end_time or "" for r in data.runs), default="")[:10],
        "closed": data.meta.closed.isoformat() if data.meta.closed else "",
    }
