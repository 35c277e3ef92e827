"""A raw/ folder an attacker or a careless export could produce: names that are SQL, quotes,
control characters, line breaks and 10,000 characters; files that must be skipped; symlinks out.

Every table here is valid (its amounts add up), so each one loads unless its name itself
breaks the table's grammar, as a line break in 部门名称 does (quarantined, with a message).
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path

from tests.support import project_forms
from tests.support.tables import TableSpec, UnitSpec, render, seed_spec, write_csv, write_text

SQL_INJECTION = "'; drop table marts.budget_by_project; --"
LONG_NAME = "长" * 10_000
CONTROL_CHARACTERS = "控制\x01\x07\x1b[31m字符\x7f"


@dataclass(frozen=True)
class HostileTable:
    file_name: str  # under raw/2024/
    department: str
    unit: str
    projects: tuple[str, ...]
    as_csv: bool = True

    def stored_project_names(self) -> tuple[str, ...]:
        """As the warehouse keeps them: runs of whitespace in a 项目名称 are one space (layout.py)."""
        return tuple(" ".join(name.split()) for name in self.projects)


LOADED = (
    HostileTable(
        file_name="x'; drop table landing.projects; --.csv",
        department=SQL_INJECTION,
        unit="单位' or '1'='1",
        projects=('项目"); delete from landing.indicators; --', "项目;select 1;"),
    ),
    HostileTable(
        file_name='quote"and\\backslash $1 ? :name.txt',
        department='部门"名称\\ "); drop schema marts cascade; --',
        unit="$1 ? :name {{ ref('x') }} {% raw %}",
        projects=("select * from landing.raw_files", "项目  带\u3000空格"),
        as_csv=False,
    ),
    HostileTable(
        file_name="长名称.csv",
        department=LONG_NAME,
        unit="单" * 10_000,
        projects=("项" * 10_000, "项目二"),
    ),
    HostileTable(
        file_name="控制\x01字符\x1b.csv",
        department=CONTROL_CHARACTERS,
        unit="单位\x02",
        projects=("项目\x03\x7f", "项目\n带换行\r\n的名称"),
    ),
    HostileTable(
        file_name="line\nbreak and tab\tin name.csv",
        department="普通部门（本级）",
        unit="普通单位",
        projects=("项目甲", "项目乙"),
    ),
)
# A line break inside 部门名称 leaves no '部门名称：…' line: the file is quarantined, named exactly.
QUARANTINED = HostileTable(
    file_name="newline in department.csv",
    department="换行\n部门",
    unit="单位",
    projects=("项目甲", "项目乙"),
)
OUTSIDE_DEPARTMENT = "raw之外的部门"
# Beside real tables, never tables themselves; none of them may reach the warehouse.
SKIPPED_NAMES = ("~$x.xlsx", "~$x.txt", "x.txt.partial", ".hidden.txt", "x.csv.tmp", ".~lock.x.csv#")


def table_spec(table: HostileTable) -> TableSpec:
    seed = seed_spec()
    projects = tuple(
        dataclasses.replace(project, name=name)
        for project, name in zip(seed.units[0].projects, table.projects, strict=False)
    )
    return dataclasses.replace(seed, department=table.department, units=(UnitSpec(table.unit, projects),))


def write_table(path: Path, table: HostileTable) -> None:
    lines = render(table_spec(table))
    (write_csv if table.as_csv else write_text)(path, lines)


def populate(raw: Path, outside: Path) -> None:
    """The hostile tables, the files to skip, and symlinks to a table and a folder outside raw/."""
    year = raw / "2024"
    year.mkdir(parents=True, exist_ok=True)
    for table in (*LOADED, QUARANTINED):
        write_table(year / table.file_name, table)
    undecodable = os.fsencode(year) + b"/\xff\xfe GBK name.csv"
    write_table(Path(os.fsdecode(undecodable)), dataclasses.replace(LOADED[4], department="非UTF-8文件名的部门"))
    outsider = HostileTable("outside.csv", OUTSIDE_DEPARTMENT, "外部单位", ("外部项目",))
    outside.mkdir(parents=True, exist_ok=True)
    write_table(outside / "outside.csv", outsider)
    (year / "link-to-outside.csv").symlink_to(outside / "outside.csv")
    (year / "linked-folder").symlink_to(outside, target_is_directory=True)
    for name in SKIPPED_NAMES:
        write_table(year / name, dataclasses.replace(outsider, department=f"不应加载 {name}"))
    # The seed department's 自评表, so that every mart (the self-evaluation ones too) holds rows
    # for the idempotence checks.
    evaluation = project_forms.evaluation_sheet(project_forms.consistent_self_evaluation(seed_spec().department), year=2024)
    project_forms.write_xlsx(year / "自评表.xlsx", {"自评": evaluation})


UNDECODABLE_SOURCE_PATH = "2024/\\xff\\xfe GBK name.csv"


@dataclass(frozen=True)
class HostileLoad:
    raw_dir: Path
    database: Path
    succeeded: bool


def load_hostile_raw(root: Path) -> HostileLoad:
    """The seed plus every hostile file above, loaded once into a fresh warehouse."""
    from tests.support.loads import run_load_job, seed_raw_dir

    raw = seed_raw_dir(root)
    populate(raw, root / "outside")
    database = root / "warehouse" / "budget.duckdb"
    result = run_load_job(raw, database, root / "dagster_home")
    return HostileLoad(raw_dir=raw, database=database, succeeded=result.success)
