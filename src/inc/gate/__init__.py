"""The production-readiness gate (DESIGN.md section 6).

``inc.gate.runner.run_gate`` selects increments and runs the checks of ``inc.gate.checks``;
``inc.gate.report`` renders the result as text, json, markdown, github annotations or junit.
The package is callable: ``inc.gate("0001")`` is :func:`inc.api.gate`, what ``inc gate`` runs.
Nothing here imports an ML library or opens a model file: the gate runs on untrusted PRs.
"""

from __future__ import annotations

from inc._callable import make_callable

make_callable(__name__, "inc.api:gate")  # inc.gate(...) runs the gate: see inc.api.gate
