# The two commands of the setup contract: `make run` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: run test venv deps test-deps clean

$(BIN)/python:
	$(shell command -v $(PYTHON) >/dev/null 2>&1 && echo $(PYTHON) || echo python3) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

venv: $(BIN)/python

deps: venv
	$(BIN)/pip install --quiet -e .

test-deps: venv
	$(BIN)/pip install --quiet -e '.[test]'

run: deps
	$(BIN)/alur db upgrade
	$(BIN)/alur serve --port $(PORT) --deploy-dirs

test: test-deps
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) instance
