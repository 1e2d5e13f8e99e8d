# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test lint bench run clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the dependency list changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[server,postgres,dev]'
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check otel_bridge tests examples
	$(BIN)/ruff format --check otel_bridge tests examples
	$(BIN)/mypy otel_bridge tests examples

bench: $(STAMP)
	$(BIN)/python -m tests.bench

# Flags for serve: make run ARGS="--http-port 5318 --grpc-port 5317" (otel-bridge serve --help lists them).
run: $(STAMP)
	$(BIN)/otel-bridge serve $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
