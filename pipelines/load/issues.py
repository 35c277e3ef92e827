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
        """One line for logs and summaries: names escaped (pipelines/display.py), never raw."""
        where = self.source_path if self.page is None else f"{self.source_path}, page {self.page}"
        if self.line is not None:
            where = f"{where}, {'line' if self.page is None else 'row'} {self.line}"
        return printable(f"{self.severity.value}: {where}: {self.message} [{self.category.value}]")
