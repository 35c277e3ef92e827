"""The landing contract, at the bottom of the layers: what the load writes and the warehouse
stores, declared once and imported by both (pipelines/load never needs pipelines/warehouse for
it, nor the other way round).

- `issues`: the findings about input files (LoadIssue, Severity), stored in landing.load_issues;
- `tables`: which landing tables there are, and which of them the change set follows.
"""
