"""Many load issues as a few lines a person reads: the terminal's and the run log's view.

The warehouse keeps every issue (marts.load_issues); a terminal cannot. 50,000 empty files print as
one line with a count and examples, and a load with a few problems prints each of them as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipelines.contract.issues import LoadIssue, describe_issue
from pipelines.display import printable

# Issues printed one per line before the rest are counted by kind.
INDIVIDUAL_LINES = 20
_EXAMPLES = 3


@dataclass(frozen=True, slots=True)
class IssueRow:
    severity: str
    source_path: str
    category: str
    message: str
    line: int | None = None
    page: int | None = None

    @classmethod
    def of(cls, issue: LoadIssue) -> IssueRow:
        return cls(issue.severity.value, issue.source_path, issue.category.value, issue.message, issue.line, issue.page)

    def describe(self) -> str:
        return describe_issue(self.severity, self.source_path, self.message, self.category, line=self.line, page=self.page)


def digest(rows: Sequence[IssueRow], *, individual: int = INDIVIDUAL_LINES) -> list[str]:
    """Each issue on its own line while there are at most `individual`; past that, issues that
    repeat one message are one line each with their count, and what is still left one line per
    category."""
    if len(rows) <= individual:
        return [row.describe() for row in rows]
    by_message: dict[tuple[str, str, str], list[IssueRow]] = {}
    for row in rows:
        by_message.setdefault((row.severity, row.category, row.message), []).append(row)
    lines: list[str] = []
    left: list[IssueRow] = []
    for (severity, category, message), group in by_message.items():
        if len(group) > 1:
            lines.append(_repeated(severity, f"{message} [{category}]", group))
        else:
            left.extend(group)
    room = max(0, individual - len(lines))
    lines.extend(row.describe() for row in left[:room])
    by_category: dict[tuple[str, str], list[IssueRow]] = {}
    for row in left[room:]:
        by_category.setdefault((row.severity, row.category), []).append(row)
    for (severity, category), group in by_category.items():
        lines.append(_repeated(severity, f"[{category}], each with its own message", group))
    lines.append(f"{len(rows):,} issues in all: every one is a row of marts.load_issues")
    return lines


def _repeated(severity: str, what: str, group: Sequence[IssueRow]) -> str:
    files = len({row.source_path for row in group})
    examples = ", ".join(row.source_path for row in group[:_EXAMPLES])
    more = ", …" if len(group) > _EXAMPLES else ""
    counted = f"{len(group):,} issues in {files:,} files" if files != len(group) else f"{files:,} files"
    return printable(f"{severity}: {counted}: {what}, e.g. {examples}{more}")
