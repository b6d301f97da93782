# Reeducate: `make run` sets up and serves the demo clinic; `make test` sets up and runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test demo bench constraints clean

# The venv with uv in it: uv installs the pinned dependencies in a fraction of pip's time.
$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -c constraints.txt uv

# Runtime dependencies, pinned by constraints.txt.
$(VENV)/.installed: $(BIN)/uv pyproject.toml constraints.txt
	$(BIN)/uv pip install --quiet --python $(BIN)/python -c constraints.txt -e .
	touch $@

# Runtime plus test dependencies.
$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/uv pip install --quiet --python $(BIN)/python -c constraints.txt -e ".[dev]"
	touch $@

run: $(VENV)/.installed
	$(BIN)/reeducate run --demo

demo: $(VENV)/.installed
	$(BIN)/reeducate demo

# Every test, on every core (pytest-xdist); `.venv/bin/pytest -m "not slow and not browser"` is the quick loop.
test: $(VENV)/.installed-dev
	$(BIN)/pytest -n auto

# The benchmarks' own environment: the project plus what the peers they run against need.
BENCH_VENV := .venv-bench
# gaitmap 2.6.0 needs pandas below 2.4, so pandas is the one pin this environment leaves to the resolver.
$(BENCH_VENV)/.installed: pyproject.toml constraints.txt benchmarks/requirements-reference.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet --upgrade pip
	grep -v '^pandas==' constraints.txt > $(BENCH_VENV)/constraints.txt
	$(BENCH_VENV)/bin/pip install --quiet -c $(BENCH_VENV)/constraints.txt -e . -r benchmarks/requirements-reference.txt
	touch $@

# Speed against the peers named in the issues, side by side; QUIJOUX_REFERENCE is a checkout (or bare
# git dir) of github.com/Jythen/code_descriptors_postural_control. Never part of `make test`.
bench: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python benchmarks/balance_speed.py --reference "$(QUIJOUX_REFERENCE)"
	$(BENCH_VENV)/bin/python -W ignore::UserWarning benchmarks/gait_speed.py
	$(BENCH_VENV)/bin/python benchmarks/movement_speed.py
	$(BENCH_VENV)/bin/python benchmarks/feedback_latency.py --minutes 5
	$(BENCH_VENV)/bin/python benchmarks/cli_startup.py
	$(BENCH_VENV)/bin/python benchmarks/load/clinicians.py
	$(BENCH_VENV)/bin/python benchmarks/load/pages.py
	$(BENCH_VENV)/bin/python benchmarks/load/home_sessions.py
	$(BENCH_VENV)/bin/python benchmarks/prognosis_calibration.py

constraints: $(VENV)/.installed-dev
	{ echo "# Exact versions a fresh machine installs (pip install -c constraints.txt ...)."; \
	  echo "# Regenerate with 'make constraints' after changing dependencies in pyproject.toml."; \
	  $(BIN)/pip freeze --exclude-editable | sort -f; } > constraints.txt

clean:
	rm -rf $(VENV) $(BENCH_VENV) .pytest_cache test-artifacts
