"""Entry point for `dagster dev` (workspace.yaml): the definitions, configured from the environment."""

from pipelines.defs.definitions import build_definitions

defs = build_definitions()
