# Two commands on a fresh machine: `make build`, then `make test`.
# Everything installs into .venv/ from the hash-pinned requirements.lock.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
# Compiled bytecode halves import time of the heavy dependencies (great-expectations).
export UV_COMPILE_BYTECODE := 1
# And saydo's own modules, and pytest's rewritten tests, are compiled once rather than in every
# process: some machines (CI's among them) set this to keep Python from caching bytecode, which
# costs each `saydo` process about 0.4 s and each test worker more.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: build test test-fast lint format lock check clean bench mutate

build: $(VENV)/.installed
	$(BIN)/saydo build

# The environment is rebuilt only when the lock or the project metadata changes.
$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --python $(BIN)/python --require-hashes -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

test: $(VENV)/.installed
	$(BIN)/python -m pytest

# Work stealing spreads the fast tests best; the whole suite keeps each file on one worker
# (pyproject), since its slow files' module fixtures (a browser, the kill trials) cost more
# to make twice than an idle worker costs.
test-fast: $(VENV)/.installed
	$(BIN)/python -m pytest -m "not slow" --dist worksteal

check: $(VENV)/.installed
	$(BIN)/saydo check

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Re-resolve the pins after editing dependencies in pyproject.toml.
lock: $(VENV)/.installed
	$(BIN)/uv pip compile pyproject.toml --extra release --extra dev --python-version 3.11 \
		--generate-hashes -o requirements.lock

clean:
	rm -rf dist dist.* .pytest_cache .saydo-cache

# Not part of `make test`: builds 100 thousand, 1 million and 10 million claims and prints the
# figures beside the DuckDB floor and a pandas + great-expectations peer (docs/performance.md).
bench: $(VENV)/.installed
	$(BIN)/python -m transforms.dev.bench --write-docs

# Not part of `make test`: deliberate bugs, one at a time in a scratch copy, each expected to fail
# a fast test (transforms/dev/mutate.py); prints which survived.
mutate: $(VENV)/.installed
	$(BIN)/python -m transforms.dev.mutate
