"""A synthetic, seeded, imbalanced card-transactions table (about 3% fraud)."""

from __future__ import annotations

from typing import Any

CATEGORIES = ("grocery", "travel", "electronics", "gaming", "fuel", "restaurants")
FEATURES = (
    "amount",
    "hour",
    "merchant_category",
    "account_age_days",
    "tx_last_24h",
    "distance_from_home_km",
    "foreign",
    "card_present",
)


def transactions(n_rows: int = 10000, seed: int = 7) -> Any:
    """A pandas DataFrame of transactions with a binary ``is_fraud`` column.

    Fraud is drawn from a logistic model of the features (large amounts at night, far
    from home, on new accounts, bursts of transactions), so a good model can learn it and
    the baselines cannot.
    """
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    amount = np.round(rng.lognormal(mean=3.6, sigma=1.0, size=n_rows), 2)
    hour = rng.integers(0, 24, size=n_rows)
    category = rng.choice(CATEGORIES, size=n_rows, p=[0.3, 0.08, 0.12, 0.1, 0.2, 0.2])
    account_age = rng.gamma(shape=2.0, scale=400.0, size=n_rows).round()
    tx_24h = rng.poisson(2.0, size=n_rows)
    distance = np.round(rng.exponential(15.0, size=n_rows), 1)
    foreign = (rng.random(n_rows) < 0.07).astype(int)
    card_present = (rng.random(n_rows) < 0.6).astype(int)
    night = ((hour <= 5) | (hour >= 23)).astype(float)
    risky = np.isin(category, ("electronics", "gaming", "travel")).astype(float)
    logit = (
        -7.4
        + 0.45 * np.log1p(amount)
        + 1.8 * night
        + 1.4 * risky
        + 1.7 * (account_age < 120)
        + 0.45 * np.minimum(tx_24h, 10)
        + 1.3 * (distance > 50)
        + 1.5 * foreign
        - 1.4 * card_present
    )
    fraud = (rng.random(n_rows) < 1.0 / (1.0 + np.exp(-logit))).astype(int)
    return pd.DataFrame(
        {
            "amount": amount,
            "hour": hour,
            "merchant_category": category,
            "account_age_days": account_age,
            "tx_last_24h": tx_24h,
            "distance_from_home_km": distance,
            "foreign": foreign,
            "card_present": card_present,
            "is_fraud": fraud,
        }
    )
