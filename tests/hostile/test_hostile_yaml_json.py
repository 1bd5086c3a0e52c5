"""Alias bombs, oversized YAML, deep JSON, NaN/Infinity and huge integers: named failures, fast."""

from __future__ import annotations

import json

import pytest

from inc.evidence import RunRecord, seal
from inc_testing.hostile import Hostile


def alias_bomb(levels: int = 9) -> str:
    """The "billion laughs" in YAML: 9 levels of 9 aliases (~387 million leaves once expanded)."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels + 1):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_in_increment_yaml_fails_structure_and_every_command(hostile: Hostile) -> None:
    meta = hostile.inc / "increment.yaml"
    meta.write_text(
        meta.read_text() + "extra:\n" + "".join("  " + line + "\n" for line in alias_bomb().splitlines())
    )
    hostile.commit()
    gate = hostile.run("gate")
    gate.assert_named_failure("structure", "increment.yaml", "aliases", "limits.yaml_nodes", codes=(1,))
    for command in (("list",), ("docs",)):
        hostile.run(*command).assert_named_failure("increment.yaml", "limits.yaml_nodes", codes=(2,))
    hostile.assert_outside_untouched()


def test_a_key_given_twice_in_increment_yaml_is_refused_naming_both_lines(hostile: Hostile) -> None:
    """A second ``status:`` lower down would win over the one a reviewer reads."""
    meta = hostile.inc / "increment.yaml"
    meta.write_text(meta.read_text() + "status: done\n")
    hostile.commit()
    hostile.run("gate").assert_named_failure("increment.yaml", "key 'status' is given twice", codes=(1,))
    hostile.run("list").assert_named_failure("increment.yaml", "key 'status' is given twice", codes=(2,))
    hostile.assert_outside_untouched()


def test_alias_bomb_in_monitoring_yaml_is_a_failed_check(hostile: Hostile) -> None:
    (hostile.inc / "monitoring.yaml").write_text(alias_bomb())
    meta = hostile.inc / "increment.yaml"
    meta.write_text(meta.read_text().replace("status: planned", "status: done"))
    hostile.commit()
    hostile.run("gate").assert_named_failure("monitoring.yaml", "limits.yaml_nodes", codes=(1,))
    hostile.assert_outside_untouched()


def test_alias_bomb_or_oversized_inc_yaml_is_exit_2_for_every_command(hostile: Hostile) -> None:
    config = hostile.root / "inc.yaml"
    config.write_text(
        config.read_text() + "bomb:\n" + "".join("  " + line + "\n" for line in alias_bomb().splitlines())
    )
    for command in (("gate",), ("list",)):
        hostile.run(*command).assert_named_failure("inc.yaml", "limits.yaml_nodes", codes=(2,))
    # 2 MB of unknown keys (the cap is 1 MB): refused before parsing, whatever the content
    config.write_text("".join(f"unknown_key_{i}: {i}\n" for i in range(90_000)))
    probe = hostile.run("gate")
    probe.assert_named_failure("inc.yaml", "over the yaml read limit of 1 MB", codes=(2,))
    assert len(probe.stderr) < 2000  # one line, not 90,000 validation errors
    hostile.assert_outside_untouched()


def test_unknown_keys_error_is_bounded_and_never_repr_of_the_input(hostile: Hostile) -> None:
    config = hostile.root / "inc.yaml"
    config.write_text("".join(f"unknown_{i}: {'v' * 200}\n" for i in range(2000)))
    probe = hostile.run("list")
    probe.assert_named_failure("inc.yaml", "unknown key", "more problems", codes=(2,))
    assert len(probe.stderr) < 5000
    assert "v" * 100 not in probe.stderr


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    "where", ["runs/deadbeef.json", "reports/loadtest-deadbeef.json", "reports/drift-2024-01-01.json"]
)
def test_json_nested_10000_deep_is_a_named_failure(hostile: Hostile, where: str) -> None:
    runs = hostile.inc / "runs"
    runs.mkdir()
    (runs / "deadbeef.json").write_text(_sealed_record_text("0.9"))  # the run the gate picks
    target = hostile.inc / where
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text('{"run_id": ' + _deep(10_000) + "}")
    meta = hostile.inc / "increment.yaml"
    meta.write_text(meta.read_text().replace("status: planned", "status: done"))
    hostile.commit()
    gate = hostile.run("gate")
    if "drift" in where:  # the gate does not judge drift reports: it must just not crash
        gate.assert_named_failure(codes=(1,))
    else:
        gate.assert_named_failure(target.name, "depth limit", codes=(1,))
    docs = hostile.run("docs")
    assert (
        docs.returncode in (0, 2) and "Traceback" not in docs.output and "RecursionError" not in docs.output
    )
    docs.assert_within_budget()
    hostile.assert_outside_untouched()


def _sealed_record_text(metric: str) -> str:
    record = seal(
        RunRecord(
            run_id="deadbeef",
            increment="0001",
            name="m",
            role="candidate",
            status="FINISHED",
            metrics={"roc_auc": 0.9},
        )
    )
    text = json.dumps(record.model_dump(mode="json", by_alias=True), indent=2)
    return text.replace('"roc_auc": 0.9', f'"roc_auc": {metric}')


BAD_METRICS = {
    "deadbee1": "NaN",
    "deadbee2": "Infinity",
    "deadbee3": "-Infinity",
    "deadbee4": "1e999",
    "deadbee5": "9" * 5001,
}


def test_non_finite_or_huge_metrics_in_sealed_records_are_named_failures(hostile: Hostile) -> None:
    runs = hostile.inc / "runs"
    runs.mkdir()
    for run_id, value in BAD_METRICS.items():
        (runs / f"{run_id}.json").write_text(_sealed_record_text(value).replace("deadbeef", run_id))
    hostile.mark_done()
    hostile.commit()
    gate = hostile.run("gate", "1")
    gate.assert_named_failure("deadbee1.json", "NaN", codes=(1,))
    assert "numerator" not in gate.output
    for command in (("show", "1", "--format", "json"), ("docs",)):
        probe = hostile.run(*command)
        assert probe.returncode in (0, 1, 2), (command, probe.output[-2000:])
        assert "Traceback" not in probe.output and "numerator" not in probe.output, probe.output[-2000:]
        probe.assert_within_budget()
    hostile.assert_outside_untouched()


def test_record_over_the_json_cap_is_refused_quickly(hostile: Hostile) -> None:
    runs = hostile.inc / "runs"
    runs.mkdir()
    text = _sealed_record_text("0.9").replace('"params": {}', '"params": {"p": "' + "x" * 21_000_000 + '"}')
    (runs / "deadbeef.json").write_text(text)
    hostile.mark_done()
    hostile.run("gate", "1").assert_named_failure("deadbeef.json", "json read limit", codes=(1,))
    html = hostile.run("docs", "--html", str(hostile.root.parent / "site"))
    assert html.returncode in (0, 2) and "Traceback" not in html.output
    html.assert_within_budget()
