# The two commands of the setup contract: `make run` and `make test`.
#   make run   venv + packages + database + deploy bpmn/ dmn/ forms/ + serve on 127.0.0.1:$(PORT)
#   make test  venv + test packages + a throwaway PostgreSQL (Debian's, installed when missing) + pytest
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
HOST ?= 127.0.0.1
PYTEST_ARGS ?=
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: run test venv deps test-deps worker bench clean

# Re-install only when the package metadata changed, so a second `make test` starts at once.
DEPS_STAMP := $(VENV)/.alur-deps
TEST_DEPS_STAMP := $(VENV)/.alur-test-deps

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found: install Python 3.11 (or make PYTHON=python3)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

venv: $(BIN)/python

$(DEPS_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(TEST_DEPS_STAMP): pyproject.toml $(DEPS_STAMP) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

deps: $(DEPS_STAMP)

test-deps: $(TEST_DEPS_STAMP)

run: deps
	$(BIN)/alur db upgrade
	$(BIN)/alur serve --host $(HOST) --port $(PORT) --deploy-dirs

worker: deps
	$(BIN)/alur worker

test: test-deps
	PYTHON=$(BIN)/python scripts/with-postgres.sh $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: deps
	$(BIN)/python bench/step_bench.py

clean:
	rm -rf $(VENV) instance
