# Two commands set everything up: `make run` serves the app, `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed
# Local settings that every `ladder` command reads (see .env.example); never overwritten.
ENV_FILE ?= .env

.PHONY: run test install lint openapi

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

# Development settings, so that `ladder import`, `import-people` and the rest work as the
# README shows them; a .env that exists already is left as it is.
$(ENV_FILE):
	@umask 077 && printf '%s\n' '# Written by `make run` for development; see .env.example.' 'DEBUG=1' \
		"SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@.tmp
	@mv $@.tmp $@
	@echo "Wrote $@: DEBUG=1 and a new SECRET_KEY, for development."

run: export DEBUG ?= 1
run: install $(ENV_FILE)
	$(BIN)/ladder migrate --noinput
	$(BIN)/ladder import --bundled
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

# The API's schema, committed so that a change to the API shows in review; a test fails when
# docs/openapi.json and the code disagree.
openapi: install
	$(BIN)/ladder export_openapi_schema --skip-checks --api ladder.api.main.api --sorted \
		--indent 2 --output docs/openapi.json
