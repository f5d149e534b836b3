# Every target runs inside .venv, which `make venv` builds from pyproject.toml. `services` installs
# (once) and starts PostgreSQL and Redis on loopback; `make run` and `make test` need them.
PY := .venv/bin/python
VENV_STAMP := .venv/.installed
ASYNCAPI_CHECK := tools/asyncapi/node_modules/.package-lock.json

.PHONY: venv services run test test-unit test-integration coverage bench load chaos lint audit clean

venv: $(VENV_STAMP)

# uv installs the same pinned versions as pip (the two venvs' `freeze` compared equal) in 33 s on a cold
# cache, against pip's 105 s with a warm one: most of a fresh machine's set-up time, and CI's.
UV_VERSION := 0.13.9

$(VENV_STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install -q uv==$(UV_VERSION)
	.venv/bin/uv pip install -q --python $(PY) -e '.[dev]'
	touch $(VENV_STAMP)

# The official AsyncAPI parser (Node) that tests/test_asyncapi.py validates docs/asyncapi.yaml with.
$(ASYNCAPI_CHECK): tools/asyncapi/package.json tools/asyncapi/package-lock.json
	cd tools/asyncapi && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error

services:
	scripts/services.sh

run: venv services
	.venv/bin/careerstream up --demo

# The whole suite: the unit lane (no services), then the integration suite on Apache Kafka and on
# Tansu (tests marked kafka_lane_only, see tests/conftest.py, run on Kafka only).
# `make test-unit` alone needs no services; `make test-integration BROKER=tansu` runs one whole lane.
BROKER ?= kafka

test: venv services $(ASYNCAPI_CHECK)
	$(PY) -m pytest -q -n 2 -m "not integration"
	CAREERSTREAM_TEST_BROKER=kafka $(PY) -m pytest -q -m integration --durations=10
	CAREERSTREAM_TEST_BROKER=tansu $(PY) -m pytest -q -m "integration and not kafka_lane_only" --durations=10

test-unit: venv $(ASYNCAPI_CHECK)
	$(PY) -m pytest -q -n 2 -m "not integration"

test-integration: venv services
	CAREERSTREAM_TEST_BROKER=$(BROKER) $(PY) -m pytest -q -m integration

# Line coverage of the whole suite (`make test`'s three lanes) with the processes the tests start
# included: workers, API processes, `careerstream up` (pyproject [tool.coverage]). It takes longer than
# `make test`, so CI does not run it. HTML in bench-results/coverage/, the per-package table at the end.
COV := COVERAGE_FILE=$(CURDIR)/.coverage-data/lane $(PY) -m coverage
coverage: venv services $(ASYNCAPI_CHECK)
	rm -rf .coverage-data && mkdir -p .coverage-data bench-results
	$(COV) run -m pytest -q -n 2 -m "not integration"
	CAREERSTREAM_TEST_BROKER=kafka $(COV) run -m pytest -q -m integration
	CAREERSTREAM_TEST_BROKER=tansu $(COV) run -m pytest -q -m "integration and not kafka_lane_only"
	$(COV) combine -q .coverage-data
	$(COV) html -q -d bench-results/coverage
	$(COV) json -q -o bench-results/coverage.json
	$(PY) scripts/coverage_table.py bench-results/coverage.json

bench: venv services
	.venv/bin/careerstream bench all $(BENCH_ARGS) --out bench-results

# Load test with Locust (a stack of its own; report under bench-results/load-<users>u). The default is
# the 10,000-user run; `make load LOAD_ARGS=--quick` runs 1,000 users for 60 s. Faults: `make chaos`.
LOAD_ARGS ?= --users 10000 --duration 300
load: venv services
	.venv/bin/careerstream load $(LOAD_ARGS) --json

chaos: venv services
	.venv/bin/careerstream chaos --all --json

lint: venv
	.venv/bin/ruff check .
	.venv/bin/mypy careerstream kernel queries streams schemas projections api connectors engines tests
	.venv/bin/lint-imports

# Known vulnerabilities in the installed dependencies; --strict also fails on any dependency it could
# not check (so an unreachable advisory service is a failure, not a pass).
audit: venv
	.venv/bin/pip-audit --strict

clean:
	rm -rf .venv build *.egg-info .pytest_cache .mypy_cache tools/asyncapi/node_modules
