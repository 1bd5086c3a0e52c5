"""``inc.ModelExplainer``: the SHAP report under the name ML engineering guidance uses.

``ModelExplainer(model, X_train).generate_all_reports(increment="0042", run_id=run_id)`` is
:func:`inc.explain` (the code ``inc explain`` runs) with the background data bound first:
summary.json, report.md and the beeswarm, bar, waterfall and dependence plots in
``reports/explain-<run_id>/``, linked from the run's ledger record and logged to the MLflow run.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inc.errors import UserError
from inc.workspace import as_workspace

if TYPE_CHECKING:
    from inc.explainability.report import ExplainResult
    from inc.workspace import Workspace


class ModelExplainer:
    """SHAP reports for one fitted model, explained against ``X_background``.

    ``max_background`` and ``max_explain`` cap the rows used (sampled with ``seed``);
    ``workspace`` is a Workspace or a folder inside one (default: the current folder).
    """

    def __init__(
        self,
        model: Any,
        X_background: Any,
        *,
        max_background: int = 100,
        max_explain: int = 1000,
        seed: int = 0,
        workspace: Workspace | str | os.PathLike[str] | None = None,
    ) -> None:
        self.model = model
        self.X_background = X_background
        self.max_background = max_background
        self.max_explain = max_explain
        self.seed = seed
        self.workspace = workspace

    def generate_all_reports(
        self,
        increment: str,
        run_id: str | None = None,
        X_explain: Any = None,
        **options: Any,
    ) -> ExplainResult:
        """Write the run's SHAP report into ``increment``; returns an ``ExplainResult``.

        ``run_id`` defaults to the increment's chosen run; ``X_explain`` (the rows explained)
        defaults to the background data. Other keyword options go to :func:`inc.explain`
        (``top_features``, ``signature``, ``log_artifacts``, ``progress``).
        """
        from inc.explainability.report import explain

        ws = as_workspace(self.workspace)
        run = run_id or self._chosen_run(ws, increment)
        rows = self.X_background if X_explain is None else X_explain
        return explain(
            self.model,
            self.X_background,
            rows,
            increment=str(increment),
            run_id=run,
            max_background=self.max_background,
            max_explain=self.max_explain,
            workspace=ws,
            seed=self.seed,
            **options,
        )

    @staticmethod
    def _chosen_run(ws: Workspace, increment: str) -> str:
        inc = ws.find(str(increment))
        if not inc.meta.chosen_run:
            raise UserError(
                f"{Path(inc.meta_path)}: no chosen run to file the report under; pass "
                f"run_id=exp.run_id (or 'inc choose {inc.id} RUN' first)"
            )
        return inc.meta.chosen_run
