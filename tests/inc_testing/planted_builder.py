"""One honest increment made through the real APIs, for the planted-defect corpus.

Real ``inc.track_experiment`` runs on the embedded MLflow SQLite store: two baselines (a
majority classifier and a non-trivial rule on the amount) and three FINISHED scikit-learn
candidates (a logistic regression, a shallow tree and a random forest), each with 5-fold CV; a
real SHAP report through ``inc.explain``, a real in-process load test, monitoring.yaml with a
committed reference file, filled documents and the living docs, all committed to git.
The corpus builds it once per session and copies it per test (``shutil.copytree``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from inc.evidence import read_run_record, sha256_file, write_run_record
from inc.gate.done import rebuild_docs
from inc.gate.model import IncrementVerdict
from inc.gate.runner import run_gate
from inc.increment import Increment
from inc.meta import Metric, Waiver
from inc.scaffold import init_workspace, new_increment
from inc.workspace import Workspace
from inc_testing import git
from inc_testing.gate_evidence import FEATURES, commit_all, fill_documents, monitoring_yaml, set_meta

INC = "0001-fraud-detection"
OWNER = "ml-team"
TARGET = 0.8
# The training code the runs are digested against (listed under ``code:`` in increment.yaml and
# committed before any run; the gate hashes it, never runs it).
TRAIN_PY = """\"\"\"Train the fraud-detection candidates and baselines of increment 0001.\"\"\"

from sklearn.dummy import DummyClassifier
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

MODELS = {
    "majority": DummyClassifier(strategy="prior"),
    "logistic": LogisticRegression(max_iter=200),
    "tree": DecisionTreeClassifier(max_depth=3, random_state=0),
    "forest": RandomForestClassifier(n_estimators=15, max_depth=4, random_state=0),
}
"""


def inc_dir(root: Path) -> Path:
    """The honest increment's folder."""
    return root / "increments" / INC


def _data() -> tuple[Any, Any, Any, Any]:
    import pandas as pd
    from sklearn.datasets import make_classification
    from sklearn.model_selection import train_test_split

    X, y = make_classification(
        n_samples=500, n_features=4, n_informative=3, n_redundant=0, random_state=7, class_sep=1.2
    )
    frame = pd.DataFrame(X, columns=FEATURES)
    train_x, test_x, train_y, test_y = train_test_split(frame, y, test_size=0.3, random_state=7, stratify=y)
    return train_x, test_x, train_y, test_y


def _track(ws: Workspace, name: str, role: str, model: Any, data: tuple[Any, ...], save: bool) -> str:
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    from inc import track_experiment

    train_x, test_x, train_y, test_y = data
    folds = cross_val_score(
        model, train_x, train_y, cv=StratifiedKFold(5, shuffle=True, random_state=0), scoring="roc_auc"
    )
    model.fit(train_x, train_y)
    score = roc_auc_score(test_y, model.predict_proba(test_x)[:, 1])
    with track_experiment(name, increment="0001", role=role, workspace=ws) as exp:
        exp.log_params(model.get_params())
        exp.log_metrics({"roc_auc": float(score)})
        exp.log_cv([float(f) for f in folds], metric="roc_auc")
        exp.log_dataset(train_x, name="train")
        exp.log_dataset(test_x, name="test")
        if save:
            exp.save_model(model, input_example=train_x[:5])
        exp.log_note(f"{name}: {role} run of the planted-defect corpus")
    return exp.run_id


def _track_rule(ws: Workspace, data: tuple[Any, ...]) -> str:
    """The non-trivial baseline: the rule in place today, "the larger the amount, the riskier".

    It scores each row by its amount (no fitting), on the same 5 folds as the models.
    """
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    from inc import track_experiment

    train_x, test_x, train_y, test_y = data
    splits = StratifiedKFold(5, shuffle=True, random_state=0).split(train_x, train_y)
    folds = [float(roc_auc_score(train_y[held], train_x["amount"].iloc[held])) for _, held in splits]
    score = float(roc_auc_score(test_y, test_x["amount"]))
    with track_experiment("amount-rule", increment="0001", role="baseline", workspace=ws) as exp:
        exp.log_params({"rule": "score = amount", "feature": "amount"})
        exp.log_metrics({"roc_auc": score})
        exp.log_cv(folds, metric="roc_auc")
        exp.log_dataset(train_x, name="train")
        exp.log_note("amount-rule: the current production rule (flag large amounts), the baseline to beat")
    return exp.run_id


def build_honest_repo(root: Path) -> Path:
    """A git repository whose increment 0001 passes ``inc gate --strict``; returns ``root``."""
    from sklearn.dummy import DummyClassifier
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.tree import DecisionTreeClassifier

    from inc.tracking.runs_table import choose

    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    init_workspace(root)
    commit_all(root, "inc init")
    ws = Workspace.discover(root)
    path = new_increment(ws, "fraud-detection", target=TARGET).increment.path
    fill_documents(path)
    set_meta(
        path,
        status="active",
        owner=OWNER,
        metric=Metric(name="roc_auc", goal="maximize", target=TARGET),
        code=["train.py"],
    )
    (root / "train.py").write_text(TRAIN_PY)
    data = _data()
    (root / "data").mkdir()
    data[1].to_csv(root / "data" / "holdout.csv", index=False)
    data[0].to_csv(root / "data" / "reference.csv", index=False)
    reference = sha256_file(root / "data" / "reference.csv")
    (path / "monitoring.yaml").write_text(
        monitoring_yaml(FEATURES, alert_below=0.78, reference_sha=reference)
    )
    commit_all(root, "spec, plan and data")
    _track(ws, "majority", "baseline", DummyClassifier(strategy="prior"), data, save=False)
    _track_rule(ws, data)
    _track(ws, "logistic", "candidate", LogisticRegression(max_iter=200), data, save=True)
    _track(ws, "tree", "candidate", DecisionTreeClassifier(max_depth=3, random_state=0), data, save=False)
    forest = RandomForestClassifier(n_estimators=15, max_depth=4, random_state=0)
    chosen = _track(ws, "forest", "candidate", forest, data, save=True)
    choose(ws, "0001", chosen)
    make_reports(ws, forest, data, chosen, log_artifacts=True)  # --verify compares them
    rebuild_docs(ws)
    commit_all(root, "evidence")
    return root


def make_reports(ws: Workspace, model: Any, data: tuple[Any, ...], run_id: str, log_artifacts: bool) -> None:
    """The chosen run's SHAP and evaluation reports and an in-process load test on
    data/holdout.csv, through the real APIs (``data`` is ``(X_train, X_test, y_train, y_test)``).
    With ``log_artifacts`` the reports also become artifacts of the run."""
    from inc import evaluate, explain
    from inc.ops.loadtest import LoadTestOptions, run_loadtest

    options: dict[str, Any] = {"increment": "0001", "run_id": run_id, "workspace": ws}
    explain(
        model,
        data[0],
        data[1],
        max_background=50,
        max_explain=60,
        progress=False,
        log_artifacts=log_artifacts,
        **options,
    )
    evaluate(model, data[1], data[3], replicates=50, log_artifacts=log_artifacts, **options)
    holdout = ws.root / "data" / "holdout.csv"
    run_loadtest(ws, ws.find("0001"), run_id, holdout, LoadTestOptions(requests=250, warmup=5))


def relocate_store(source: Path, copy: Path) -> None:
    """Point the copied embedded store's artifact locations at the copy's own ``mlartifacts/``.

    MLflow stores absolute artifact URIs: without this, a copy's runs still read and write the
    original's artifacts, so a test that logs a report in its copy changes the reports every later
    copy's ``--verify`` compares with.
    """
    import sqlite3

    db = copy / "mlflow.db"
    if not db.is_file():
        return
    old, new = str(source.resolve()) + "/", str(copy.resolve()) + "/"
    with sqlite3.connect(db) as conn:
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            columns = [
                row[1]
                for row in conn.execute(f'PRAGMA table_info("{table}")')
                if "CHAR" in row[2].upper() or "TEXT" in row[2].upper()
            ]
            for column in columns:
                conn.execute(
                    f'UPDATE "{table}" SET "{column}" = REPLACE("{column}", ?, ?) WHERE instr("{column}", ?) > 0',  # noqa: S608 (names from sqlite_master)
                    (old, new, old),
                )


# --- what the plantings use -----------------------------------------------------------------


def gate(root: Path, strict: bool = True) -> IncrementVerdict:
    """The verdict on the honest increment (``--strict`` by default: every check blocks)."""
    return run_gate(Workspace.discover(root), [INC], strict=strict).increments[0]


def failing(verdict: IncrementVerdict) -> list[str]:
    """Ids of the failing checks, in report order."""
    return [c.id for c in verdict.checks if c.status == "fail"]


def meta(root: Path) -> Any:
    """The honest increment's metadata."""
    return Increment.load(inc_dir(root)).meta


def chosen_id(root: Path) -> str:
    """The chosen run id."""
    run = meta(root).chosen_run
    assert run
    return str(run)


def runs_of(root: Path, role: str) -> list[Path]:
    """Ledger files of one role."""
    return [p for p in sorted((inc_dir(root) / "runs").glob("*.json")) if read_run_record(p).role == role]


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace ``old`` (which must be there) by ``new`` in a file."""
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, count))


def edit_re(path: Path, pattern: str, new: str) -> None:
    """Replace the first match of a regex (re.M; which must match)."""
    text = path.read_text()
    updated, n = re.subn(pattern, new, text, count=1, flags=re.M)
    assert n == 1, (path, pattern)
    path.write_text(updated)


def write_policy(root: Path, **floors: object) -> None:
    """Set floors under ``policy:`` in inc.yaml."""
    lines = "".join(f"  {key}: {value}\n" for key, value in floors.items())
    with (root / "inc.yaml").open("a", encoding="utf-8") as handle:
        handle.write(f"policy:\n{lines}")


def waive(root: Path, check: str, **fields: object) -> None:
    """Write a waiver for ``check`` (a holding one unless ``fields`` spoil it)."""
    values: dict[str, object] = {
        "check": check,
        "reason": f"accepted by the risk review of {check}: the online test covers it",
        "approved_by": "risk-lead",
        "expires": dt.date.today() + dt.timedelta(days=30),
    }
    values.update(fields)
    current = meta(root)
    waivers = [w for w in current.waivers if w.check != check] + [Waiver.model_validate(values)]
    set_meta(inc_dir(root), waivers=waivers)


def reseal_reports(root: Path, run_id: str) -> None:
    """Re-hash the reports the run record links (what a forger with write access would do)."""
    path = inc_dir(root) / "runs" / f"{run_id}.json"
    record = read_run_record(path)
    refs = [r.model_copy(update={"sha256": sha256_file(inc_dir(root) / r.path)}) for r in record.reports]
    write_run_record(path.parent, record.model_copy(update={"reports": refs}))


def rewrite_json(path: Path, change: Any) -> None:
    """Load JSON, let ``change`` edit it in place, write it back."""
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data, indent=2))


def docs(root: Path) -> None:
    """Rebuild the living docs (the PR kept them current)."""
    rebuild_docs(Workspace.discover(root))


ROOT_DEPENDENTS = {
    "baseline",
    "cross_validation",
    "leakage",
    "model_versioned",
    "explainability",
    "evaluation",
    "load_test",
    "staleness",
    "monitoring",
}


def assert_planted(
    root: Path,
    plant: Callable[[Path], None],
    check: str,
    needle: str,
    *,
    rebuild_docs: bool = True,
    root_cause: bool = False,
    strict: bool = True,
) -> IncrementVerdict:
    """Plant one defect in the honest copy at ``root`` and assert the gate fails exactly ``check``.

    ``needle`` must appear in that check's detail and the verdict must block. With
    ``root_cause`` the checks that depend on the broken record must say "skipped: needs
    experiments" instead of repeating the failure. Returns the verdict for further asserts.
    """
    plant(root)
    if rebuild_docs:
        docs(root)
    v = gate(root, strict=strict)
    assert failing(v) == [check], [(c.id, c.detail) for c in v.checks if c.status == "fail"]
    result = v.check(check)
    assert needle in result.detail, result.detail
    assert result.blocking and not v.passed
    if root_cause:
        skipped = [c for c in v.checks if c.status == "skip"]
        assert {c.id for c in skipped} >= ROOT_DEPENDENTS
        assert all(c.detail.startswith("skipped: needs experiments") for c in skipped), skipped
    return v
