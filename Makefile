# Quick start: `make load` then `make test`. Everything installs into .venv from pinned versions.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export BUDGET_RAW_DIR ?= $(CURDIR)/raw
export BUDGET_WAREHOUSE ?= $(CURDIR)/warehouse/budget.duckdb

.PHONY: load test docs dev fuzz bench clean

$(BIN)/budget-warehouse: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

venv: $(BIN)/budget-warehouse

## Load every table under raw/ into warehouse/budget.duckdb and build the marts.
load: venv
	$(BIN)/budget-warehouse load

## The test suite: parsers, schemas, the Dagster job end to end, dbt tests.
test: venv
	$(BIN)/python -m pytest

## The Dagster UI on http://127.0.0.1:3000 (lineage, runs, checks, the nightly schedule).
dev: venv
	mkdir -p .dagster_home
	DAGSTER_HOME=$(CURDIR)/.dagster_home $(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

clean:
	rm -rf warehouse dbt_project/target dbt_project/logs .pytest_cache .hypothesis
