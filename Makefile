# The README's commands. Everything installs into .venv from PyPI.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: install demo system-deps test test-fast bench lint format clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dask,rp,test,dev]'
	touch $(STAMP)

DEMO ?= examples/12_bioinformatics_pipeline.py

# compile a plan, picture it (an SVG too when Graphviz is installed), run it, report on the run
demo: install
	$(BIN)/raf compile $(DEMO) -o demo-plan
	$(BIN)/raf show demo-plan --critical-path
	@if command -v dot >/dev/null 2>&1; then $(BIN)/raf show demo-plan --svg -o demo-plan/graph.svg \
	  && echo "picture: demo-plan/graph.svg"; else echo "(no Graphviz: skipping the SVG picture)"; fi
	$(BIN)/raf run demo-plan
	$(BIN)/raf report demo-plan

# graphviz and chromium for the picture and browser tests; best effort, never fails
system-deps:
	-@bash .ci/system-deps.sh

test: install system-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: install
	$(BIN)/python -m pytest -m "not slow and not rp" $(PYTEST_ARGS)

bench: install
	$(BIN)/python benchmarks/runtime.py

lint: install
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/mypy

format: install
	$(BIN)/ruff format src tests benchmarks examples
	$(BIN)/ruff check --fix src tests benchmarks examples

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache demo-plan
