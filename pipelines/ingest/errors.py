"""Errors a person can act on: each names the file, the line and what is wrong."""

from __future__ import annotations

from enum import StrEnum


class IssueCategory(StrEnum):
    """Why a file was quarantined or warned about; values are stored in marts.load_issues."""

    UNREADABLE = "unreadable"
    NO_TEXT_LAYER = "no_text_layer"  # a scanned PDF: only images, the file needs OCR
    NOT_A_TARGET_TABLE = "not_a_target_table"
    # Plainly a performance table (绩效, a grid of 一级/二级 levels) whose labels no layout knows.
    UNKNOWN_LAYOUT = "unknown_layout"
    UNKNOWN_FISCAL_YEAR = "unknown_fiscal_year"
    BAD_AMOUNT = "bad_amount"
    TRUNCATED_INDICATOR = "truncated_indicator"
    MALFORMED_INDICATOR = "malformed_indicator"
    DUPLICATE_PROJECT = "duplicate_project"
    INVALID_VALUE = "invalid_value"
    ROW_TOTAL_MISMATCH = "row_total_mismatch"
    UNIT_SUBTOTAL_MISMATCH = "unit_subtotal_mismatch"
    GRAND_TOTAL_MISMATCH = "grand_total_mismatch"
    SCORE_TOTAL_MISMATCH = "score_total_mismatch"
    CONFLICT = "conflict"
    # A file over a limit of pipelines/ingest/limits.py (a zip bomb, a 2 GB text file).
    TOO_LARGE = "too_large"
    # A reader or layout raised something other than a TableError: a bug met on this file's content,
    # contained to the file (pipelines/load/barrier.py).
    PARSER_ERROR = "parser_error"
    # Over its time budget (BUDGET_FILE_SECONDS): a pathological file must not hold up the load.
    TOO_SLOW = "too_slow"
    # Its bytes changed between discovery and reading: left to the next load (pipelines/load/parse.py).
    CHANGED_DURING_LOAD = "changed_during_load"
    # Entries under raw/ that discovery lists but never reads (pipelines/load/discover.py).
    SYMLINK_LOOP = "symlink_loop"
    DANGLING_SYMLINK = "dangling_symlink"
    SPECIAL_FILE = "special_file"
    UNREADABLE_FOLDER = "unreadable_folder"
    OUTSIDE_RAW = "outside_raw"
    LINKED_FOLDER = "linked_folder"


# Found by listing raw/, not by reading a file: replaced as a whole on every load.
DISCOVERY_CATEGORIES = frozenset(
    {
        IssueCategory.SYMLINK_LOOP,
        IssueCategory.DANGLING_SYMLINK,
        IssueCategory.SPECIAL_FILE,
        IssueCategory.UNREADABLE_FOLDER,
        IssueCategory.OUTSIDE_RAW,
        IssueCategory.LINKED_FOLDER,
    }
)


class TableError(Exception):
    """A department table that cannot be read as a 项目支出绩效目标表."""

    def __init__(
        self,
        category: IssueCategory,
        message: str,
        *,
        path: str = "",
        line: int | None = None,
        page: int | None = None,
    ) -> None:
        self.category = category
        self.message = message
        self.path = path
        self.line = line
        self.page = page  # the PDF page of the problem, when the file has pages
        super().__init__(self.describe())

    def describe(self) -> str:
        where = self.path or "<input>"
        if self.page is not None:
            where = f"{where}, page {self.page}"
        if self.line is not None:
            where = f"{where}, {'row' if self.page is not None else 'line'} {self.line}"
        return f"{where}: {self.message} [{self.category.value}]"

    def at(self, path: str) -> TableError:
        """The same error, told against the file it came from."""
        return TableError(self.category, self.message, path=path, line=self.line, page=self.page)

    def on_page(self, page: int | None) -> TableError:
        """The same error with the page its line is on (layouts know lines, readers pages)."""
        return TableError(self.category, self.message, path=self.path, line=self.line, page=page)
