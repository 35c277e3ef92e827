"""A negative amount a department typed loads (parse_amount reads the sign, pandera checks sums,
not signs): dbt's tests of it warn, as for every value a department typed, instead of failing
every department's load."""

from __future__ import annotations

import duckdb

from tests.support.loads import load_edited_seed


def test_a_negative_project_amount_warns_and_the_load_still_publishes(tmp_path):
    load = load_edited_seed(
        tmp_path, lambda text: text.replace("对口协作经费\t0.90\t0.90\t", "对口协作经费\t-0.90\t-0.90\t", 1)
    )
    assert load.result.success
    with duckdb.connect(str(load.database), read_only=True) as con:
        [(amount, negative_share)] = con.execute(
            "select cast(total_amount as double), share_of_department_total < 0 from marts.budget_by_project"
            " where project_name = '对口协作经费'"
        ).fetchall()
    assert (amount, negative_share) == (-0.9, True)
    failed = load.failed_checks()
    assert "expressions_are_true_budget_by_project" in failed, failed  # warnings: the load published
    findings = load.failing_findings()
    assert "total_amount >= 0" in findings, findings
    assert any(f.startswith("share_of_department_total") for f in findings), findings
