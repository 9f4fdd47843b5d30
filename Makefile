# The two commands of the setup contract: `make run` and `make test`.
#   make run   venv + packages + database + deploy bpmn/ dmn/ forms/ + serve on 127.0.0.1:$(PORT)
#   make test  venv + test packages + lint (ruff, mypy) + a throwaway PostgreSQL (Debian's, installed when
#              missing) + pytest (which checks the layer contract, tests/test_layers.py)
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
HOST ?= 127.0.0.1
PYTEST_ARGS ?=
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: run test lint venv deps test-deps worker bench clean web-assets browser

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

# The web pages' front-end (bpmn-js, dmn-js) is bundled from npm at setup and served by the app (no CDN);
# the English catalogue is compiled from its .po file.
VENDOR_JS := service/web/static/vendor/bpmn-modeler.js
MESSAGES_MO := service/web/translations/en/LC_MESSAGES/messages.mo

$(VENDOR_JS): frontend/package.json frontend/package-lock.json frontend/build.mjs $(wildcard frontend/src/*.js)
	@command -v npm >/dev/null 2>&1 || { echo "npm not found: install Node.js 18+ and npm (apt-get install nodejs npm)"; exit 1; }
	cd frontend && npm ci --no-audit --no-fund --loglevel=error && node build.mjs
	@touch $@

$(MESSAGES_MO): service/web/translations/en/LC_MESSAGES/messages.po | $(DEPS_STAMP)
	$(BIN)/pybabel compile -d service/web/translations

web-assets: $(VENDOR_JS) $(MESSAGES_MO)

# Debian's chromium for the Playwright tests (never `playwright install`); without it they skip.
browser:
	@test -x /usr/bin/chromium || { if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Debian's chromium for the browser tests"; apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium missing: browser tests will skip (apt-get install chromium)"; fi; }

test-deps: $(TEST_DEPS_STAMP)

run: deps web-assets
	$(BIN)/alur db upgrade
	ALUR_DEMO_USERS=1 $(BIN)/alur serve --host $(HOST) --port $(PORT) --deploy-dirs

worker: deps
	$(BIN)/alur worker

# Settings in pyproject.toml ([tool.ruff], [tool.mypy]); both must be clean.
lint: test-deps
	$(BIN)/ruff check service tests
	$(BIN)/mypy

test: lint web-assets browser
	$(BIN)/alur simulate --all --no-progress
	PYTHON=$(BIN)/python scripts/with-postgres.sh $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: deps
	$(BIN)/python bench/step_bench.py

clean:
	rm -rf $(VENV) instance
