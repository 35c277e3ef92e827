"""Targets written by people outside the team (tests/data/target_corpus.tsv), typed as a careful
reader types them: at least 99.5% agree, and no target gets a wrong number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from pipelines.ingest.targets import Target, parse_target

CORPUS = Path(__file__).parent / "data" / "target_corpus.tsv"
FISCAL_YEAR = 2024
KIND_CODES = {"q": "quantitative", "l": "qualitative", "d": "deadline", "u": "unparsed"}


@dataclass(frozen=True)
class Reading:
    """What a careful reader takes from one text."""

    kind: str
    operator: str | None = None
    value: Decimal | None = None
    value_max: Decimal | None = None
    unit: str | None = None
    per: str | None = None
    deadline: date | None = None

    @classmethod
    def of(cls, target: Target) -> Reading:
        return cls(target.kind, target.operator, target.value, target.value_max, target.unit, target.per,
                   target.deadline)


def _corpus() -> list[tuple[str, Reading]]:
    rows = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        text, code, *fields = line.split("\t")
        kind = KIND_CODES[code]
        fields += [""] * (5 - len(fields))
        if kind == "quantitative":
            operator, value, value_max, unit, per = (field or None for field in fields[:5])
            reading = Reading(kind, operator, Decimal(value), value_max and Decimal(value_max), unit, per)
        elif kind == "deadline":
            reading = Reading(kind, "<=", deadline=date.fromisoformat(fields[0]))
        else:
            reading = Reading(kind)
        rows.append((text, reading))
    return rows


CASES = _corpus()


def _numbers(reading: Reading) -> tuple:
    return (reading.value, reading.value_max, reading.deadline)


def test_the_corpus_is_several_hundred_varied_targets():
    kinds = [reading.kind for _, reading in CASES]
    assert len(CASES) >= 500
    assert len({text for text, _ in CASES}) == len(CASES), "a text is listed twice"
    assert {kind: kinds.count(kind) >= 30 for kind in KIND_CODES.values()} == dict.fromkeys(KIND_CODES.values(), True)
    assert sum(reading.operator == "between" for _, reading in CASES) >= 30


def test_at_least_995_per_mille_are_typed_as_a_careful_reader_types_them():
    wrong = [(text, expected, Reading.of(parse_target(text, fiscal_year=FISCAL_YEAR)))
             for text, expected in CASES
             if Reading.of(parse_target(text, fiscal_year=FISCAL_YEAR)) != expected]
    share = 1 - len(wrong) / len(CASES)
    assert share >= 0.995, "\n".join(f"{text!r}: expected {e}, got {g}" for text, e, g in wrong)


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[text for text, _ in CASES])
def test_no_target_gets_a_wrong_number(text: str, expected: Reading):
    """A number is either the one the reader reads or missing (unparsed), never another one."""
    got = Reading.of(parse_target(text, fiscal_year=FISCAL_YEAR))
    if got.kind != "unparsed":
        assert _numbers(got) == _numbers(expected), text
        assert (got.operator, got.unit, got.per) == (expected.operator, expected.unit, expected.per), text
