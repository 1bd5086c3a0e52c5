"""This repository's own worked increment passes its gate, and its living docs are current."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inc.cli import main

REPO = Path(__file__).resolve().parents[1]


def test_own_increment_passes_the_strict_gate(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["-C", str(REPO), "gate", "--strict", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0, report
    worked = next(i for i in report["increments"] if i["slug"] == "fraud-detection")
    assert worked["status"] == "done" and worked["ready"] == worked["total"] == 15


def test_own_living_docs_are_current(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-C", str(REPO), "docs", "--check"]) == 0, capsys.readouterr().err
