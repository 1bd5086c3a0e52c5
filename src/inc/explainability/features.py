"""Feature names: from a pipeline's transformed features back to the input columns they come from.

Standard library only: the monitoring check (core path) and the SHAP report both use it.
"""

from __future__ import annotations


def source_column(feature: str, model_inputs: list[str]) -> str:
    """The model input a (possibly transformed) feature comes from.

    Pipelines are explained on their transformed features (``num__hour``,
    ``cat__merchant_category_fuel``, as ``get_feature_names_out`` names them); what is
    watched for drift, and what a reader thinks in, is the input column (``hour``,
    ``merchant_category``). Names that match no input are returned unchanged.
    """
    if feature in model_inputs or not model_inputs:
        return feature
    bare = feature.rsplit("__", 1)[-1]
    if bare in model_inputs:
        return bare
    prefixes = [name for name in model_inputs if bare.startswith(f"{name}_")]
    return max(prefixes, key=len) if prefixes else feature


def group_by_source(features: list[str], model_inputs: list[str]) -> dict[str, list[str]]:
    """Input column -> the features derived from it, in the order the features come."""
    groups: dict[str, list[str]] = {}
    for feature in features:
        groups.setdefault(source_column(feature, model_inputs), []).append(feature)
    return groups
