# Trợ lý DVC — the two commands of the README:
#   make run    set everything up and run the assistant at http://127.0.0.1:8000
#   make test   set everything up and run the whole test suite
# Both are idempotent: the environment is rebuilt only when pyproject.toml changes.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test setup api-env bench clean

$(STAMP): pyproject.toml
	@set -e; py=$$(tools/find-python 3.11); \
	  if [ ! -x $(PY) ]; then echo "Tạo môi trường Python ($$py)…"; "$$py" -m venv $(VENV); fi
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[test]"
	@touch $(STAMP)

api-env: $(STAMP)

setup: api-env
	$(PY) -m api setup

run: setup
	$(PY) -m api serve

test: api-env
	$(VENV)/bin/ruff check api tests bench
	$(PY) -m pytest $(PYTEST_ARGS)

bench: api-env
	$(PY) bench/search_bench.py
	$(PY) bench/relevance_bench.py

clean:
	rm -rf $(VENV) var .pytest_cache
