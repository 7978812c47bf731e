# Two commands set everything up: `make run` serves the app, `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test install lint

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

run: export DEBUG ?= 1
run: install
	$(BIN)/ladder migrate --noinput
	$(BIN)/ladder import ladders/dotnet.md
	$(BIN)/ladder seed-demo --people 40 --if-empty
	@echo "Ladder is running at http://$(HOST):$(PORT)/ (press Ctrl+C to stop)"
	$(BIN)/ladder runserver --skip-checks $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(BIN)/ladder makemigrations --check --dry-run
	$(BIN)/ladder check ladders/dotnet.md
	$(BIN)/ladder fmt --check ladders/dotnet.md

test: lint
	$(BIN)/python -m pytest
