"""One cold load without Dagster, timed stage by stage: what `bench.run` reports per stage.

    python -m bench.stages --raw-dir DIR --warehouse FILE   # prints one JSON object

The stages are the job's own functions in the job's order: discover_raw_files, stage_raw_files
(which times its parse, validate and stage steps itself), then `dbt build` on the same file.
Peak memory is the process's high-water mark when each stage ends; dbt's is its own process's.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.run import measure


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_stages(raw_dir: Path, warehouse: Path) -> dict[str, dict[str, float]]:
    # Imported here: parse workers import this module again as their __main__, and the load's
    # own __main__ (pipelines.cli) imports next to nothing either.
    import duckdb

    from pipelines.defs.project import DBT_PROJECT_DIR, dbt_executable
    from pipelines.load.discover import discover_raw_files
    from pipelines.load.stage import stage_raw_files
    from pipelines.warehouse.settings import DBT_DATABASE_ENV

    warehouse.parent.mkdir(parents=True, exist_ok=True)
    warehouse.unlink(missing_ok=True)
    stages: dict[str, dict[str, float]] = {}
    clock = time.perf_counter()
    files = discover_raw_files(raw_dir)
    stages["discover"] = {"seconds": time.perf_counter() - clock, "peak_mib": _peak_mib()}
    with duckdb.connect(str(warehouse)) as con:
        outcome = stage_raw_files(con, files, now=datetime.now(UTC))
    for name, seconds in outcome.seconds.items():
        stages[name] = {"seconds": seconds, "peak_mib": _peak_mib()}
    if outcome.quarantined or outcome.conflicted:
        raise SystemExit(f"{len(outcome.quarantined) + len(outcome.conflicted)} file(s) did not load")
    # Sampled, not getrusage: a forked child counts its parent's pages until it execs dbt.
    wall, _, dbt_peak, code, _ = measure(
        [dbt_executable(), "build", "--quiet", "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR)],
        env={**os.environ, DBT_DATABASE_ENV: str(warehouse)},
    )
    if code != 0:
        raise SystemExit(f"dbt build failed with exit code {code}")
    stages["dbt"] = {"seconds": wall, "peak_mib": dbt_peak}
    return stages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.stages", description=__doc__.splitlines()[0])
    parser.add_argument("--raw-dir", type=Path, required=True)
    parser.add_argument("--warehouse", type=Path, required=True)
    args = parser.parse_args(argv)
    print(json.dumps(run_stages(args.raw_dir.resolve(), args.warehouse.resolve())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
