# Online Customer Lab — every command bootstraps its own virtual environment from requirements.txt.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml | sha256sum | cut -c1-12)
export PATH := $(CURDIR)/$(BIN):$(PATH)
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

# ---- proof of quality (issue 10) ----------------------------------------------------------------
# Benchmark-only packages (duckdb, lifetimes, setuptools<81) live in .venv-bench, a thin venv
# layered on the main .venv through a .pth file: the main environment stays lean.
BENCH_VENV := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed-$(shell cat requirements-bench.txt 2>/dev/null | sha256sum | cut -c1-12)
BENCH_ARGS ?=

$(BENCH_STAMP): requirements-bench.txt $(STAMP)
	@test -x $(BENCH_VENV)/bin/python || $(BIN)/python -m venv $(BENCH_VENV)
	@main_site=$$($(BIN)/python -c "import sysconfig; print(sysconfig.get_paths()['purelib'])"); \
	bench_site=$$($(BENCH_VENV)/bin/python -c "import sysconfig; print(sysconfig.get_paths()['purelib'])"); \
	echo "import site; site.addsitedir('$$main_site')" > "$$bench_site/zz_oclab_main_venv.pth"
	$(BENCH_VENV)/bin/python -m pip install --quiet -r requirements-bench.txt
	@rm -f $(BENCH_VENV)/.installed-*
	@touch $@

.PHONY: bench browser-test

# Benchmarks of the helpers against textbook pandas, lifetimes and DuckDB (never part of make test).
# About 8 minutes on 2 cores; BENCH_ARGS="--skip-10m" leaves out the 10M-line file. See benchmarks/README.md.
bench: $(BENCH_STAMP)
	$(BENCH_VENV)/bin/python benchmarks/run.py $(BENCH_ARGS)

# Real-browser test: installs Debian's chromium if missing, then runs JupyterLab under it.
browser-test: venv
	@test -x /usr/bin/chromium || { sudo=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$sudo apt-get update && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y chromium; }
	OCLAB_REQUIRE_BROWSER=1 $(BIN)/python -m pytest tests/test_browser.py -p no:cacheprovider -q -rs
