# Quick start: `make load` then `make test`. Everything installs into .venv from pinned versions.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export BUDGET_RAW_DIR ?= $(CURDIR)/raw
export BUDGET_WAREHOUSE ?= $(CURDIR)/warehouse/budget.duckdb
# The Dagster instance that loads, `make dev` and `make serve` share (runs, row counts, checks).
DAGSTER_HOME ?= $(CURDIR)/.dagster_home

# System packages (Debian's chromium for the browser test) need root; sudo when not root.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: load test lint docs dev serve docs-images fuzz bench clean clean-warehouse browser office java spark venv duckdb1 bi

$(BIN)/budget-warehouse: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

venv: $(BIN)/budget-warehouse

## The Spark engine (`budget-warehouse load --engine spark`, docs/scale-out.md): pyspark and dbt-spark
## into .venv, and Java 17. `make load` needs neither; `make test` tests both engines.
SPARK_STAMP := $(VENV)/.spark-installed
$(SPARK_STAMP): requirements-spark.lock $(BIN)/budget-warehouse
	$(BIN)/pip install --quiet -r requirements-spark.lock
	touch $@

spark: $(SPARK_STAMP) java

## Load every table under raw/ into warehouse/budget.duckdb and build the marts; the run shows in the UI.
load: venv
	DAGSTER_HOME=$(DAGSTER_HOME) $(BIN)/budget-warehouse load

## The test suite: parsers, schemas, the Dagster job end to end, dbt tests, the Dagster UI in a browser.
test: venv spark browser office java duckdb1
	$(BIN)/python -m pytest

## ruff over the code, tests and benchmarks (pyproject.toml's [tool.ruff]); CI runs it before the tests.
lint: venv
	$(BIN)/ruff check .

## DuckDB 1.1 in its own .venv-duckdb1: the oldest client that must open the published warehouse,
## which tests/test_storage_format.py opens with it.
DUCKDB1_VENV := .venv-duckdb1
$(DUCKDB1_VENV)/installed: requirements-duckdb1.lock
	$(PYTHON) -m venv $(DUCKDB1_VENV)
	$(DUCKDB1_VENV)/bin/pip install --quiet -r requirements-duckdb1.lock
	touch $@

duckdb1: $(DUCKDB1_VENV)/installed

## Debian's Chromium and chromedriver, which tests/test_dagster_ui.py drives (nothing is downloaded),
## and Noto CJK so that the file names in its screenshots are readable.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null && dpkg -s fonts-noto-cjk >/dev/null 2>&1 || \
		($(SUDO) apt-get update && $(SUDO) apt-get install -y chromium chromium-driver fonts-noto-cjk)

## Debian's LibreOffice (headless, no GUI), which tests/support/documents.py uses to print the
## test documents to PDF as departments' offices do (tests/test_documents.py).
office:
	@command -v soffice >/dev/null && dpkg -s libreoffice-writer-nogui >/dev/null 2>&1 && dpkg -s libreoffice-calc-nogui >/dev/null 2>&1 || \
		($(SUDO) apt-get update && $(SUDO) apt-get install -y libreoffice-writer-nogui libreoffice-calc-nogui)

## Debian's Java 17 runtime, which pyspark needs for the Spark engine (docs/scale-out.md) and its tests.
java:
	@command -v java >/dev/null && java -version 2>&1 | grep -q '"17\.' || \
		($(SUDO) apt-get update && $(SUDO) apt-get install -y openjdk-17-jre-headless)

## Apache Superset on http://127.0.0.1:8088 with the dashboards of bi/dashboards, over the published
## warehouse opened read-only (run `make load` first). Its own .venv-bi from bi/requirements.lock,
## its state in .superset_home; the admin's password is $$BUDGET_BI_PASSWORD, else printed once.
BI_VENV := .venv-bi
BI_HOST ?= 127.0.0.1
BI_PORT ?= 8088
$(BI_VENV)/installed: bi/requirements.lock
	$(PYTHON) -m venv $(BI_VENV)
	$(BI_VENV)/bin/pip install --quiet -r bi/requirements.lock
	touch $@

bi: $(BI_VENV)/installed
	SUPERSET_HOME=$(CURDIR)/.superset_home SUPERSET_CONFIG_PATH=$(CURDIR)/bi/superset_config.py \
		FLASK_APP=superset BI_HOST=$(BI_HOST) BI_PORT=$(BI_PORT) $(BI_VENV)/bin/python bi/start.py

## dbt docs in dbt_project/target (index.html, catalog.json), built from a copy of the published
## warehouse: dbt connects read-write, and the published file is only ever opened read-only.
DOCS_DATABASE := $(CURDIR)/dbt_project/target/docs-warehouse.duckdb
docs: venv
	@test -f "$(BUDGET_WAREHOUSE)" || { echo "no warehouse at $(BUDGET_WAREHOUSE): run make load first" >&2; exit 1; }
	mkdir -p dbt_project/target
	cp "$(BUDGET_WAREHOUSE)" "$(DOCS_DATABASE)"
	cd dbt_project && BUDGET_DBT_DATABASE="$(DOCS_DATABASE)" $(CURDIR)/$(BIN)/dbt docs generate --quiet \
		--project-dir . --profiles-dir .; status=$$?; rm -f "$(DOCS_DATABASE)" "$(DOCS_DATABASE).wal"; exit $$status
	@echo "dbt docs: dbt_project/target/index.html (serve: cd dbt_project && ../$(BIN)/dbt docs serve --profiles-dir .)"

## The parser and raw/ tree fuzz tests with many more, freshly random examples than `make test` runs (docs/reliability.md).
fuzz: venv
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests/test_fuzz_parsers.py tests/test_fuzz_tree.py

## The Dagster UI on http://127.0.0.1:3000 (lineage, runs, checks, the nightly schedule).
dev: venv
	mkdir -p $(DAGSTER_HOME)
	DAGSTER_HOME=$(DAGSTER_HOME) $(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

## The deployment without `dagster dev`: dagster-webserver and dagster-daemon as long-lived processes
## (sensor, nightly schedule, run queue); Ctrl-C stops both. deploy/ has the systemd units.
## The UI is read-only; SERVE_LAUNCH_RUNS=1 lets it launch and cancel runs (docs/operations.md).
SERVE_HOST ?= 127.0.0.1
SERVE_PORT ?= 3000
SERVE_LAUNCH_RUNS ?=
serve: venv
	mkdir -p $(DAGSTER_HOME)
	DAGSTER_HOME=$(DAGSTER_HOME) $(BIN)/python -m pipelines.serve -w workspace.yaml -h $(SERVE_HOST) -p $(SERVE_PORT) \
		$(if $(SERVE_LAUNCH_RUNS),--launch-runs)

## The screenshots in docs/img, taken by the browser test of the UI (make test writes only to temp folders).
docs-images: venv browser
	BUDGET_DOCS_IMAGES=$(CURDIR)/docs/img $(BIN)/python -m pytest -q tests/test_dagster_ui.py

## Cold loads of 100, 1,000 and 10,000 generated departments, reruns, and the DuckDB floor; then
## BENCH_PDFS generated budget PDFs of about 10 pages, printed by LibreOffice (docs/benchmarks.md).
BENCH_SIZES ?= 100,1000,10000
BENCH_PDFS ?= 200
bench: venv office
	$(BIN)/python -m bench.run --sizes $(BENCH_SIZES) --pdfs $(BENCH_PDFS) --out bench/out

## Build debris and caches. The published warehouse stays: `make clean-warehouse` removes it.
clean:
	rm -rf warehouse/.build dbt_project/target dbt_project/logs .pytest_cache .hypothesis

## The published warehouse, its Parquet copies and kept hashes: the next `make load` rebuilds them from raw/.
clean-warehouse:
	rm -rf warehouse
