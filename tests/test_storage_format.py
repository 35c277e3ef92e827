"""The published warehouse opens in DuckDB 1.1, the oldest client docs/queries.md promises.

The 1.x DuckDB runs from its own virtual environment (`make duckdb1`, a dependency of `make test`),
in a subprocess, as a BI tool's bundled driver would open the file: read-only.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from pipelines.warehouse import publish, storage_format
from tests.support.loads import run_load_job
from tests.support.paths import REPO_ROOT
from tests.support.storage import rewrite_in_newest_format

DUCKDB1_PYTHON = REPO_ROOT / ".venv-duckdb1" / "bin" / "python"

# Run by the 1.x DuckDB: what a client sees of the file, as JSON (decimals as text, kept exact).
_READ_WITH_DUCKDB1 = """
import json, sys
import duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
def one(sql):
    return con.execute(sql).fetchall()[0][0]
print(json.dumps({
    "version": duckdb.__version__,
    "projects": one("select count(*) from marts.budget_by_project"),
    "indicators": one("select count(*) from marts.indicator_targets"),
    "total": str(one("select sum(total_amount) from marts.budget_by_project")),
    "total_type": one(
        "select data_type from duckdb_columns() "
        "where schema_name = 'marts' and table_name = 'budget_by_project' and column_name = 'total_amount'"
    ),
}))
"""


def read_with_duckdb1(database: Path) -> dict:
    if not DUCKDB1_PYTHON.exists():
        pytest.fail(f"no DuckDB 1.x at {DUCKDB1_PYTHON}: run `make duckdb1` (make test does)")
    completed = subprocess.run(
        [str(DUCKDB1_PYTHON), "-c", _READ_WITH_DUCKDB1, str(database)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


@pytest.mark.slow
def test_duckdb_1_1_reads_the_published_seed_warehouse(seed_warehouse):
    seen = read_with_duckdb1(seed_warehouse.database)
    assert seen["version"] == "1.1.3"
    assert (seen["projects"], seen["indicators"]) == (10, 37)
    assert Decimal(seen["total"]) == Decimal("2177.86")
    assert seen["total_type"] == "DECIMAL(18,2)"
    assert storage_format.storage_tag(seed_warehouse.database) == storage_format.STORAGE_TAG


@pytest.mark.slow
def test_a_load_with_nothing_new_rewrites_a_published_file_in_the_newest_format(seed_warehouse, tmp_path):
    """A warehouse published before the format was chosen opens in DuckDB 1.x after the next load."""
    raw = shutil.copytree(seed_warehouse.raw_dir, tmp_path / "raw")
    database = tmp_path / "warehouse" / seed_warehouse.database.name
    shutil.copytree(seed_warehouse.database.parent, database.parent, ignore=shutil.ignore_patterns(".*"))
    rewrite_in_newest_format(database)
    assert storage_format.storage_tag(database) != storage_format.STORAGE_TAG

    result = run_load_job(raw, database, tmp_path / "dagster_home")

    assert result.success
    assert storage_format.storage_tag(database) == storage_format.STORAGE_TAG
    seen = read_with_duckdb1(database)
    assert (seen["projects"], seen["indicators"], Decimal(seen["total"])) == (10, 37, Decimal("2177.86"))
    assert seen["total_type"] == "DECIMAL(18,2)"


def test_a_first_build_is_created_in_the_compatible_format(tmp_path):
    published = tmp_path / "budget.duckdb"
    build = publish.prepare_build(published, "first-run")
    with duckdb.connect(str(build)) as con:  # as the load's steps open it: DuckDB's default settings
        con.execute("create schema marts")
        con.execute("create table marts.budget_by_project (total_amount decimal(18, 2))")
        con.execute("insert into marts.budget_by_project values (2177.86)")
    publish.publish(published, "first-run")
    assert storage_format.storage_tag(published) == storage_format.STORAGE_TAG


def test_a_published_file_in_duckdbs_newest_format_is_rewritten_by_the_next_load(tmp_path):
    """A warehouse published before the format was chosen: the next build is a compatible copy."""
    published = tmp_path / "budget.duckdb"
    with duckdb.connect(str(published)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.budget_by_project (project_name varchar primary key, total_amount decimal(18, 2))")
        con.execute("insert into marts.budget_by_project values ('信息化运维', 1359.11), ('政务服务', 818.75)")
        con.execute("create view marts.totals as select sum(total_amount) as total from marts.budget_by_project")
    newest = storage_format.storage_tag(published)
    assert newest != storage_format.STORAGE_TAG, "DuckDB's default format is the compatible one: nothing to test"
    before = published.read_bytes()

    build = publish.prepare_build(published, "next-run")

    assert published.read_bytes() == before
    assert storage_format.storage_tag(build) == storage_format.STORAGE_TAG
    with duckdb.connect(str(build)) as con:
        assert con.execute("select total from marts.totals").fetchall() == [(Decimal("2177.86"),)]
        assert con.execute(
            "select data_type from duckdb_columns() where table_name = 'budget_by_project' order by column_index"
        ).fetchall() == [("VARCHAR",), ("DECIMAL(18,2)",)]
        with pytest.raises(duckdb.ConstraintException):
            con.execute("insert into marts.budget_by_project values ('政务服务', 1.00)")
    publish.publish(published, "next-run")
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*) from marts.budget_by_project").fetchall() == [(2,)]
    assert storage_format.storage_tag(published) == storage_format.STORAGE_TAG
