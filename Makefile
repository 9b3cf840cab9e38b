# Two targets do everything: `make book` and `make test` (see README's Quick start).
# Both create .venv on first use and reinstall when pyproject.toml changes.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: book test lint bench clean

# The book is rebuilt only when something it is built from changed: a no-change
# `make book` costs make's look at the files, not jupyter-book's start-up (about
# 1.3 s of which is jsonschema compiling an RFC 3987 grammar). `jupyter-book
# build .` still works as ever and keeps its own incremental build.
BOOK_INPUTS := _config.yml _toc.yml references.bib \
  $(shell find chapters seeds src/annotate -type f -not -path '*/__pycache__/*')

book: _build/html/.annotate-built

_build/html/.annotate-built: $(VENV)/.installed $(BOOK_INPUTS)
	$(BIN)/jupyter-book build . --builder html -W --keep-going
	touch $@

test: $(VENV)/.installed-test
	bash tests/setup-browser.sh
	bash tests/server/setup-postgres.sh
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

bench: $(VENV)/.installed-test
	for b in benchmarks/*.py; do $(BIN)/python $$b || exit 1; done

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV) || { \
	  echo "python3 -m venv failed: installing Debian's python3-venv"; \
	  apt-get update -qq && apt-get install -y -qq python3-venv && $(PYTHON) -m venv $(VENV); }

$(VENV)/.installed: pyproject.toml $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

clean:
	rm -rf _build
