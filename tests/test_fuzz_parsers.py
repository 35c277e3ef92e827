"""Fuzzing the parsers (docs/reliability.md, "Fuzzing"): every input ends in parsed rows or a
TableError with a message, in bounded time; no other exception, no hang.

Inputs: random bytes under every suffix, the seed file mutated and truncated byte-wise and
row-wise, cells of 1 MB, and separators nested thousands deep. Each example runs under an alarm,
so a hang fails the test with the input instead of stalling CI; no duration is asserted.

CI runs 150 derandomized examples per property; `make fuzz` (HYPOTHESIS_PROFILE=fuzz, profiles in
tests/conftest.py) runs the fuzz profile's count with fresh randomness.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import PurePosixPath

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipelines.ingest.errors import TableError
from pipelines.ingest.indicators import split_indicators
from pipelines.ingest.layouts.horizontal import parse_table
from pipelines.ingest.readers import read_source_rows_from_bytes
from pipelines.ingest.rows import SourceRow
from tests.support.paths import SEED_PATH

FUZZING = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
# A fixed count in CI; under `make fuzz` the profile's own count applies.
EXAMPLES = settings() if FUZZING else settings(max_examples=150)
SLOW_INPUTS = settings(EXAMPLES, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# Far above any honest parse (the seed parses in milliseconds); only a hang gets near it.
HANG_SECONDS = 20
SEED = SEED_PATH.read_bytes()
SEED_ROWS = read_source_rows_from_bytes(SEED, suffix=".txt")
RELATIVE_PATH = PurePosixPath("2024/fuzz.txt")
SUFFIXES = (".txt", ".csv", ".tsv", ".xlsx", ".xls")
# The characters the grammar turns on, so random text hits its branches rather than plain prose.
SEPARATORS = "、：:；;。.，,\t\n\r -－—（）()1234567890%≥≤年度实施周期指标值合计总计项目名称部门单位万元绩效指标目标\u3000\ufeff\"'"


class Hang(Exception):
    """Not a TableError: an input that ran into the alarm fails the test."""


@contextmanager
def hang_alarm(seconds: int = HANG_SECONDS) -> Iterator[None]:
    def interrupt(signum, frame):
        raise Hang(f"no result within {seconds} s")

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def parse_bytes(data: bytes, suffix: str) -> None:
    """Read and parse as the load does; only TableError with a message may escape, and it is swallowed."""
    with hang_alarm():
        try:
            rows = read_source_rows_from_bytes(data, suffix=suffix, name="fuzz" + suffix)
            assert all(isinstance(row, SourceRow) for row in rows)
            parse_table(rows, relative_path=RELATIVE_PATH)
        except TableError as error:
            assert error.message.strip(), "a TableError must say what is wrong"


def parse_rows(rows: list[SourceRow]) -> None:
    with hang_alarm():
        try:
            parse_table(rows, relative_path=RELATIVE_PATH)
        except TableError as error:
            assert error.message.strip()


def split(cell: str) -> None:
    with hang_alarm():
        try:
            indicators = split_indicators(cell, line=1)
            assert all(item.name for item in indicators)
        except TableError as error:
            assert error.message.strip()


# --- byte level -------------------------------------------------------------------------------


@EXAMPLES
@given(data=st.binary(max_size=4096), suffix=st.sampled_from(SUFFIXES))
def test_random_bytes_are_rows_or_a_table_error(data, suffix):
    parse_bytes(data, suffix)


@st.composite
def mutated_seed(draw) -> bytes:
    """The seed with a few byte-level edits: cut, deleted, overwritten, inserted, repeated."""
    data = bytearray(SEED)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        match draw(st.sampled_from(["truncate", "delete", "overwrite", "insert", "repeat"])):
            case "truncate":
                del data[at:]
            case "delete":
                del data[at : at + draw(st.integers(1, 64))]
            case "overwrite":
                chunk = draw(st.binary(min_size=1, max_size=8))
                data[at : at + len(chunk)] = chunk
            case "insert":
                text = draw(st.text(alphabet=SEPARATORS, min_size=1, max_size=16))
                data[at:at] = text.encode(draw(st.sampled_from(["utf-8", "gb18030", "utf-16"])))
            case "repeat":
                data[at:at] = data[at : at + draw(st.integers(1, 512))] * draw(st.integers(2, 50))
    return bytes(data)


@EXAMPLES
@given(data=mutated_seed(), suffix=st.sampled_from((".txt", ".csv")))
def test_mutated_and_truncated_seed_files_are_rows_or_a_table_error(data, suffix):
    parse_bytes(data, suffix)


@EXAMPLES
@given(cut=st.integers(0, len(SEED)))
def test_the_seed_cut_at_any_byte_is_rows_or_a_table_error(cut):
    parse_bytes(SEED[:cut], ".txt")


# --- row level ----------------------------------------------------------------------------------


@st.composite
def mutated_rows(draw) -> list[SourceRow]:
    """The seed's rows with cells replaced by separator soup, rows dropped, duplicated or cut short."""
    rows = list(SEED_ROWS)
    for _ in range(draw(st.integers(1, 6))):
        index = draw(st.integers(0, len(rows) - 1))
        row = rows[index]
        match draw(st.sampled_from(["cell", "drop", "duplicate", "shorten", "widen"])):
            case "cell" if row.cells:
                column = draw(st.integers(0, len(row.cells) - 1))
                cell = draw(st.text(alphabet=SEPARATORS, max_size=200))
                rows[index] = SourceRow(row.line, (*row.cells[:column], cell, *row.cells[column + 1 :]))
            case "drop" if len(rows) > 1:
                del rows[index]
            case "duplicate":
                rows.insert(index, row)
            case "shorten":
                rows[index] = SourceRow(row.line, row.cells[: draw(st.integers(0, len(row.cells)))])
            case "widen":
                rows[index] = SourceRow(row.line, (*row.cells, *draw(st.lists(st.text(SEPARATORS, max_size=20), max_size=5))))
            case _:
                pass
    return rows


@EXAMPLES
@given(rows=mutated_rows())
def test_mutated_seed_rows_parse_or_raise_a_table_error(rows):
    parse_rows(rows)


# --- the 绩效指标 grammar ----------------------------------------------------------------------------


SEED_INDICATOR_CELLS = [row.cells[6] for row in SEED_ROWS if len(row.cells) > 6 and row.cells[6].startswith("1、")]


@EXAMPLES
@given(cell=st.text(alphabet=SEPARATORS, max_size=2000))
@example("1、" * 10_000)
@example("：" * 100_000)
@example("1、a：b：" + "c；" * 50_000)
@example("1、" + "1-" * 30_000 + "：x：y；年度指标值:1。")
@example("；" * 100_000 + "年度指标值:")
# Longer cells stop at Excel's 32,767-character limit (a cut cell); these stay just below it.
@example("1、" * 16_000)
@example("：" * 32_000)
@example("1、a：b：" + "c；" * 16_000)
@example("1、" + "1-" * 16_000 + "：x：y；年度指标值:1。")
@example("".join(f"{i % 999 + 1}、a：b：c；年度指标值:1。" for i in range(1_800)))
@example("1、a" + "：" * 32_000 + "；年度指标值:1。")
@example("1、" + "（" * 16_000 + "：" + "）" * 16_000)
def test_separator_soup_splits_or_raises_a_table_error(cell):
    split(cell)


@EXAMPLES
@given(cell=st.sampled_from(SEED_INDICATOR_CELLS), cut=st.integers(0, 2000), insert=st.text(SEPARATORS, max_size=30))
def test_seed_indicator_cells_cut_or_spliced_split_or_raise_a_table_error(cell, cut, insert):
    at = cut % (len(cell) + 1)
    split(cell[:at])
    split(cell[:at] + insert + cell[at:])


@pytest.mark.parametrize(
    "cell",
    [
        pytest.param("1、" * 500_000, id="1、 x 500k"),
        pytest.param("：" * 1_000_000, id="full-width colon x 1M"),
        pytest.param("1、a：" * 200_000, id="unfinished items x 200k"),
        pytest.param("1、1-产出指标：11-数量指标：" + "x" * 1_000_000 + "；年度指标值:1。", id="1 MB name"),
        pytest.param("".join(f"{i % 999 + 1}、" for i in range(100_000)), id="100k numbered items"),
    ],
)
def test_huge_indicator_cells_split_or_raise_a_table_error(cell):
    split(cell)


@pytest.mark.parametrize("column", [0, 5, 6], ids=["name", "goal", "indicators"])
@pytest.mark.parametrize("suffix", [".txt", ".csv"])
def test_a_one_megabyte_cell_in_a_seed_file_is_rows_or_a_table_error(column, suffix):
    lines = SEED.decode("utf-8").split("\n")
    project = next(i for i, line in enumerate(lines) if line.startswith("业务用房物业管理费"))
    cells = lines[project].split("\t")
    cells[column] = cells[column] + "长" * 1_000_000
    lines[project] = "\t".join(cells)
    text = "\n".join(lines)
    if suffix == ".csv":
        text = "\n".join(",".join(f'"{cell}"' for cell in line.split("\t")) for line in lines)
    parse_bytes(text.encode("utf-8"), suffix)


def test_deeply_nested_csv_quoting_is_rows_or_a_table_error():
    parse_bytes(('"' * 200_000 + "\n" + "a," * 100_000).encode(), ".csv")
    parse_bytes(("\t" * 1_000_000 + "\n") .encode() * 3, ".txt")
    parse_bytes(b"\n" * 1_000_000, ".txt")


@pytest.mark.parametrize("amount", ["222222222222222222222222,177.86", "9" * 40, "1" * 30 + ".5"])
def test_an_amount_too_long_for_decimal_precision_is_a_table_error(amount):
    """Regression: 27 integer digits overflowed Decimal.quantize (InvalidOperation) in parse_amount."""
    line = SEED.decode("utf-8").split("\n")
    at = next(i for i, text in enumerate(line) if text.startswith("业务用房物业管理费"))
    cells = line[at].split("\t")
    cells[1] = amount
    line[at] = "\t".join(cells)
    parse_bytes("\n".join(line).encode("utf-8"), ".txt")
