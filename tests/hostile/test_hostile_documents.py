"""Documents that are devices, /proc files, folders, non-UTF-8 or huge: named failures, never read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from inc_testing.hostile import Hostile

MARKER = "INC_HOSTILE_ENV_MARKER_3141"


def _second(hostile: Hostile) -> Path:
    other = hostile.new("scoring")
    hostile.mark_done()  # the pull request closes 0001 ...
    return other  # ... and plants something in 0002


@pytest.mark.parametrize("target", ["/dev/zero", "/proc/self/environ"])
def test_spec_linked_to_a_device_or_proc_is_never_read_or_published(
    hostile: Hostile, tmp_path: Path, target: str
) -> None:
    if not Path(target).exists():
        pytest.skip(f"{target} does not exist here")
    other = _second(hostile)
    (other / "spec.md").unlink()
    (other / "spec.md").symlink_to(target)
    hostile.commit()
    env = {"INC_PROBE_SECRET": MARKER}
    gate = hostile.run("gate", env=env)
    gate.assert_named_failure("0002-scoring", "spec.md", codes=(1,))
    site = tmp_path / "site"
    html = hostile.run("docs", "--html", str(site), env=env)
    html.assert_named_failure("spec.md", codes=(2,))
    assert MARKER not in html.output
    published = [p for p in site.rglob("*") if p.is_file()] if site.exists() else []
    assert all(MARKER.encode() not in p.read_bytes() for p in published)
    hostile.run("docs", env=env).assert_named_failure("spec.md", codes=(2,))
    hostile.assert_outside_untouched()


def test_fifo_spec_does_not_block(hostile: Hostile) -> None:
    spec = hostile.inc / "spec.md"
    spec.unlink()
    os.mkfifo(spec)
    hostile.run("docs").assert_named_failure("spec.md", "not a regular file", codes=(2,))
    hostile.run("show", "1").assert_within_budget()


def test_spec_as_a_folder_is_a_named_failure(hostile: Hostile) -> None:
    spec = hostile.inc / "spec.md"
    spec.unlink()
    spec.mkdir()
    (spec / "x").write_text("x")
    hostile.mark_done()
    hostile.commit()
    hostile.run("gate").assert_named_failure("structure", "spec.md: is a folder", codes=(1,))
    hostile.run("docs", "--html", str(hostile.root.parent / "site")).assert_named_failure(
        "spec.md", "folder", codes=(2,)
    )


@pytest.mark.parametrize("doc", ["spec.md", "plan.md", "tasks.md"])
def test_non_utf8_document_is_a_named_failure_everywhere(hostile: Hostile, doc: str) -> None:
    path = hostile.inc / doc
    path.write_bytes(path.read_bytes() + b"\n\xff\xfe caf\xe9\n")
    hostile.mark_done()
    hostile.commit()
    hostile.run("gate").assert_named_failure(doc, "UTF-8", codes=(1,))
    reader = ("list",) if doc == "tasks.md" else ("docs",)  # list reads tasks.md; docs reads them all
    hostile.run(*reader).assert_named_failure(doc, "UTF-8", codes=(2,))


def test_oversized_documents_are_refused_by_the_caps_quickly(hostile: Hostile) -> None:
    spec = hostile.inc / "spec.md"
    spec.write_text(spec.read_text() + ("lorem ipsum " * 100 + "\n") * 5_200)  # ~6 MB (cap 5 MB)
    hostile.mark_done()
    hostile.commit()
    hostile.run("gate").assert_named_failure(
        "structure", "spec.md", "markdown read limit of 5 MB", codes=(1,)
    )
    hostile.run("docs", "--html", str(hostile.root.parent / "site")).assert_named_failure(
        "spec.md", "markdown read limit", codes=(2,)
    )
    spec.write_text("# Spec\n")
    meta = hostile.inc / "increment.yaml"
    meta.write_text(meta.read_text().replace('title: "Fraud"', 'title: "' + "T" * 1_100_000 + '"'))
    hostile.run("docs", "--html", str(hostile.root.parent / "site")).assert_named_failure(
        "increment.yaml", "yaml read limit of 1 MB", codes=(2,)
    )
    hostile.run("gate").assert_named_failure("structure", "increment.yaml", "yaml read limit", codes=(1,))
