"""pandera outcomes and quarantines as Dagster asset checks, so the UI shows data health."""

from __future__ import annotations

from collections.abc import Iterator

import dagster as dg

from pipelines.contract.issues import Severity
from pipelines.load.stage import StageOutcome
from pipelines.load.validate import CHECK_NAMES
from schemas import WARNING_CHECKS

_LOAD_ISSUES = dg.AssetKey(["landing", "load_issues"])
_FILE_CHECKS = {
    "no_quarantined_files": "Every new or changed file could be read as a target table.",
    "no_conflicting_files": "No two files claim the same fiscal year and department.",
}


def _severity(check: str) -> dg.AssetCheckSeverity:
    """Arithmetic and target-shape findings warn; anything that quarantines a file is an error."""
    warning = check in WARNING_CHECKS or check in _FILE_CHECKS
    return dg.AssetCheckSeverity.WARN if warning else dg.AssetCheckSeverity.ERROR


CHECK_SPECS = [
    *(
        dg.AssetCheckSpec(name=check, asset=dg.AssetKey(["landing", table]), description=f"pandera: {check}")
        for table, checks in CHECK_NAMES.items()
        for check in checks
    ),
    *(dg.AssetCheckSpec(name=name, asset=_LOAD_ISSUES, description=text) for name, text in _FILE_CHECKS.items()),
]


def check_results(outcome: StageOutcome) -> Iterator[dg.AssetCheckResult]:
    reported = set()
    for result in outcome.checks:
        reported.add((result.table, result.check))
        yield dg.AssetCheckResult(
            asset_key=dg.AssetKey(["landing", result.table]),
            check_name=result.check,
            passed=result.passed,
            severity=_severity(result.check),
            metadata={"failing_rows": result.failing_rows, "examples": "\n".join(result.examples)},
        )
    for table, checks in CHECK_NAMES.items():
        for check in checks:
            if (table, check) not in reported:
                yield dg.AssetCheckResult(
                    asset_key=dg.AssetKey(["landing", table]),
                    check_name=check,
                    passed=True,
                    metadata={"failing_rows": 0, "note": "no new or changed rows to validate"},
                )
    errors = [i for i in outcome.issues if i.severity is Severity.ERROR]
    quarantined = [i for i in errors if i.category.value != "conflict"]
    conflicts = [i for i in errors if i.category.value == "conflict"]
    for name, issues in (("no_quarantined_files", quarantined), ("no_conflicting_files", conflicts)):
        yield dg.AssetCheckResult(
            asset_key=_LOAD_ISSUES,
            check_name=name,
            passed=not issues,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"files": len({i.source_path for i in issues}), "issues": "\n".join(i.describe() for i in issues[:20])},
        )
