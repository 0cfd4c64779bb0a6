# Two commands on a fresh machine: `make run` serves the API, `make test` runs the suite.
# Both create .venv, install the project, fetch Neo4j from Maven Central (once, cached) and
# start it on loopback. The service uses the "main" instance; tests use a separate "test" one.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
CREDIT := $(BIN)/credit
PYTEST_ARGS ?=

.PHONY: install run test lint neo4j neo4j-test stop demo schema bench-api clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 ($(PYTHON)) is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

neo4j: install
	$(CREDIT) neo4j start

neo4j-test: install
	CREDIT_INSTANCE=test $(CREDIT) neo4j start

run: neo4j
	$(CREDIT) migrate
	$(CREDIT) demo --if-empty
	$(CREDIT) serve

test: neo4j-test
	CREDIT_INSTANCE=test CREDIT_ENV=test $(CREDIT) migrate
	CREDIT_INSTANCE=test CREDIT_ENV=test $(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy credit graph tests bench

# Benchmarks run on the main instance with the demo market (not part of `make test`).
bench-api: neo4j
	$(CREDIT) migrate
	$(CREDIT) demo --if-empty
	$(BIN)/python bench/api_latency.py

schema: install
	$(CREDIT) schema export

stop:
	-$(CREDIT) neo4j stop
	-CREDIT_INSTANCE=test $(CREDIT) neo4j stop

clean: stop
	rm -rf $(VENV) .local
