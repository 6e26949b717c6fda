# Online Customer Lab — every command bootstraps its own virtual environment from requirements.txt.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml | sha256sum | cut -c1-12)
export PATH := $(CURDIR)/$(BIN):$(PATH)
export MPLBACKEND := Agg
export PYDEVD_DISABLE_FILE_VALIDATION := 1
PYTEST_WORKERS ?= 2

.PHONY: help venv test reports lab data clean

help:
	@echo "make reports  - set up .venv and run every area notebook as a report on the bundled data into reports/"
	@echo "make test     - set up .venv and run the whole test suite (unit tests, doctests, notebooks, exercises)"
	@echo "make lab      - open JupyterLab on notebooks/00_start_here.ipynb"
	@echo "make data     - regenerate the bundled synthetic shop in data/ (seed 406)"

# The stamp's name carries a hash of the requirements, so a changed pin reinstalls.
$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

venv: $(STAMP)

test: venv
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile --nbval-lax -p no:cacheprovider -q

# Every area notebook (01 and up) as a report on the bundled data: reports/index.html links them all.
reports: venv
	$(BIN)/python -m helpers.reports run all --out reports

lab: venv
	$(BIN)/jupyter lab notebooks/00_start_here.ipynb

data: venv
	$(BIN)/python -m helpers.synth --seed 406 --out data/

clean:
	rm -rf reports .pytest_cache
