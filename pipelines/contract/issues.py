"""Findings about input files, as stored in landing.load_issues and shown in run summaries."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pipelines.display import printable
from pipelines.ingest.errors import IssueCategory


class Severity(StrEnum):
    ERROR = "error"  # the file is quarantined: none of its rows are published
    WARNING = "warning"  # the file is published; the finding is recorded beside it


@dataclass(frozen=True, slots=True)
class LoadIssue:
    source_path: str
    source_sha256: str
    category: IssueCategory
    severity: Severity
    message: str
    line: int | None = None
    fiscal_year: int | None = None
    department_name: str | None = None
    page: int | None = None  # the PDF page of the problem, when the file has pages

    def describe(self) -> str:
        return describe_issue(
            self.severity.value, self.source_path, self.message, self.category.value, line=self.line, page=self.page
        )


def describe_issue(
    severity: str, source_path: str, message: str, category: str, *, line: int | None = None, page: int | None = None
) -> str:
    """One line for logs and summaries: names escaped (pipelines/display.py), never raw."""
    where = source_path if page is None else f"{source_path}, page {page}"
    if line is not None:
        where = f"{where}, {'line' if page is None else 'row'} {line}"
    return printable(f"{severity}: {where}: {message} [{category}]")
