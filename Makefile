# Quick start: `make demo` and `make test`. Both create .venv with Python 3 if it is missing.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-all bench bench-smoke validate validate-terrain validate-totals sample-data clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/gaitload analyze sample_data/hilly_foot_imu.csv --out demo_output/hilly_foot_imu
	$(BIN)/gaitload analyze sample_data/lumbar_run.csv --out demo_output/lumbar_run
	$(BIN)/gaitload analyze sample_data/watch_records.csv --out demo_output/watch_records
	$(BIN)/gaitload season sample_data --out demo_output/season --quiet
	@echo "Outputs written to demo_output/ (steps, segments, laps, splits, climbs CSV, summary.json, emphasis.png per run; season/)"

test: $(STAMP)
	$(BIN)/python -m pytest -q

test-all: $(STAMP)
	$(BIN)/python -m pytest -q -m "slow or not slow"

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# foot-contact accuracy on the real recordings of ../shared/data against simple baselines
validate: $(STAMP)
	$(BIN)/python benchmarks/validate.py

validate-terrain: $(STAMP)
	$(BIN)/python benchmarks/validate_terrain.py

# our distance, timer time, average cadence and ascent against each real FIT/TCX file's own totals
validate-totals: $(STAMP)
	$(BIN)/python benchmarks/validate_totals.py

sample-data: $(STAMP)
	$(BIN)/python -m gaitload simulate --sample-data sample_data

clean:
	rm -rf $(VENV) demo_output .pytest_cache build *.egg-info src/*.egg-info
