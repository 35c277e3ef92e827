"""Reading one raw file into a DepartmentTable, or the issue that quarantines it."""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.ingest.errors import TableError
from pipelines.ingest.layouts import parse_grids
from pipelines.ingest.model import DepartmentTable, SelfEvaluation
from pipelines.ingest.readers import read_grids
from pipelines.load.discover import RawFile
from pipelines.load.issues import LoadIssue, Severity


@dataclass(frozen=True, slots=True)
class ParsedFile:
    file: RawFile
    table: DepartmentTable | SelfEvaluation

    @property
    def identity(self) -> tuple[int, str, str]:
        """(fiscal year, department as printed, kind): a 自评表 and a 目标表 of one department and
        year are two documents, not two claims to one (pipelines/load/conflicts.py)."""
        kind = "self_evaluation" if isinstance(self.table, SelfEvaluation) else "targets"
        return (self.table.fiscal_year, self.table.department_name, kind)


def parse_raw_file(file: RawFile) -> ParsedFile | LoadIssue:
    """Never raises for bad input: a broken file becomes an error-severity LoadIssue."""
    try:
        grids = read_grids(file.absolute_path)
        return ParsedFile(file=file, table=parse_grids(grids, relative_path=file.relative_path))
    except TableError as error:
        return LoadIssue(
            source_path=file.source_path,
            source_sha256=file.sha256,
            category=error.category,
            severity=Severity.ERROR,
            message=error.message,
            line=error.line,
            page=error.page,
        )
