# eukg — the two commands a new user needs:
#   make run    install everything, build the graph, serve it at http://127.0.0.1:8000
#   make test   install everything and run the checks and the test suite
# Only Python 3.11+, git and make are assumed; everything else is installed from here.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
PYTEST_ARGS ?=

.PHONY: run test install system-deps build validate serve lint format w3c bench clean help

help:
	@echo "make run     install, build and serve at http://$(HOST):$(PORT)"
	@echo "make test    install and run lint + validation + the test suite"
	@echo "make build | validate | serve | lint | format | w3c | bench | clean"

run: install build serve

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/eukg validate
	$(BIN)/python -m pytest $(PYTEST_ARGS)

install: $(VENV)/.installed system-deps

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("eukg needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Debian packages the tests use (curl as a real client). Installed only when missing.
system-deps:
	@bash scripts/system-deps.sh

build: install
	$(BIN)/eukg build

validate: install
	$(BIN)/eukg validate

serve: install
	$(BIN)/eukg serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

w3c: install
	sh bench/w3c_conformance.sh

bench: install build
	$(BIN)/python bench/load_test.py

clean:
	rm -rf build .pytest_cache .ruff_cache
