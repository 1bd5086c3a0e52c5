"""Top SHAP features of a pipeline are matched to the raw input columns they come from."""

from __future__ import annotations

from inc.explainability.features import group_by_source, source_column

INPUTS = ["amount", "hour", "merchant_category", "merchant"]


def test_transformed_names_map_to_their_input() -> None:
    assert source_column("num__hour", INPUTS) == "hour"
    assert source_column("cat__merchant_category_fuel", INPUTS) == "merchant_category"
    assert source_column("cat__merchant_acme", INPUTS) == "merchant"
    assert source_column("amount", INPUTS) == "amount"


def test_unknown_names_are_kept_so_the_gap_is_reported() -> None:
    assert source_column("num__velocity", INPUTS) == "num__velocity"
    assert source_column("num__hour", []) == "num__hour"


def test_one_hot_columns_group_under_their_input() -> None:
    features = ["num__amount", "cat__merchant_category_fuel", "cat__merchant_category_gaming", "num__hour"]
    assert group_by_source(features, INPUTS) == {
        "amount": ["num__amount"],
        "merchant_category": ["cat__merchant_category_fuel", "cat__merchant_category_gaming"],
        "hour": ["num__hour"],
    }
