"""The Spark engine keeps an earlier good version, as the DuckDB engine does (docs/scale-out.md).

Every Spark load re-reads all of raw/; these tests stage on a real local Spark, three loads in a
row, and read the Parquet landing back: a file that breaks after it was loaded, or that comes into
conflict with a new file, keeps its published rows; a removed file's rows leave.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from pipelines.engines.spark.published import parquet_connection
from pipelines.engines.spark.session import spark_session
from pipelines.engines.spark.stage import stage_on_spark
from pipelines.load.discover import scan_raw_dir
from tests.support.paths import SEED_PATH

pytestmark = pytest.mark.slow

SEED_FILE = "2024/seed.txt"
COPY_FILE = "2024/seed_copy.txt"


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory):
    session = spark_session("local[2]", warehouse_dir=str(tmp_path_factory.mktemp("spark-warehouse")))
    yield session
    session.stop()


def _stage(spark, raw: Path, landing_dir: Path):
    return stage_on_spark(spark, scan_raw_dir(raw), now=datetime.now(UTC), landing_dir=str(landing_dir))


def _projects(landing_dir: Path) -> dict[str, tuple[int, Decimal]]:
    with parquet_connection(str(landing_dir)) as con:
        rows = con.execute(
            "select source_path, count(*), sum(total_amount) from landing.projects group by source_path"
        ).fetchall()
    return {path: (count, total) for path, count, total in rows}


def _registry(landing_dir: Path) -> dict[str, tuple[str, str | None]]:
    with parquet_connection(str(landing_dir)) as con:
        rows = con.execute("select source_path, status, published_sha256 from landing.raw_files").fetchall()
    return {path: (status, published) for path, status, published in rows}


def test_a_file_broken_after_loading_keeps_its_published_rows(spark, tmp_path: Path) -> None:
    raw, landing_dir = tmp_path / "raw", tmp_path / "landing"
    (raw / "2024").mkdir(parents=True)
    (raw / SEED_FILE).write_bytes(SEED_PATH.read_bytes())
    first = _stage(spark, raw, landing_dir)
    assert first.loaded == [SEED_FILE]
    published_sha = _registry(landing_dir)[SEED_FILE][1]

    (raw / SEED_FILE).write_text("部门名称\t没有表格\n", encoding="utf-8")
    second = _stage(spark, raw, landing_dir)

    assert second.quarantined == [SEED_FILE]
    assert _projects(landing_dir) == {SEED_FILE: (10, Decimal("2177.86"))}
    assert _registry(landing_dir)[SEED_FILE] == ("quarantined", published_sha)

    (raw / SEED_FILE).unlink()
    _stage(spark, raw, landing_dir)
    assert _projects(landing_dir) == {}


def test_a_new_file_claiming_a_published_department_does_not_replace_it(spark, tmp_path: Path) -> None:
    raw, landing_dir = tmp_path / "raw", tmp_path / "landing"
    (raw / "2024").mkdir(parents=True)
    (raw / SEED_FILE).write_bytes(SEED_PATH.read_bytes())
    _stage(spark, raw, landing_dir)

    (raw / COPY_FILE).write_bytes(SEED_PATH.read_bytes())
    outcome = _stage(spark, raw, landing_dir)

    assert sorted(outcome.conflicted) == [SEED_FILE, COPY_FILE]
    assert _projects(landing_dir) == {SEED_FILE: (10, Decimal("2177.86"))}
    messages = {issue.source_path: issue.message for issue in outcome.issues}
    assert "its earlier published version stays" in messages[SEED_FILE]
    assert "it is not loaded" in messages[COPY_FILE]
