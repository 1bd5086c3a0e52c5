"""``inc demo``: the whole workflow end to end on synthetic data (needs the ml extra)."""
