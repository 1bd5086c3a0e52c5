"""The rules behind the planted-defect corpus, at their edges: what counts as filler and what
does not, when a waiver holds, which tasks a template requires, how A/B values and rollback
versions are read, and which monitoring thresholds can fire. No ML library needed."""

from __future__ import annotations

import datetime as dt

import pytest

from inc.config import Policy
from inc.gate.checks.documents import required_task_ids
from inc.gate.checks.monitoring_rules import metric_range, threshold_problems
from inc.gate.checks.plan import ab_problems, version_refs
from inc.gate.policy import strictest
from inc.gate.waivers import judge_waiver
from inc.markdown import parse_sections, placeholder_in
from inc.meta import IncrementMeta, Metric, Waiver
from inc.ops.monitoring_schema import MonitoringConfig
from inc.templating import packaged_templates_dir

TODAY = dt.date(2026, 11, 29)


@pytest.mark.parametrize(
    "text",
    [
        "Primary metric: TBD",
        "tbc",
        "T.B.D.",
        "TODO: ask ops",
        "FIXME",
        "xxx",
        "Owner ???",
        "why ??",
        "Lorem ipsum dolor sit amet",
        "N/A",
        "n/a",
        "<...>",
        "Volume: <rows per day>",
        "to be determined",
        "coming soon",
        "TODO(inc): anything",
    ],
)
def test_filler_is_a_placeholder(text: str) -> None:
    assert placeholder_in(text)


@pytest.mark.parametrize(
    "text",
    [
        "Traffic split: 90/10",
        "p<0.05 and q>2",
        "x < y and z > w",
        "see <https://example.org/a b>",
        "a <br/> tag",
        "<details>",
        "<span class='x'>",
        "mail <dana@corp.com>",
        "a to-do list",
        "pending transactions are excluded",
        "National Accounts (NA) region",
        "todos los días",
        "`models:/<name>/3` in code",
        "TBDX is a product name",
        "a 10/20/70 split",
    ],
)
def test_real_text_is_not_a_placeholder(text: str) -> None:
    assert placeholder_in(text) is None


def test_empty_fields_and_sections() -> None:
    doc = (
        "## A\n- Sources:\n- Volume: 3\n## B\nCandidates:\n1. lr\n2. rf\n## C\n- Candidates:\n  - lr\n"
        "## D\n<!-- only a comment -->\n## E\n...\n## F\n```\nplain code\n```\n"
    )
    sections = {s.title: s for s in parse_sections(doc)}
    assert sections["A"].placeholder() == (2, "Sources: (empty)")
    assert sections["B"].placeholder() is None and sections["C"].placeholder() is None
    assert sections["D"].is_empty and sections["E"].is_empty
    assert not sections["F"].is_empty and sections["F"].placeholder() is None


def test_required_tasks_are_those_outside_template_blocks() -> None:
    template = (
        "- [ ] T-001 always\n{% if problem == 'ranking' %}\n- [ ] T-002 ranking only\n{% endif %}\n"
        "- [ ] T-003 always {{ x }}\n{% for m in ms %}- [ ] T-004 {{ m }}\n{% endfor %}\n"
    )
    assert required_task_ids(template) == ["T-001", "T-003"]
    packaged = (packaged_templates_dir() / "tasks.md.j2").read_text()
    assert required_task_ids(packaged)[:2] == ["T-001", "T-002"] and len(required_task_ids(packaged)) >= 10


def _meta(owner: str = "dana") -> IncrementMeta:
    return IncrementMeta.model_validate(
        {
            "id": "0001",
            "slug": "x",
            "title": "X",
            "created": TODAY,
            "owner": owner,
            "metric": {"name": "roc_auc", "target": 0.8},
        }
    )


def _waiver(**fields: object) -> Waiver:
    values: dict[str, object] = {
        "check": "ab_test",
        "reason": "internal launch only, no public traffic",
        "approved_by": "sam",
        "expires": TODAY + dt.timedelta(days=30),
    }
    values.update(fields)
    return Waiver.model_validate(values)


@pytest.mark.parametrize(
    ("fields", "holds"),
    [
        ({}, True),
        ({"expires": TODAY}, True),  # the last day it holds
        ({"expires": TODAY + dt.timedelta(days=90)}, True),
        ({"expires": TODAY + dt.timedelta(days=91)}, False),
        ({"expires": TODAY - dt.timedelta(days=1)}, False),
        ({"approved_by": "@Dana"}, False),
        ({"approved_by": "dana@corp.com"}, False),
        ({"approved_by": "nobody"}, False),
        ({"approved_by": "Sam Lee"}, True),
        ({"reason": "accepted, ticket 123"}, True),
        ({"reason": "a a a a a a a a a a a"}, False),
    ],
)
def test_when_a_waiver_holds(fields: dict[str, object], holds: bool) -> None:
    verdict = judge_waiver(_waiver(**fields), _meta(), Policy(), today=TODAY)
    assert verdict.holds is holds, verdict.problem
    assert verdict.expired is (fields.get("expires", TODAY) < TODAY)  # type: ignore[operator]


def _ab(text: str) -> tuple[list[str], list[str]]:
    return ab_problems(parse_sections(f"## A/B test plan\n{text}")[0])


def test_ab_values_are_typed() -> None:
    good = (
        "- Traffic split: 95% / 5%\n- Primary metric: loss per 1,000 transactions\n"
        "- Minimum detectable effect: 3% relative\n- Duration: 21 days\n- Guardrails: p95 latency\n"
    )
    assert _ab(good) == ([], [])
    assert _ab(good.replace("21 days", "a month")) == ([], [])
    assert _ab(good.replace("95% / 5%", "50/30/20")) == ([], [])
    assert _ab(good.replace("95% / 5%", "100/0"))[1] == ["traffic split gives an arm no traffic"]
    assert _ab(good.replace("21 days", "a while"))[1][0].startswith("duration as an amount of time")


def test_rollback_versions_are_read_with_their_model_name() -> None:
    text = (
        "Roll back to `fraud-detection` version 3, or models:/fraud-detection/2; "
        "if both fail, roll back to version 1."
    )
    assert sorted(version_refs(text), key=str) == sorted(
        [("fraud-detection", "2"), ("fraud-detection", "3"), (None, "1")], key=str
    )
    assert version_refs("roll back to the previous model") == []


def _perf(line: str) -> MonitoringConfig:
    return MonitoringConfig.model_validate({"performance": {**line_dict(line), "label_delay_days": 7}})


def line_dict(line: str) -> dict[str, object]:
    key, value = line.split(":")
    return {"metric": "roc_auc", key.strip(): float(value)}


@pytest.mark.parametrize(
    ("line", "ok"),
    [
        ("alert_below: 0.75", True),
        ("alert_below: 0.78", True),
        ("alert_below: 0.0", False),
        ("alert_below: 1.0", False),
        ("alert_below: 0.85", False),
        ("alert_above: 0.7", False),
    ],
)
def test_thresholds_that_can_fire(line: str, ok: bool) -> None:
    assert (threshold_problems(_perf(line), _meta()) == []) is ok


@pytest.mark.parametrize(
    ("line", "baseline", "ok"),
    [
        ("alert_below: 0.78", ("rule", 0.62), True),
        ("alert_below: 0.62", ("rule", 0.62), False),  # at the baseline: too late
        ("alert_below: 0.55", ("rule", 0.62), False),
        ("alert_below: 0.55", ("rule", float("nan")), True),  # a broken baseline is judged elsewhere
        ("alert_below: 0.55", None, True),
    ],
)
def test_an_alert_fires_before_the_model_falls_to_its_baseline(
    line: str, baseline: tuple[str, float] | None, ok: bool
) -> None:
    assert (threshold_problems(_perf(line), _meta(), baseline) == []) is ok


def test_when_the_baseline_meets_the_target_the_chosen_score_bounds_the_alert() -> None:
    meta = _meta()  # target 0.8
    assert threshold_problems(_perf("alert_below: 0.85"), meta, ("rule", 0.82), None, 0.9) == []
    high = threshold_problems(_perf("alert_below: 0.9"), meta, ("rule", 0.82), None, 0.9)
    assert high and "at or above the chosen run's roc_auc 0.9" in high[0]
    low = threshold_problems(_perf("alert_below: 0.81"), meta, ("rule", 0.82), None, 0.9)
    assert low and "alert above 0.82" in low[0]


def test_labels_must_arrive_within_the_policy() -> None:
    slow = _perf("alert_below: 0.75")  # labels after 7 days
    assert threshold_problems(slow, _meta(), None, 7) == []
    late = threshold_problems(slow, _meta(), None, 1)
    assert late and "label_delay_max_days 1" in late[0]


def test_metric_ranges() -> None:
    assert metric_range("ROC-AUC") == (0.0, 1.0, "maximize")
    assert metric_range("rmse")[:2] == (0.0, float("inf"))  # type: ignore[index]
    assert metric_range("r2")[1] == 1.0  # type: ignore[index]
    assert metric_range("custom_score") is None


def test_a_branch_keeps_the_stricter_floors() -> None:
    head = Policy(baseline_margin=0.0, cv_min_folds=5, waiver_max_days=365)
    base = Policy(baseline_margin=0.2, cv_min_folds=3, waiver_max_days=90)
    policy, notes = strictest(head, base, "main")
    assert (policy.baseline_margin, policy.cv_min_folds, policy.waiver_max_days) == (0.2, 5, 90)
    assert len(notes) == 2 and all("applies until the change is merged" in n for n in notes)


def test_metric_model_unchanged() -> None:
    assert Metric(name="roc_auc", target=0.8).goal == "maximize"
