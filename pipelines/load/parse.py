"""Reading one raw file into a DepartmentTable, or the issue that quarantines it.

A file's bytes are read once, here: the hash recorded beside its rows is the hash of the bytes that
were parsed, never one taken earlier from whatever the path held then. A file whose bytes no longer
match the hash discovery listed is left to the next load (`changed_during_load`), and one that
vanished since it was listed is left out of this load (docs/reliability.md).
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass

from pipelines.contract.issues import LoadIssue, Severity
from pipelines.ingest import limits
from pipelines.ingest.errors import IssueCategory, TableError
from pipelines.ingest.layouts import parse_grids
from pipelines.ingest.model import DepartmentTable, SelfEvaluation
from pipelines.ingest.readers import read_grids_from_bytes
from pipelines.load import barrier
from pipelines.load.discover import RawFile


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


def parse_raw_file(file: RawFile, *, seconds: float | None = None) -> ParsedFile | LoadIssue | None:
    """Never raises for anything in the file: a broken file becomes an error-severity LoadIssue.

    None: the file vanished since discovery listed it. `seconds`: the file's time budget
    (pipelines/load/barrier.py); past it the file is `too_slow`.
    """
    try:
        data = _read_once(file)
    except FileNotFoundError:
        return None
    except TableError as error:
        if error.category is IssueCategory.CHANGED_DURING_LOAD:
            return changed_during_load(file)
        return _issue(file, error, file.sha256)
    except OSError as error:
        return _issue(
            file, TableError(IssueCategory.UNREADABLE, f"cannot read file: {error.strerror or error}"), file.sha256
        )
    read_sha256 = hashlib.sha256(data).hexdigest()
    if read_sha256 != file.sha256:
        return changed_during_load(file)
    return barrier.contained(file, lambda: _parse(file, data), seconds=seconds)


def changed_during_load(file: RawFile) -> LoadIssue:
    """Recorded with no hash, so that the next load reads the file again, whatever it holds then."""
    return LoadIssue(
        source_path=file.source_path,
        source_sha256="",
        category=IssueCategory.CHANGED_DURING_LOAD,
        severity=Severity.ERROR,
        message=(
            "the file changed while this load was reading it (it was being written or replaced): "
            "not loaded this time; the next load reads it again (its earlier published version stays)"
        ),
    )


def _read_once(file: RawFile) -> bytes:
    """The whole file, through one descriptor: checked to be a regular file (a FIFO swapped in since
    the listing would block open() without O_NONBLOCK) and read no further than the size limit."""
    descriptor = os.open(file.absolute_path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(descriptor, "rb") as handle:
        status = os.fstat(handle.fileno())
        if not stat.S_ISREG(status.st_mode):
            raise TableError(IssueCategory.CHANGED_DURING_LOAD, "no longer a regular file")
        limits.check_file_size(status.st_size)  # before a byte of it is in memory
        data = handle.read(limits.MAX_FILE_BYTES + 1)
    limits.check_file_size(len(data))  # grown since its status was read
    return data


def _parse(file: RawFile, data: bytes) -> ParsedFile | LoadIssue:
    try:
        grids = read_grids_from_bytes(data, suffix=file.absolute_path.suffix, name=str(file.absolute_path))
        return ParsedFile(file=file, table=parse_grids(grids, relative_path=file.relative_path))
    except TableError as error:
        return _issue(file, error, file.sha256)


def _issue(file: RawFile, error: TableError, sha256: str) -> LoadIssue:
    return LoadIssue(
        source_path=file.source_path,
        source_sha256=sha256,
        category=error.category,
        severity=Severity.ERROR,
        message=error.message,
        line=error.line,
        page=error.page,
    )
