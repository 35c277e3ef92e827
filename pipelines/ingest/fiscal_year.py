"""Which budget year a file belongs to: its year folder first, then its title."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath

from pipelines.ingest.errors import IssueCategory, TableError

_YEAR_FOLDER = re.compile(r"((?:19|20)[0-9]{2})(?:年|年度)?")
_YEAR_IN_TITLE = re.compile(r"((?:19|20)[0-9]{2})\s*年")


def year_from_folder(relative_path: PurePosixPath) -> int | None:
    """`raw/2024/…` (or `2024年`, or full-width `２０２４`) names the year; the file name itself is
    not a folder."""
    for part in reversed(relative_path.parent.parts):
        match = _YEAR_FOLDER.fullmatch(_half_width(part))
        if match:
            return int(match.group(1))
    return None


def year_from_title(title: str) -> int | None:
    match = _YEAR_IN_TITLE.search(_half_width(title))
    return int(match.group(1)) if match else None


def _half_width(text: str) -> str:
    """Full-width digits (２０２４) as ASCII ones; other digits, such as Arabic-Indic ones, stay
    non-ASCII and name no year."""
    return unicodedata.normalize("NFKC", text)


def resolve_fiscal_year(relative_path: PurePosixPath, title: str, *, title_line: int | None) -> int:
    year = year_from_folder(relative_path) or year_from_title(title)
    if year is None:
        raise TableError(
            IssueCategory.UNKNOWN_FISCAL_YEAR,
            "no fiscal year: put the file in a year folder such as raw/2024/, "
            f"or publish a title with the year (title is {title!r})",
            line=title_line,
        )
    return year
