"""pandera schemas, one per staged table; each check is named after the rule it enforces.

Checks whose failure is arithmetic that does not add up, and the rules on typed targets, are
warnings (the file still loads and the finding is recorded); every other failure quarantines
the file.
"""

from schemas.department_tables import DepartmentTableSchema
from schemas.funding_units import FundingUnitSchema
from schemas.indicator_results import IndicatorResultSchema
from schemas.indicators import TARGET_RULES, IndicatorSchema
from schemas.project_evaluations import ProjectEvaluationSchema
from schemas.projects import ProjectSchema

WARNING_CHECKS: frozenset[str] = frozenset(
    {
        "row_total_equals_sum_of_sources",
        "unit_subtotal_equals_sum_of_projects",
        "grand_total_equals_sum_of_units",
        *TARGET_RULES,
        "self_score_equals_components",
    }
)

ALL_SCHEMAS = (
    DepartmentTableSchema, FundingUnitSchema, ProjectSchema, IndicatorSchema, ProjectEvaluationSchema,
    IndicatorResultSchema,
)

__all__ = [
    "ALL_SCHEMAS",
    "TARGET_RULES",
    "WARNING_CHECKS",
    "DepartmentTableSchema",
    "FundingUnitSchema",
    "IndicatorResultSchema",
    "IndicatorSchema",
    "ProjectEvaluationSchema",
    "ProjectSchema",
]
