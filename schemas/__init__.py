"""pandera schemas, one per staged table; each check is named after the rule it enforces.

Checks whose failure is arithmetic that does not add up, and the rules on typed targets, are
warnings (the file still loads and the finding is recorded); every other failure quarantines
the file.
"""

from schemas.department_tables import DepartmentTableSchema
from schemas.funding_units import FundingUnitSchema
from schemas.indicators import TARGET_RULES, IndicatorSchema
from schemas.projects import ProjectSchema

WARNING_CHECKS: frozenset[str] = frozenset(
    {
        "row_total_equals_sum_of_sources",
        "unit_subtotal_equals_sum_of_projects",
        "grand_total_equals_sum_of_units",
        *TARGET_RULES,
    }
)

ALL_SCHEMAS = (DepartmentTableSchema, FundingUnitSchema, ProjectSchema, IndicatorSchema)

__all__ = [
    "ALL_SCHEMAS",
    "TARGET_RULES",
    "WARNING_CHECKS",
    "DepartmentTableSchema",
    "FundingUnitSchema",
    "IndicatorSchema",
    "ProjectSchema",
]
