# Two commands on a fresh machine: `make run` serves the API, `make test` runs the suite.
# Both create .venv, install the project, fetch Neo4j from Maven Central (once, cached) and
# start it on loopback. The service uses the "main" instance; tests use a separate "test" one.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
CREDIT := $(BIN)/credit
PYTEST_ARGS ?=

.PHONY: install run test lint neo4j neo4j-test stop demo schema bench-api clean ui system-deps test-deps

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 ($(PYTHON)) is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# Debian packages the commands need when they are missing (scripts/system-deps.sh says how).
system-deps:
	@scripts/system-deps.sh

test-deps:
	@scripts/system-deps.sh --tests

# The pages under /ui (web/): npm ci from the lock file, then a Vite build into web/dist.
# Rebuilt only when a source, the lock file or the build configuration changed.
UI_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) credit/labels/labels.json web/index.html web/public.html web/vite.config.ts web/tsconfig.json
web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	@scripts/system-deps.sh
	cd web && npm ci --no-audit --no-fund
	touch $@

web/dist/index.html: web/node_modules/.package-lock.json $(UI_SOURCES)
	cd web && npm run build

ui: web/dist/index.html

neo4j: install system-deps
	$(CREDIT) neo4j start

neo4j-test: install test-deps
	CREDIT_INSTANCE=test $(CREDIT) neo4j start

run: neo4j ui
	$(CREDIT) migrate
	$(CREDIT) demo --if-empty
	$(CREDIT) serve

test: test-deps neo4j-test ui
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

# What bench/eligibility_compare.py needs beyond the Python project: wrk (a compiled load
# generator, from Debian) and the @neo4j/graphql comparison server's packages (from its lock file).
.PHONY: bench-deps
bench-deps: install
	@scripts/system-deps.sh --bench
	cd bench/neo4j-graphql && npm ci --no-audit --no-fund

# The benchmark suite (issues 8 and 21, not part of `make test`): `make bench SCALE=S|M|L` builds
# the market at that scale on the `bench` instance (skipped when it is already there), warms up,
# runs every part (the hot path against the honest floor and @neo4j/graphql at concurrency 1 and
# 16, the whole-lot check, the scan in one process and on 1 and 2 Dask workers, scores, the
# online intake against the bare loader, the bulk build beside the online build) and writes
# bench/results/<date>-<scale>.json and .md. See bench/run.py and the README's Benchmarks.
# The soak test (issue 16): 10 minutes of mixed traffic at concurrency 16 through the HTTP API
# on the `soak` instance's demo market; bench/results/<date>-soak.md. Not part of `make test`.
SOAK_MINUTES ?= 10
.PHONY: soak
soak: install
	$(BIN)/python bench/soak.py --minutes $(SOAK_MINUTES) --concurrency 16

SCALE ?= S
.PHONY: bench
bench: install bench-deps
	$(BIN)/python bench/run.py --scale $(SCALE)

# Mutation testing (issue 18.8, not part of `make test`): mutmut on the pure rule modules and
# each detector, one module at a time against its own fast tests (no Neo4j);
# bench/results/<date>-mutation.md. `make mutate MODULES="same_device identifiers"` runs some.
MODULES ?=
.PHONY: mutate
mutate: install
	$(BIN)/python bench/mutate.py $(MODULES)
