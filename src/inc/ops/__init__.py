"""Operations evidence: load tests, drift, monitoring configuration, tabular data files."""
