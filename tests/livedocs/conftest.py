"""Fixtures of the living-docs tests: realistic increments built by ``inc_testing.docs_evidence``."""

from __future__ import annotations

import pytest

from inc.scaffold import new_increment
from inc.workspace import Workspace
from inc_testing.docs_evidence import add_explain, fill_placeholders, make_increment, png_bytes


@pytest.fixture
def docs_ws(workspace: Workspace) -> Workspace:
    """A workspace with two realistic increments (one done) and one fresh from the templates."""
    make_increment(workspace, "fraud-detection", status="done", auc=0.93)
    make_increment(workspace, "churn-model", status="active", auc=0.88, owner="bo")
    new_increment(workspace, "price-forecast", problem="regression")
    return workspace


class Factory:
    """The helpers above, handed to tests as a fixture (conftest is not importable by name)."""

    make_increment = staticmethod(make_increment)
    add_explain = staticmethod(add_explain)
    png_bytes = staticmethod(png_bytes)
    fill_placeholders = staticmethod(fill_placeholders)


@pytest.fixture
def factory() -> type[Factory]:
    """Builders of realistic increments."""
    return Factory
