# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test lint bench run clean fuzz soak

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
	$(BIN)/ruff check otel_bridge tests examples
	$(BIN)/ruff format --check otel_bridge tests examples
	$(BIN)/mypy otel_bridge tests examples

bench: $(STAMP) $(COMPILED)
	$(BIN)/python -m tests.bench

# Longer than CI (docs/reliability.md): hypothesis fuzz targets at 10x CI's inputs, then atheris
# (coverage-guided) on the protobuf and JSON decoders for FUZZ_SECONDS each. Crashes land in
# .fuzz-failures/atheris/; keep each in tests/fuzz/corpus/<target>/.
FUZZ_SECONDS ?= 120
fuzz: $(STAMP)
	$(BIN)/python -m pip install --quiet atheris
	FUZZ_EXAMPLES=5000 $(BIN)/python -m pytest tests/fuzz -q -p no:cacheprovider
	for target in protobuf json; do \
		ext=$$([ $$target = protobuf ] && echo bin || echo json); \
		mkdir -p .fuzz-failures/atheris/corpus-$$target; \
		cp tests/fuzz/corpus/$$target/* tests/fixtures/*/*.$$ext .fuzz-failures/atheris/corpus-$$target/ 2>/dev/null; \
		$(BIN)/python -m tests.fuzz.atheris_targets $$target -max_total_time=$(FUZZ_SECONDS) \
			-artifact_prefix=.fuzz-failures/atheris/ .fuzz-failures/atheris/corpus-$$target || exit 1; \
	done

# The fault drills and durability tests, with 20 SIGKILLs in a row instead of CI's 3.
soak: $(STAMP)
	DRILL_ROUNDS=20 $(BIN)/python -m pytest tests/e2e/test_fault_drills.py tests/e2e/test_durability.py -q -p no:cacheprovider

# Flags for serve: make run ARGS="--http-port 5318 --grpc-port 5317" (otel-bridge serve --help lists them).
run: $(STAMP)
	$(BIN)/otel-bridge serve $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
