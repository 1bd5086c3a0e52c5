"""The evaluation report's kind and file names (standard library only: the gate imports them)."""

from __future__ import annotations

from inc.increment import EVALUATION_PREFIX

REPORT_KIND = "evaluation"
REPORT_PREFIX = EVALUATION_PREFIX
SUMMARY = "summary.json"
PREDICTIONS = "predictions.json.gz"
REPORT_MD = "report.md"
