"""Tracking: ``track_experiment``, the sealed ledger, fingerprints, and the MLflow adapter."""
