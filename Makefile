# Reeducate: `make run` sets up and serves the demo clinic; `make test` sets up and runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test demo bench constraints clean vendor

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

# Browser libraries the app serves itself (pinned by package-lock.json), copied from node_modules so a
# fresh clone works and, once installed, nothing is fetched from the network again:
# - @mediapipe/pose (Apache-2.0; the package ships no licence file, its package.json names the licence):
#   on-device pose for the patient's guided sessions and the clinic's "on this device" camera. Only the
#   script, its WASM (with and without SIMD), the packed assets, the graph and the lite and full models;
#   the heavy model (27 MB) is never asked for.
# - axe-core (MPL-2.0): the accessibility checks of the browser tests, kept out of the served files.
POSE_VENDOR := src/reeducate/web/static/vendor/mediapipe-pose
POSE_FILES := pose.js pose_solution_packed_assets.data pose_solution_packed_assets_loader.js \
	pose_solution_simd_wasm_bin.data pose_solution_simd_wasm_bin.js pose_solution_simd_wasm_bin.wasm \
	pose_solution_wasm_bin.js pose_solution_wasm_bin.wasm pose_web.binarypb \
	pose_landmark_lite.tflite pose_landmark_full.tflite package.json README.md
AXE := tests/web/vendor/axe.min.js

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(POSE_VENDOR)/.copied: node_modules/.package-lock.json
	mkdir -p $(POSE_VENDOR)
	cd node_modules/@mediapipe/pose && cp $(POSE_FILES) $(CURDIR)/$(POSE_VENDOR)/
	cp /usr/share/common-licenses/Apache-2.0 $(POSE_VENDOR)/LICENSE 2>/dev/null || \
	  echo "Apache-2.0 (https://www.apache.org/licenses/LICENSE-2.0), as package.json states" > $(POSE_VENDOR)/LICENSE
	touch $@

$(AXE): node_modules/.package-lock.json
	mkdir -p $(dir $@)
	cp node_modules/axe-core/axe.min.js node_modules/axe-core/LICENSE $(dir $@)
	touch $@

vendor: $(POSE_VENDOR)/.copied $(AXE)

run: $(VENV)/.installed vendor
	$(BIN)/reeducate run --demo

demo: $(VENV)/.installed
	$(BIN)/reeducate demo

# Every test, on every core (pytest-xdist; a module marked xdist_group stays on one worker, its servers started
# once); `.venv/bin/pytest -m "not slow and not browser"` is the quick loop.
# - PYTHONDONTWRITEBYTECODE emptied: the suite starts dozens of Python processes (servers and their workers, job
#   workers, the reader pools' fork servers, Dask workers, the demo's seeding), and where that variable is set
#   each compiled every module it imports again (the web app's imports: 15 s of CPU instead of 7 s here). The
#   first process to import a module now writes its .pyc and the others read it.
# - --no-loadscope-reorder: the work is handed out in the order tests/conftest.py puts it (LONGEST_FIRST); by
#   default xdist hands out its groups first, the largest first, whatever their length in time.
# - One worker more than the cores: the browser walks and live sessions spend most of their time waiting on
#   real time (a fake camera's clip playing, a simulated exercise's repetitions), which another worker's
#   tests fill (on 2 cores: 11 min with 3 workers where 2 took 17-19).
test: $(VENV)/.installed-dev vendor
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -n $$(( $$(nproc) + 1 )) --dist loadgroup --no-loadscope-reorder

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
# git dir) of github.com/Jythen/code_descriptors_postural_control; REEDUCATE_DATA_DIR holds the GPL myonset
# recording the EMG benchmark reads (without it, that part is skipped). Never part of `make test`.
bench: $(BENCH_VENV)/.installed vendor
	$(BENCH_VENV)/bin/python benchmarks/balance_speed.py --reference "$(QUIJOUX_REFERENCE)"
	$(BENCH_VENV)/bin/python -W ignore::UserWarning benchmarks/gait_speed.py
	$(BENCH_VENV)/bin/python -W ignore benchmarks/gait_accuracy.py
	$(BENCH_VENV)/bin/python benchmarks/movement_speed.py
	$(BENCH_VENV)/bin/python benchmarks/movement_accuracy.py
	$(BENCH_VENV)/bin/python benchmarks/feedback_latency.py --minutes 5
	$(BENCH_VENV)/bin/python benchmarks/cli_startup.py
	$(BENCH_VENV)/bin/python benchmarks/cohort_batch.py
	$(BENCH_VENV)/bin/python benchmarks/load/morning.py
	$(BENCH_VENV)/bin/python benchmarks/load/pages.py
	$(BENCH_VENV)/bin/python benchmarks/load/home_sessions.py
	$(BENCH_VENV)/bin/python benchmarks/prognosis_calibration.py
	$(BENCH_VENV)/bin/python benchmarks/ondevice_pose.py
	$(BENCH_VENV)/bin/python benchmarks/emg_onsets.py
	$(BENCH_VENV)/bin/python benchmarks/multiview_accuracy.py

constraints: $(VENV)/.installed-dev
	{ echo "# Exact versions a fresh machine installs (pip install -c constraints.txt ...)."; \
	  echo "# Regenerate with 'make constraints' after changing dependencies in pyproject.toml."; \
	  $(BIN)/pip freeze --exclude-editable | sort -f; } > constraints.txt

clean:
	rm -rf $(VENV) $(BENCH_VENV) .pytest_cache test-artifacts node_modules $(POSE_VENDOR) $(dir $(AXE))
