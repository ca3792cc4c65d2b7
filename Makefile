# Co-operative Engagement. `make run` serves the service with demo data; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test lint install assets migrate clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

engage/static/main.css: $(VENV)/.installed frontend/package.json frontend/package-lock.json $(wildcard frontend/scss/*.scss frontend/js/* frontend/images/*)
	VENV=$(abspath $(VENV)) bash scripts/build-assets.sh

assets: engage/static/main.css

migrate: install
	ENGAGE_ENV=$${ENGAGE_ENV:-development} $(FLASK) db upgrade

run: install assets migrate
	ENGAGE_ENV=$${ENGAGE_ENV:-development} $(FLASK) demo seed --if-empty
	ENGAGE_ENV=$${ENGAGE_ENV:-development} SCHEDULER_IN_APP=$${SCHEDULER_IN_APP:-true} $(FLASK) run --host $(HOST) --port $(PORT)

# The whole suite, then the date-sensitive tests again at each of the edge clocks (tests/conftest.py), on the
# embedded SQLite database in three processes (each has its own database file). SHIFTED_CLOCKS=no leaves that out.
SHIFTED_CLOCKS ?= yes

test: $(VENV)/.installed-test assets
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest $(PYTEST_ARGS)
ifeq ($(SHIFTED_CLOCKS),yes)
	DATABASE_URL= $(BIN)/python -m pytest -m date_sensitive --shifted-clocks -n 3 $(PYTEST_ARGS)
endif

# The benchmark: its own database (DATABASE_URL if it names a bench database, else bench/data/), gunicorn,
# a bounded load, bench/results/<time>.json. Quick run: make bench BENCH_ARGS="--engagements 500 --seconds 5"
bench: install assets
	$(BIN)/python -m bench.run $(BENCH_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) frontend/node_modules engage/static
