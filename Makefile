# Reeducate: `make run` sets up and serves the demo clinic; `make test` sets up and runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test demo constraints clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Runtime dependencies, pinned by constraints.txt.
$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e .
	touch $@

# Runtime plus test dependencies.
$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

run: $(VENV)/.installed
	$(BIN)/reeducate run --demo

demo: $(VENV)/.installed
	$(BIN)/reeducate demo

test: $(VENV)/.installed-dev
	$(BIN)/pytest

constraints: $(VENV)/.installed-dev
	{ echo "# Exact versions a fresh machine installs (pip install -c constraints.txt ...)."; \
	  echo "# Regenerate with 'make constraints' after changing dependencies in pyproject.toml."; \
	  $(BIN)/pip freeze --exclude-editable | sort -f; } > constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
