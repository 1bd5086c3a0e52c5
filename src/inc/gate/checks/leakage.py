"""The ``leakage`` check: the chosen run's test data must not be its training data.

It reads the datasets the chosen run logged with ``exp.log_dataset`` (``runs/<id>.json``):
every training dataset against every evaluation dataset. Two with the same sha256 are the
same data. Otherwise the row sketches (``inc.tracking.fingerprint``) estimate the share of test
rows that are also in train, and more than ``policy.leakage_share`` (inc.yaml, default 1%)
above what an honest split of data with repeated rows gives fails. Plain Python over the
recorded integers: no ML library, no data file read.

The estimator. A sketch lists a dataset's smallest distinct 64-bit row hashes; below its last
hash (its threshold) it is complete, and a sketch holding every distinct hash has no threshold.
The test hashes at or below both thresholds, ``n`` of them, are a uniform random sample (the
hash is random) of test's ``D`` distinct rows, and whether each is in train is known exactly,
since train's sample is complete there. With ``c_i`` the rows of sampled hash ``i``, the
estimate is ``p = sum(c_i, i in train) / sum(c_i)``, the share of test *rows* found in train.
Its standard error is ``sqrt(p (1 - p) / n_eff * (1 - n / D))`` with ``n_eff = (sum c_i)^2 /
sum c_i^2`` (``n`` when no row repeats); the estimate lies within 3 standard errors of the
truth (computed with the true share) about 99.7% of the time, and is exact when ``n = D``.
With 256 test hashes and training sketches widened to 1,024 hashes, ``n`` is about 256 while
train is up to 4 times larger than test, about 100 at 10 times.

Honest repeats. Low-cardinality data shares rows between any two random halves. Under a
random split, a test row is in train as often as a train row has another copy in train, so
the expected honest share ``d`` is train's repeated-row share (``repeated_rows / rows``),
capped by what test's own repeats predict (``honest_share``: oversampling train cannot raise
it when test's rows do not repeat). The check fails on ``p - d > leakage_share + 3 sqrt(d (1 -
d)) sqrt(1/n_eff + 1/test rows)``: with no repeated rows (``d = 0``) that is ``p >
leakage_share``; on data whose rows repeat, only overlap well beyond an honest split is caught.

Rows match exactly or not at all: a test row with noise added, values rounded or cast to
float32 differs from its train row (a narrowed float dtype is named when nothing matched).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

from inc.gate.checks.numbers import short
from inc.gate.context import EvidenceSet, GateConfig
from inc.gate.model import Outcome, fail, ok, skip, warn
from inc.gate.policy import policy_of
from inc.increment import Increment
from inc.rules import is_training

if TYPE_CHECKING:
    from inc.evidence import DatasetFingerprint, RowSketch

HINT = 'log both in the training run: exp.log_dataset(X_train, "train") and exp.log_dataset(X_test, "test")'
_Z = 3.0
_NARROW_FLOATS = {"float16", "float32", "Float32"}


class Overlap(NamedTuple):
    """The estimated share of a test set's rows that also occur in a training set."""

    share: float  # estimated share of test rows found in train
    compared: int  # sampled distinct test rows whose presence in train is known (n)
    distinct: int  # distinct test rows (D)
    effective: float  # n_eff: the sample size the error is computed with
    honest: float  # train's repeated-row share: what an honest random split shares
    allowance: float  # the noise allowed around ``honest``

    @property
    def exact(self) -> bool:
        """True when every distinct test row was compared."""
        return self.compared >= self.distinct

    def error(self, share: float | None = None) -> float:
        """Three standard errors of the estimate at ``share`` (default: the estimate itself)."""
        p = self.share if share is None else share
        if self.exact or self.effective <= 0:
            return 0.0
        spread = p * (1 - p) / self.effective * max(0.0, 1 - self.compared / self.distinct)
        return _Z * math.sqrt(spread)

    @property
    def excess(self) -> float:
        """The estimated share beyond what an honest split of this data gives."""
        return self.share - self.honest


def threshold(sketch: RowSketch) -> float:
    """The hash up to which ``sketch`` is complete (infinite when it lists every distinct row)."""
    if sketch.complete or not sketch.hashes:
        return math.inf
    return int(sketch.hashes[-16:], 16)


def estimate_overlap(train: RowSketch, test: RowSketch) -> Overlap | None:
    """The share of ``test``'s rows also in ``train`` (None when they were sketched differently).

    Raises ValueError on a malformed sketch.
    """
    if train.method != test.method:
        return None
    limit = min(threshold(train), threshold(test))
    in_train = set(train.values())
    sample = [(h, c) for h, c in zip(test.values(), test.multiplicities(), strict=True) if h <= limit]
    rows = sum(c for _, c in sample)
    found = sum(c for h, c in sample if h in in_train)
    effective = rows * rows / sum(c * c for _, c in sample) if sample else 0.0
    honest = honest_share(train, test)
    noise = math.sqrt(honest * (1 - honest))
    allowance = _Z * noise * math.sqrt(1 / effective + 1 / max(test.rows, 1)) if effective else 0.0
    return Overlap(
        share=found / rows if rows else 0.0,
        compared=len(sample),
        distinct=test.distinct_rows,
        effective=effective,
        honest=honest,
        allowance=allowance,
    )


def honest_share(train: RowSketch, test: RowSketch) -> float:
    """The share of test rows an honest random split of this data puts in train as well.

    Train's repeated-row share ``d`` predicts it (a test row has a copy in train as often as a
    train row has another copy in train). Oversampling train (duplicating rows) inflates ``d``,
    so it is capped by what test's own repeats predict: a row with ``m`` copies has another in
    test with probability ``1 - (1 - q)^(m - 1)`` and one in train with ``1 - (1 - p)^(m - 1)``
    (``p``, ``q``: train's and test's share of the rows), hence ``1 - (1 - d_test)^a`` with
    ``a = ln(1 - p) / ln(1 - q)``, an overestimate when multiplicities vary (concavity).
    """
    if not train.rows or not test.rows:
        return 0.0
    own = train.repeated_rows / train.rows
    mine = min(1.0, test.repeated_rows / test.rows)
    p = train.rows / (train.rows + test.rows)
    exponent = math.log1p(-p) / math.log1p(-(1 - p)) if 0 < p < 1 else 1.0
    predicted: float = 1.0 - math.pow(1.0 - mine, exponent)
    return min(own, predicted)


def check_leakage(inc: Increment, ev: EvidenceSet, config: GateConfig) -> Outcome:
    """Train and test of the chosen run are not the same rows (hash, then row sketches).

    No train/test pair logged warns, and fails with ``--strict`` and ``inc done``; a pair whose
    rows cannot be compared (different columns, different sketch methods) likewise. A pair
    logged before inc recorded sketches is judged by hash only, with a warning saying so.
    """
    record = ev.chosen.record
    if record is None:
        return skip("no chosen run to judge")
    path = ev.run_paths.get(record.run_id)
    where = ev.rel(path) if path is not None else ev.rel(inc.runs_dir)
    strict = config.strict or config.closing
    trains = [d for d in record.datasets if is_training(d.context, d.name)]
    tests = [d for d in record.datasets if not is_training(d.context, d.name)]
    if not trains or not tests:
        missing = "no training dataset" if not trains else "no test (evaluation) dataset"
        logged = ", ".join(f"{d.name!r} as {_kind(d)}" for d in record.datasets)
        detail = (
            f"the chosen run {short(record.run_id)} logged {missing} ({logged or 'no dataset'}), so nothing "
            f"shows its test rows are not in train; {HINT}"
        )
        return fail(detail, where) if strict else warn(detail, where)
    share = policy_of(config).leakage_share
    verdicts = [_pair(train, test, share) for train in trains for test in tests]
    evaluated = _evaluated_elsewhere(inc, ev, record.run_id, trains, tests)
    if evaluated:
        verdicts.append(("unjudged", evaluated))
    failures = [text for kind, text in verdicts if kind == "fail"]
    unjudged = [text for kind, text in verdicts if kind == "unjudged"]
    notes = [text for kind, text in verdicts if kind == "note"]
    passes = [text for kind, text in verdicts if kind == "ok"]
    if failures:
        return fail("; ".join(failures + unjudged), where)
    if unjudged:
        detail = "; ".join(unjudged)
        return fail(detail, where) if strict else warn(detail, where)
    if notes:
        return warn("; ".join(notes + passes), where)
    return ok("; ".join(passes), where)


def _evaluated_elsewhere(
    inc: Increment,
    ev: EvidenceSet,
    run_id: str,
    trains: list[DatasetFingerprint],
    tests: list[DatasetFingerprint],
) -> str:
    """Why the run's evaluation report did not score a logged test set ("" when its size matches one).

    The comparison of train and test means something only for the data the metric came from.
    """
    from inc.evaluation.names import SUMMARY

    path = inc.evaluation_dir(run_id) / SUMMARY
    summary = ev.parse("evaluation_summary", path) if path.is_file() else None
    if summary is None or any(d.shape and d.shape[0] == summary.rows for d in tests):
        return ""
    sizes = ", ".join(f"{d.name!r} {d.shape[0] if d.shape else 0:,}" for d in tests)
    same = [d.name for d in trains if d.shape and d.shape[0] == summary.rows]
    like = f", as many as {same[0]!r}" if same else ""
    return (
        f"{ev.rel(path)} scored {summary.rows:,} rows{like}, but no logged test set has that many ({sizes}): "
        'log the data the model was evaluated on, e.g. exp.log_dataset(X_test, "test")'
    )


def _pair(train: DatasetFingerprint, test: DatasetFingerprint, share: float) -> tuple[str, str]:
    """("fail" | "unjudged" | "note" | "ok", one line) for one training and one test dataset."""
    names = f"{test.name!r} and {train.name!r}"
    if train.sha256 == test.sha256:
        return "fail", (
            f"{names} are the same data (sha256 {train.sha256[:12]}): the model is evaluated on the rows "
            "it was trained on; evaluate on a held-out split"
        )
    if not test.shape or test.shape[0] == 0:
        return "unjudged", f"{test.name!r} has no rows: log the data the model was evaluated on"
    if train.sketch is None or test.sketch is None:
        missing = train.name if train.sketch is None else test.name
        return "note", (
            f"{names} differ by hash, but {missing!r} has no row sketch (logged by an earlier inc): "
            "rows were not compared; re-run the training to record sketches"
        )
    try:
        overlap = estimate_overlap(train.sketch, test.sketch)
    except ValueError as exc:
        return "unjudged", f"{names}: the row sketch is malformed ({exc}); re-run the training"
    if overlap is None:
        return "unjudged", (
            f"{names} were sketched differently ({train.sketch.method} vs {test.sketch.method}): "
            "their rows cannot be compared; log both with the same inc version"
        )
    return _judge(names, train, test, overlap, share)


def _judge(
    names: str, train: DatasetFingerprint, test: DatasetFingerprint, overlap: Overlap, share: float
) -> tuple[str, str]:
    found = _estimate_text(overlap)
    if overlap.excess > share + overlap.allowance:
        honest = f", {overlap.honest:.1%} expected from train's own repeated rows" if overlap.honest else ""
        return "fail", (
            f"an estimated {found} of {test.name!r} rows are also in {train.name!r}{honest}: more than the "
            f"{share:.1%} allowed (policy.leakage_share in inc.yaml); split before resampling or "
            "augmenting, and drop test rows found in train"
        )
    columns = _column_difference(train, test)
    if columns and overlap.share == 0:
        return "unjudged", (
            f"{names} have different columns ({columns}), so their rows cannot be compared; log both "
            "with the same columns and dtypes (both features only, or both with the target)"
        )
    if overlap.compared == 0:
        return "note", f"{names}: no sampled test row falls in train's sample: rows were not compared"
    honest = f" (train repeats {overlap.honest:.1%} of its own rows)" if overlap.honest else ""
    return "ok", f"{found} of {test.name!r} rows also in {train.name!r}{honest}, allowed {share:.1%}"


def _estimate_text(overlap: Overlap) -> str:
    """``1.2% ± 0.8%`` (or exact) with the number of test rows compared."""
    sample = f"{overlap.compared:,} distinct test rows compared"
    if overlap.exact:
        return f"{overlap.share:.1%} (exact, all {sample})"
    if overlap.share == 0 and overlap.compared:
        return f"0.0% (under {3 / overlap.compared:.1%} at 95%, {sample})"
    if overlap.share == 1 and overlap.compared:
        return f"100.0% (over {1 - 3 / overlap.compared:.1%} at 95%, {sample})"
    return f"{overlap.share:.1%} ± {overlap.error():.1%} ({sample})"


def _column_difference(train: DatasetFingerprint, test: DatasetFingerprint) -> str:
    """What differs between the two column lists ("" when both list the same names)."""
    ours = {c.name: c.dtype for c in train.columns}
    theirs = {c.name: c.dtype for c in test.columns}
    only_train = sorted(set(ours) - set(theirs))[:3]
    only_test = sorted(set(theirs) - set(ours))[:3]
    parts = [f"only in {train.name!r}: {', '.join(only_train)}"] if only_train else []
    parts += [f"only in {test.name!r}: {', '.join(only_test)}"] if only_test else []
    # numbers hash as float64: a column cast to a narrower float holds other values
    narrowed = [
        f"{name} is {ours[name]} in {train.name!r}, {theirs[name]} in {test.name!r}"
        for name in sorted(set(ours) & set(theirs))
        if ours[name] != theirs[name] and {ours[name], theirs[name]} & _NARROW_FLOATS
    ]
    return "; ".join(parts + narrowed[:3])


def _kind(dataset: DatasetFingerprint) -> str:
    return "training" if is_training(dataset.context, dataset.name) else "evaluation"
