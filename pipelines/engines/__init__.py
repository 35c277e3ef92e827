"""Which engine runs a load: DuckDB on one machine (the default) or Apache Spark.

The CLI's --engine, $BUDGET_ENGINE and the Dagster resource's `engine` field all name one of
ENGINES; a wrong name is refused before anything starts, with the names that would do.
"""

from __future__ import annotations

import os

ENGINE_ENV = "BUDGET_ENGINE"
DUCKDB, SPARK = "duckdb", "spark"
ENGINES = (DUCKDB, SPARK)
DEFAULT_ENGINE = DUCKDB


class EngineError(ValueError):
    """A wrong engine name or Spark master: one line, naming the setting and the fix."""


def check_engine(name: str, *, setting: str = "--engine") -> str:
    """The engine `name` names (case and spaces forgiven), or an EngineError naming the choices."""
    engine = name.strip().lower()
    if engine not in ENGINES:
        raise EngineError(f"{setting} {name!r} is not an engine; choose one of: {', '.join(ENGINES)}")
    return engine


def engine_from_environment() -> str:
    return check_engine(os.environ.get(ENGINE_ENV) or DEFAULT_ENGINE, setting=f"${ENGINE_ENV}")
