"""What a department's report shows, read from the marts (docs/warehouse.md) with bound parameters."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb


class ReportError(ValueError):
    """The department or year asked for is not in the warehouse."""


@dataclass(frozen=True)
class Overview:
    total_amount: Decimal
    prior_year_total_amount: Decimal | None
    change_pct: float | None
    project_count: int
    indicator_count: int
    quantitative_share: float | None
    avg_execution_rate: float | None
    avg_self_score: float | None


@dataclass(frozen=True)
class Project:
    name: str
    unit_name: str
    total_amount: Decimal
    fiscal_appropriation: Decimal
    special_account_appropriation: Decimal
    other_funds: Decimal
    indicator_count: int
    quantitative_share: float | None
    findings: list[str]


@dataclass(frozen=True)
class Evaluation:
    project_name: str
    execution_rate: float | None
    self_score: Decimal | None
    achieved_count: int
    missed_count: int
    score_consistent: bool | None


@dataclass(frozen=True)
class DepartmentReport:
    department_name: str
    fiscal_year: int
    overview: Overview
    years: list[tuple[int, Decimal]]
    projects: list[Project]
    evaluations: list[Evaluation]
    issues: list[tuple[str, str, int]]


def load_report(warehouse: Path, department: str, year: int | None = None) -> DepartmentReport:
    """The report of `department` (its name as printed, or its department_id) in `year` (default its latest)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        name, department_id, years = _department(con, department)
        fiscal_year = year if year is not None else max(y for y, _ in years)
        if fiscal_year not in {y for y, _ in years}:
            loaded = "、".join(str(y) for y, _ in years)
            raise ReportError(f"{name} has no table for {fiscal_year} in {warehouse}; loaded years: {loaded}")
        key = {"department_id": department_id, "year": fiscal_year}
        return DepartmentReport(
            department_name=name,
            fiscal_year=fiscal_year,
            overview=_overview(con, key),
            years=years,
            projects=_projects(con, key),
            evaluations=_evaluations(con, key),
            issues=_issues(con, key),
        )


def _department(con: duckdb.DuckDBPyConnection, wanted: str) -> tuple[str, str, list[tuple[int, Decimal]]]:
    rows = con.execute(
        """select department_name, department_id, fiscal_year, total_amount
        from marts.department_comparison
        where department_name = $wanted or department_id = $wanted
        order by fiscal_year""",
        {"wanted": wanted},
    ).fetchall()
    if not rows:
        similar = [n for (n,) in con.execute(
            "select distinct department_name from marts.department_comparison "
            "where contains(department_name, $wanted) order by 1 limit 10",
            {"wanted": wanted},
        ).fetchall()]
        hint = f"; departments whose name contains it: {'、'.join(similar)}" if similar else ""
        raise ReportError(f"no department named {wanted!r} in the warehouse{hint}")
    name, department_id = rows[-1][0], rows[-1][1]
    return name, department_id, [(year, total) for _, _, year, total in rows]


def _overview(con: duckdb.DuckDBPyConnection, key: dict) -> Overview:
    ((*values,),) = con.execute(
        """select total_amount, prior_year_total_amount, change_pct, project_count, indicator_count,
            quantitative_share, avg_execution_rate, avg_self_score
        from marts.department_comparison where department_id = $department_id and fiscal_year = $year""",
        key,
    ).fetchall()
    return Overview(*values)


def _projects(con: duckdb.DuckDBPyConnection, key: dict) -> list[Project]:
    rows = con.execute(
        """select b.project_name, b.unit_name, b.total_amount, b.fiscal_appropriation,
            b.special_account_appropriation, b.other_funds, b.indicator_count, q.quantitative_share,
            coalesce(q.findings, [])
        from marts.budget_by_project b
        left join marts.target_quality q using (project_id)
        where b.department_id = $department_id and b.fiscal_year = $year
        order by b.total_amount desc, b.project_name""",
        key,
    ).fetchall()
    return [Project(*row) for row in rows]


def _evaluations(con: duckdb.DuckDBPyConnection, key: dict) -> list[Evaluation]:
    rows = con.execute(
        """select project_name, execution_rate, self_score, achieved_count, missed_count, score_consistent
        from marts.project_evaluation where department_id = $department_id and fiscal_year = $year
        order by project_name""",
        key,
    ).fetchall()
    return [Evaluation(*row) for row in rows]


def _issues(con: duckdb.DuckDBPyConnection, key: dict) -> list[tuple[str, str, int]]:
    """Problems found in the department's files: (category, file, count)."""
    return con.execute(
        """select category, source_path, count(*) from marts.load_issues
        where department_id = $department_id and fiscal_year = $year
        group by all order by category, source_path""",
        key,
    ).fetchall()
