"""SHAP reports: explainer choice, plots, summary, and feature-name mapping."""
