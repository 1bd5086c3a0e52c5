"""Contexts of ``inc new``'s templates, hostile values included (tests of the plain renderer and reader)."""

from __future__ import annotations

import json
import random
from typing import Any

from inc.metric_defaults import DEFAULT_METRICS

HOSTILE = [
    "Fraud detection",
    "{{ title }} {% if x %}",
    "}} %} #} {# {%- -%}",
    'quote " and \\ backslash',
    "line\nbreak\r\nand\ttab",
    "émoji 🚀 ß \u00a0 nbsp",
    "\u2028\u2029\x85\ufeff",
    "",
    "   leading and trailing   ",
    "None",
    "{% endif %}",
]


def plain_context(rng: random.Random) -> dict[str, Any]:
    """A random context as ``inc new`` builds it, with hostile titles, owners and metric names."""
    problem = rng.choice(sorted(DEFAULT_METRICS))
    goal = rng.choice(["maximize", "minimize"])
    target = rng.choice([None, 0.85, 1e-05, 100.0, -3.5, 12])
    title, owner = rng.choice(HOSTILE), rng.choice(HOSTILE)
    return {
        "slug": rng.choice(["fraud", "a-b-9", "x" * 60]),
        "title": title,
        "problem": problem,
        "metric_name": rng.choice(["roc_auc", "rmse", "ndcg@10", rng.choice(HOSTILE)]),
        "goal": goal,
        "op": ">=" if goal == "maximize" else "<=",
        "target": target,
        "target_text": "<target>" if target is None else f"{target:g}",
        "created": rng.choice(["2026-11-29", "1999-01-01"]),
        "owner": owner,
        "cv_min_folds": rng.choice([5, 10]),
        "min_candidates": 3,
        "latency_p95_ms": 100,
        "margin_pct": "20%",
        "margin_example_relative": rng.choice(HOSTILE),
        "margin_example_error": rng.choice(HOSTILE),
        "title_yaml": json.dumps(title, ensure_ascii=False),
        "owner_yaml": json.dumps(owner, ensure_ascii=False),
        "id": f"{rng.randrange(1, 10_000):04d}",
    }
