"""The Spark engine is an extra: `make load` installs no pyspark, and asking for Spark without it
says how to install it."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

from tests.support.paths import REPO_ROOT

SPARK_PACKAGES = {"pyspark", "dbt-spark", "py4j", "sqlparams"}


def _pinned(name: str) -> set[str]:
    lines = (REPO_ROOT / name).read_text(encoding="utf-8").splitlines()
    return {line.split("==")[0].lower() for line in lines if line and not line.startswith("#")}


def test_the_lock_make_load_installs_has_no_spark_package():
    assert not SPARK_PACKAGES & _pinned("requirements.lock")
    assert _pinned("requirements-spark.lock") == SPARK_PACKAGES


def test_pyproject_puts_spark_in_its_own_extra():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not [d for d in project["dependencies"] if re.match(r"(pyspark|dbt-spark)\b", d)]
    assert project["optional-dependencies"]["spark"] == ["pyspark==4.3.0", "dbt-spark[session]==1.11.0"]


def test_make_load_does_not_install_the_spark_extra_and_make_test_does():
    plan = subprocess.run(["make", "-n", "-B", "load"], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert "requirements.lock" in plan.stdout and "requirements-spark.lock" not in plan.stdout
    plan = subprocess.run(["make", "-n", "-B", "test"], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert "requirements-spark.lock" in plan.stdout


def test_spark_without_its_packages_is_refused_with_the_fix(tmp_path):
    hide = tmp_path / "hide"
    hide.mkdir()
    # A site that makes pyspark unimportable, as on a machine where only `make load` ran.
    (hide / "sitecustomize.py").write_text(
        "import sys\nclass _NoSpark:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'pyspark' or name.startswith('pyspark.'):\n"
        "            raise ModuleNotFoundError(name)\n"
        "sys.meta_path.insert(0, _NoSpark())\n",
        encoding="utf-8",
    )
    raw = tmp_path / "raw"
    raw.mkdir()
    completed = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "load", "--engine", "spark", "--raw-dir", str(raw),
         "--warehouse", str(tmp_path / "w" / "budget.duckdb")],
        cwd=REPO_ROOT, capture_output=True, text=True, check=False, timeout=120,
        env={"PYTHONPATH": str(hide), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert completed.returncode == 1, completed.stderr
    assert completed.stderr.strip().splitlines()[-1] == (
        "error: the Spark engine is not installed: run `make spark` (or `pip install -e .[spark]`), then load again"
    )
