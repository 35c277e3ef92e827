"""A BI tool in miniature: connect read-only, query the marts, disconnect; again and again.

    python -m tests.support.reader WAREHOUSE STOP_FILE READY_FILE MAX_ITERATIONS

Reads until STOP_FILE exists (then once more, so its last answer comes from the final
warehouse) or MAX_ITERATIONS; touches READY_FILE after its first answer; prints a JSON report.
Every answer must be consistent: each department's total in department_comparison equals the
sum of its projects in budget_by_project, read from the same connection.
"""

from __future__ import annotations

import json
import sys
import time
from decimal import Decimal
from pathlib import Path

import duckdb

# A dashboard refreshes now and then; a pause also leaves the CPU to the load being tested.
_PAUSE_SECONDS = 0.02


def read_once(warehouse: Path) -> tuple[int, list[str]]:
    """(departments, inconsistencies) of one connection's view of the marts."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        departments = con.execute(
            "select fiscal_year, department_name, total_amount, project_count from marts.department_comparison"
        ).fetchall()
        projects = con.execute(
            "select fiscal_year, department_name, sum(total_amount), count(*) "
            "from marts.budget_by_project group by all"
        ).fetchall()
    by_department = {(year, name): (total, count) for year, name, total, count in projects}
    problems = [
        f"{name} {year}: department_comparison says {total} over {count} project(s), "
        f"budget_by_project sums to {by_department.get((year, name))}"
        for year, name, total, count in departments
        if by_department.get((year, name)) != (Decimal(total), count)
    ]
    if len(by_department) != len(departments):
        problems.append(f"{len(departments)} department(s) in department_comparison, {len(by_department)} with projects")
    return len(departments), problems


def main(warehouse: Path, stop_file: Path, ready_file: Path, max_iterations: int) -> dict:
    iterations, errors, inconsistencies, seen = 0, [], [], []
    stopping = False
    while iterations < max_iterations:
        stopping = stop_file.exists()
        iterations += 1
        try:
            departments, problems = read_once(warehouse)
        except Exception as error:  # noqa: BLE001 - every failure a BI user would see counts
            errors.append(f"{type(error).__name__}: {error}")
            continue
        inconsistencies.extend(problems)
        if departments not in seen:
            seen.append(departments)
        if iterations == 1:
            ready_file.touch()
        if stopping:
            break
        time.sleep(_PAUSE_SECONDS)
    return {"iterations": iterations, "errors": errors[:20], "inconsistencies": inconsistencies[:20],
            "department_counts_seen": seen}


if __name__ == "__main__":
    warehouse, stop_file, ready_file, max_iterations = sys.argv[1:5]
    print(json.dumps(main(Path(warehouse), Path(stop_file), Path(ready_file), int(max_iterations))))
