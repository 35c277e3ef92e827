"""Load issues on the terminal: each on its own line while few, counted once they repeat."""

from pipelines.load.digest import IssueRow, digest


def _empty(number: int) -> IssueRow:
    return IssueRow("error", f"2024/empty_{number:05}.txt", "unreadable", "file is empty")


def test_a_few_issues_print_one_line_each():
    rows = [_empty(1), IssueRow("error", "2024/a.txt", "bad_amount", "总计 '1O8.38' is not a number", line=7)]
    assert digest(rows) == [
        "error: 2024/empty_00001.txt: file is empty [unreadable]",
        "error: 2024/a.txt, line 7: 总计 '1O8.38' is not a number [bad_amount]",
    ]


def test_fifty_thousand_empty_files_are_one_line_with_examples():
    rows = [_empty(n) for n in range(50_000)]
    lines = digest([*rows, IssueRow("error", "2024/b.txt", "conflict", "某局 2024 is also claimed by 2024/c.txt")])
    assert lines == [
        (
            "error: 50,000 files: file is empty [unreadable], e.g. 2024/empty_00000.txt, 2024/empty_00001.txt, "
            "2024/empty_00002.txt, …"
        ),
        "error: 2024/b.txt: 某局 2024 is also claimed by 2024/c.txt [conflict]",
        "50,001 issues in all: every one is a row of marts.load_issues",
    ]


def test_many_different_messages_of_one_category_are_counted_past_the_first_twenty():
    rows = [IssueRow("error", f"2024/t{n:03}.txt", "bad_amount", f"总计 'x{n}' is not a number", line=n) for n in range(100)]
    lines = digest(rows)
    assert len(lines) == 22
    assert lines[0] == "error: 2024/t000.txt, line 0: 总计 'x0' is not a number [bad_amount]"
    assert lines[20] == (
        "error: 80 files: [bad_amount], each with its own message, e.g. 2024/t020.txt, 2024/t021.txt, 2024/t022.txt, …"
    )


def test_names_are_escaped_for_the_terminal():
    rows = [IssueRow("error", f"2024/\x1b[31mred{n}.txt", "unreadable", "file is empty") for n in range(30)]
    assert "\\x1b[31mred0.txt" in digest(rows)[0]
