"""Rules and methods shared by the pydantic models and their plain reading (``inc.light``).

The models (``inc.evidence``, ``inc.meta``, ``inc.ops.monitoring_schema``) call these functions from
their validators and inherit these methods, and ``inc.light`` runs the same functions on the
objects it builds without pydantic, so both readings of a file agree by construction. Standard
library only: the gate imports this module.
"""

from __future__ import annotations

import math
import re
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

# method -> (default warn, default alert)
DEFAULT_THRESHOLDS: dict[str, tuple[float, float]] = {
    "psi": (0.1, 0.25),
    "ks": (0.1, 0.2),
    "wasserstein": (0.1, 0.25),
    "chi2": (0.1, 0.2),
    "jensen_shannon": (0.1, 0.2),
}
# method -> largest meaningful threshold (every threshold must be > 0)
THRESHOLD_MAX: dict[str, float] = {
    "psi": 10.0,
    "ks": 1.0,
    "wasserstein": 10.0,
    "chi2": 1.0,
    "jensen_shannon": 1.0,
}
NUMERIC_ONLY = frozenset({"ks", "wasserstein"})
_TRAIN_NAME = re.compile(r"(?:^|[^a-z])train", re.I)
_CRON_FIELD = re.compile(r"^[0-9A-Za-z*/,?#LW-]+$")
_CRON_MACROS = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}


# --- validators (each raises ValueError with the message pydantic shows) ---


def known_check(check: str) -> str:
    """A waiver names a gate check that exists."""
    from inc.gate.catalog import CHECK_IDS

    if check not in CHECK_IDS:
        raise ValueError(f"unknown check {check!r}; one of {', '.join(CHECK_IDS)}")
    return check


def one_waiver_per_check(checks: Iterable[str]) -> None:
    """No check is waived twice."""
    seen = list(checks)
    dupes = sorted({c for c in seen if seen.count(c) > 1})
    if dupes:
        raise ValueError(f"more than one waiver for {', '.join(dupes)}")


def inside_workspace(folder: str) -> str:
    """A folder setting is relative and stays inside the workspace (no '..')."""
    path = PurePosixPath(folder.replace("\\", "/"))
    if not folder.strip() or path.is_absolute() or ".." in path.parts:
        raise ValueError("must be a folder inside the workspace (relative, without '..')")
    return folder


def drift_thresholds(method: str, warn: float | None, alert: float | None) -> tuple[float, float]:
    """(warn, alert) of a drift rule with the method's defaults filled in, checked in range."""
    default_warn, default_alert = DEFAULT_THRESHOLDS[method]
    filled_warn = default_warn if warn is None else warn
    filled_alert = default_alert if alert is None else alert
    if warn is not None and alert is None and filled_warn > filled_alert:
        filled_alert = filled_warn
    high = THRESHOLD_MAX[method]
    for name, value in (("warn", filled_warn), ("alert", filled_alert)):
        if not 0 < value <= high:
            raise ValueError(f"{name} {value} is out of range for {method}: must be > 0 and <= {high:g}")
    if filled_warn > filled_alert:
        raise ValueError(f"warn {filled_warn} must not exceed alert {filled_alert}")
    return filled_warn, filled_alert


def method_fits_kind(kind: str, method: str) -> None:
    """A categorical feature cannot use a statistic of numbers."""
    if kind == "categorical" and method in NUMERIC_ONLY:
        raise ValueError(
            f"method {method} needs numbers; use psi, chi2 or jensen_shannon for a categorical feature"
        )


def exactly_one(first: object, second: object, message: str) -> None:
    """Exactly one of two optional settings is given."""
    if (first is None) == (second is None):
        raise ValueError(message)


ONE_THRESHOLD = "give exactly one of alert_below (metrics to maximize) or alert_above (to minimize)"
ONE_LOCATION = "give exactly one of path (in the repository) or uri"


def unique_names(names: Iterable[str], what: str) -> None:
    """No name listed twice."""
    seen = list(names)
    dupes = sorted({name for name in seen if seen.count(name) > 1})
    if dupes:
        raise ValueError(f"{what} listed more than once: {', '.join(dupes)}")


def cron_schedule(value: str) -> str:
    """A 5-field cron expression or macro, stripped ("" for none)."""
    value = value.strip()
    if not value or value in _CRON_MACROS:
        return value
    fields = value.split()
    if len(fields) != 5 or not all(_CRON_FIELD.match(part) for part in fields):
        raise ValueError(f"not a cron schedule: {value!r}; use 5 fields like '0 6 * * *' or @daily")
    return value


# --- which logged dataset is training data (``exp.log_dataset`` and the gate's leakage check) ---


def context_of(name: str) -> str:
    """``training`` for "train", "X_train", "train_set", "training" (not "pretrained"), else evaluation."""
    return "training" if _TRAIN_NAME.search(name.strip()) else "evaluation"


def is_training(context: str | None, name: str) -> bool:
    """A training dataset: by its logged context, or for older records (none logged) by its name."""
    if context:
        return context.strip().lower().startswith("train")
    return context_of(name) == "training"


# --- the mean and spread of fold scores, exactly as ``statistics`` computes them ---
# (``statistics`` imports fractions, decimal and random: a tenth of an ``inc gate --changed``.)


def fmean(values: Sequence[float]) -> float:
    """``statistics.fmean(values)``: the correctly rounded sum over the count."""
    return math.fsum(values) / len(values)


def pstdev(values: Sequence[float]) -> float:
    """``statistics.pstdev(values)``, bit for bit: the exact population variance of the floats
    (integer arithmetic over their common power-of-two denominator), then its correctly rounded
    square root (``statistics._float_sqrt_of_frac``)."""
    if not values or not all(type(v) is float and math.isfinite(v) for v in values):
        import statistics  # empty, NaN, infinite or not floats: its own answer (or error)

        return statistics.pstdev(values)
    ratios = [v.as_integer_ratio() for v in values]
    common = max(d for _, d in ratios)  # denominators are powers of two: the largest holds them all
    scaled = [n * (common // d) for n, d in ratios]
    count, total = len(scaled), sum(scaled)
    num = count * sum(x * x for x in scaled) - total * total
    den = count * count * common * common
    gcd = math.gcd(num, den)
    return _float_sqrt_of_frac(num // gcd, den // gcd)


def _float_sqrt_of_frac(n: int, m: int) -> float:
    """Square root of n/m as a float, correctly rounded (``statistics._float_sqrt_of_frac``)."""
    q = (n.bit_length() - m.bit_length() - 109) // 2  # 109: twice the 53-bit mantissa, plus 3
    if q >= 0:
        return float(_isqrt_rto(n, m << 2 * q) << q)
    return _isqrt_rto(n << -2 * q, m) / (1 << -q)


def _isqrt_rto(n: int, m: int) -> int:
    """Square root of n/m rounded to an integer with round-to-odd."""
    a = math.isqrt(n // m)
    return a | (a * a * m != n)


# --- methods the models and their plain objects share ---


class _Folds(Protocol):
    folds: list[float]


class _Sketch(Protocol):
    hashes: str
    counts: str
    distinct_rows: int


class _Thresholds(Protocol):
    warn: float | None
    alert: float | None


class _Features(Protocol):
    @property
    def features(self) -> Any: ...


class _Waivers(Protocol):
    @property
    def waivers(self) -> Any: ...


class FoldsMethods:
    """``CV``: mean and spread of the fold scores."""

    @property
    def mean(self: _Folds) -> float:
        """Mean of the fold scores (0 with no folds)."""
        return fmean(self.folds) if self.folds else 0.0

    @property
    def std(self: _Folds) -> float:
        """Population standard deviation of the fold scores: the one inc logs, shows and gates on."""
        return pstdev(self.folds) if self.folds else 0.0


class SketchMethods:
    """``RowSketch``: the sampled hashes and their row counts."""

    def values(self: _Sketch) -> list[int]:
        """The sampled row hashes, ascending (ValueError when ``hashes`` is not 16-hex-digit values)."""
        text = self.hashes
        if len(text) % 16:
            raise ValueError("sketch hashes are not a multiple of 16 hex digits")
        return [int(text[i : i + 16], 16) for i in range(0, len(text), 16)]

    def multiplicities(self: _Sketch) -> list[int]:
        """Rows per sampled hash (all 1 when ``counts`` is empty)."""
        size = len(self.hashes) // 16
        counts = [int(c) for c in self.counts.split()] if self.counts.strip() else [1] * size
        if len(counts) != size or min(counts, default=1) < 1:
            raise ValueError("sketch counts do not match its hashes")
        return counts

    @property
    def complete(self: _Sketch) -> bool:
        """True when every distinct row hash is listed (the dataset is fully known)."""
        return len(self.hashes) // 16 >= self.distinct_rows


class ThresholdMethods:
    """``DriftRule``: its thresholds once validated."""

    @property
    def thresholds(self: _Thresholds) -> tuple[float, float]:
        """(warn, alert), defaults filled in."""
        assert self.warn is not None and self.alert is not None
        return self.warn, self.alert


class MonitoringMethods:
    """``MonitoringConfig``: a watched feature by name."""

    def feature(self: _Features, name: str) -> Any:
        """The watch entry of ``name``, if any."""
        return next((f for f in self.features if f.name == name), None)


class MetaMethods:
    """``IncrementMeta``: the waiver of a check."""

    def waiver_for(self: _Waivers, check: str) -> Any:
        """The waiver for ``check``, if any."""
        return next((w for w in self.waivers if w.check == check), None)
