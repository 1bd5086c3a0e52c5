"""Reports bound to the chosen model, and chosen models saved in a format safe to load.

Each report records the ``run_id``, ``model_uri`` and ``model_sha256`` of the model it measured
(``inc.model_binding``); here they are compared with the chosen run's record offline, as data:
no model is loaded and no model file is opened. The record's ``model.serialization`` says how the
chosen model was saved; pickle-based formats run code when loaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from inc.gate.context import GateConfig

if TYPE_CHECKING:
    from inc.evidence import RunRecord

FIELDS = ("run_id", "model_uri", "model_sha256")
UNSAFE = {"pickle", "cloudpickle", "joblib", "dill"}
SAFE = {"skops", "ubj", "json", "xgb", "lightgbm-text"}  # what exp.save_model writes, pickle aside
PYFUNC = {"python_function", "pyfunc"}


def _shown(value: Any) -> str:
    text = str(value)
    digest = len(text) == 64 and all(c in "0123456789abcdef" for c in text)
    return repr(text[:12] + "...") if digest else repr(text)


def expected_binding(record: RunRecord) -> dict[str, str | None]:
    """What a report of the chosen run's model must record."""
    model = record.model
    return {
        "run_id": record.run_id,
        "model_uri": model.uri if model is not None else None,
        "model_sha256": model.sha256 if model is not None else None,
    }


def binding_problems(
    report: dict[str, Any], record: RunRecord, where: str, regenerate: str, config: GateConfig
) -> list[str]:
    """Why the report at ``where`` is not bound to the chosen run's model ([] when it is).

    A field that differs from the record fails; a field the report lacks fails with ``--strict``
    or ``inc done`` (reports written before reports recorded their model). A field the record
    itself lacks (no model: ``model_versioned`` fails) is not judged here.
    """
    strict = config.strict or config.closing
    wanted = expected_binding(record)
    wrong, missing = [], []
    for name in FIELDS:
        value, want = report.get(name), wanted[name]
        if want is None:
            continue
        if value in (None, ""):
            missing.append(name)
        elif value != want:
            source = "run_id" if name == "run_id" else f"model.{name.removeprefix('model_')}"
            ledger = f"runs/{record.run_id}.json has {source} {_shown(want)}"
            wrong.append(f"field '{name}' is {_shown(value)} but {ledger}")
    if wrong:
        return [f"{where}: {'; '.join(wrong)}: a report of another model; regenerate it with {regenerate}"]
    if missing and strict:
        return [
            f"{where} does not record {', '.join(repr(m) for m in missing)} of the model it measured (a "
            "report older than model binding, or written by hand), so it is not bound to the chosen "
            f"model; regenerate it with {regenerate}"
        ]
    return []


def unbound_note(record: RunRecord) -> str:
    """A note for a check's detail when the chosen run's record cannot bind reports ("" otherwise)."""
    if record.model is None:
        return "reports not bound to a model: the chosen run saved none (see model_versioned)"
    if not record.model.sha256:
        return "reports bound by model URI only: the chosen run's record holds no model digest"
    return ""


def format_problems(record: RunRecord) -> list[str]:
    """Why the chosen model's saved form is unsafe or unbindable ([] when it is neither)."""
    model = record.model
    if model is None:
        return []
    problems = []
    serialization = (model.serialization or "").strip().lower()
    flavor = (model.flavor or "").strip().lower()
    if flavor in PYFUNC or serialization not in SAFE:
        if flavor in PYFUNC:
            how = f"a {flavor} python_model (cloudpickle)"
        elif serialization in UNSAFE:
            how = f"serialization {serialization}"
        else:
            how = f"serialization {model.serialization!r}, not a format known to load without running code"
        problems.append(
            f"the chosen model {model.uri} is saved as {how}: loading it can run arbitrary code; save it "
            f"again with {_safe_format(flavor)}"
        )
    if not model.sha256:
        problems.append(
            "the chosen run's record holds no digest of its model files (model.sha256), so reports cannot "
            "be bound to it; save the model with exp.save_model in a new run (it records the digest)"
        )
    return problems


def _safe_format(flavor: str) -> str:
    if flavor == "xgboost":
        return "XGBoost's native format (exp.save_model's default, ubj or json)"
    if flavor == "lightgbm":
        return "LightGBM's native text format (a Booster) or skops (exp.save_model's default)"
    return (
        "skops (exp.save_model's default for scikit-learn) or the framework's native format "
        "(XGBoost, LightGBM)"
    )
