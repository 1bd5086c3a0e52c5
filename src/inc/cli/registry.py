"""The command table: name -> ("module:attribute", one-line help). No click import here."""

from __future__ import annotations

# name -> "module:attribute" (loaded only when the command runs or its help is shown)
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("inc.cli.setup:init_cmd", "Set up a workspace in this repository."),
    "new": ("inc.cli.setup:new_cmd", "Create the next increment from the ML templates."),
    "list": ("inc.cli.status:list_cmd", "List increments with status, tasks and runs."),
    "show": ("inc.cli.status:show_cmd", "Show one increment: tasks, runs, evidence."),
    "schema": ("inc.cli.status:schema_cmd", "Print a JSON Schema (increment, run, gate, ...)."),
    "link": ("inc.cli.runs:link_cmd", "Link an MLflow run to an increment's ledger."),
    "unlink": ("inc.cli.runs:unlink_cmd", "Remove a run from an increment's ledger."),
    "sync": ("inc.cli.runs:sync_cmd", "Pull every MLflow run tagged with the increment."),
    "runs": ("inc.cli.runs:runs_cmd", "Table of linked runs vs the best baseline."),
    "choose": ("inc.cli.runs:choose_cmd", "Mark the run that is to ship."),
    "explain": ("inc.cli.explain:explain_cmd", "SHAP report for a run's model."),
    "evaluate": ("inc.cli.evaluate:evaluate_cmd", "Evaluation report (plots, slices, predictions) of a run."),
    "loadtest": ("inc.cli.loadtest:loadtest_cmd", "Latency percentiles of a run's model."),
    "drift": ("inc.cli.drift:drift_cmd", "Drift report between reference and current data."),
    "monitoring": ("inc.cli.monitoring:monitoring_group", "Write or check monitoring.yaml."),
    "gate": ("inc.cli.gate:gate_cmd", "The production-readiness gate."),
    "done": ("inc.cli.gate:done_cmd", "Close an increment: every check blocking."),
    "docs": ("inc.cli.docs:docs_cmd", "Rebuild the living docs (or check them, or build HTML)."),
    "demo": ("inc.cli.demo:demo_cmd", "Run the whole workflow end to end on synthetic data."),
}
