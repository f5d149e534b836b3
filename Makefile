# Every target runs inside .venv, which `make venv` builds from pyproject.toml.
PY := .venv/bin/python
VENV_STAMP := .venv/.installed

.PHONY: venv run test bench lint clean

venv: $(VENV_STAMP)

$(VENV_STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install -q --upgrade pip wheel setuptools
	$(PY) -m pip install -q -e '.[dev]'
	touch $(VENV_STAMP)

run: venv
	.venv/bin/careerstream up --demo

test: venv
	$(PY) -m pytest -q

bench: venv
	.venv/bin/careerstream bench all $(BENCH_ARGS) --out bench-results

lint: venv
	.venv/bin/ruff check .
	.venv/bin/mypy careerstream streams schemas projections api connectors engines

clean:
	rm -rf .venv build *.egg-info .pytest_cache .mypy_cache
