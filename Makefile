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

# The compiled OTLP decoder (otel_bridge/otlp/_wire.pyx, see setup.py), rebuilt in place when it changes.
COMPILED := $(VENV)/.compiled-decoder
$(COMPILED): otel_bridge/otlp/_wire.pyx setup.py $(STAMP)
	$(BIN)/python setup.py -q build_ext --inplace
	touch $(COMPILED)

test: $(STAMP) $(COMPILED)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check otel_bridge tests
	$(BIN)/ruff format --check otel_bridge tests
	$(BIN)/mypy otel_bridge tests

bench: $(STAMP) $(COMPILED)
	$(BIN)/python -m tests.bench

run: $(STAMP)
	$(BIN)/otel-bridge serve

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
