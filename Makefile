# Entry points for a new machine: `make repro`, `make test` and `make lab`.
# Each creates .venv on first use; later runs skip the install unless
# setup.cfg or pyproject.toml changed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LAB_STAMP := $(VENV)/.installed-lab
PEERS_VENV := .venv-peers
PEERS_REQUIREMENTS := benchmarks/peers/requirements.txt
PEERS_STAMP := $(PEERS_VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export MPLBACKEND := Agg

.PHONY: setup repro test lint typecheck lab browser labelstudio peers bench bench-peers clean-venv

setup: $(STAMP)

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch first and pinned: an unpinned torch pulls gigabytes of CUDA wheels
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Stage commands run `sh bin/stage`, which finds .venv/bin/python itself, so this
# works without an activated venv (and so do `.venv/bin/dvc repro` and `dvc repro`).
repro: setup
	$(BIN)/dvc repro

# ruff lint (rules in pyproject.toml) and the formatter's check; `ruff format` fixes the latter
lint: setup
	$(BIN)/ruff check pipeline tests benchmarks
	$(BIN)/ruff format --check pipeline tests benchmarks

typecheck: setup
	$(BIN)/mypy

# Headless Chromium for the report's browser test; installed only under CI
# (root, Debian); elsewhere the test skips with a message.
browser:
	@if [ "$$CI" = "true" ] && ! command -v chromium >/dev/null 2>&1; then \
		echo "installing chromium + chromium-driver for the browser test"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
		|| echo "chromium install failed: the browser test will skip"; \
	fi

# Label Studio for the annotation round-trip test (tests/test_labelstudio.py), in a
# virtual environment of its own so that its many pins cannot clash with ours; its
# own label-studio-sdk is the client the test drives. `make test` builds it under
# CI only; elsewhere run `make labelstudio` once, or the test skips with a message.
# A new LS_VERSION gets a new stamp, so the next `make labelstudio` upgrades.
LS_VENV := .venv-labelstudio
LS_VERSION := 1.23.2
LS_STAMP := $(LS_VENV)/.installed-$(LS_VERSION)
# no traffic beyond localhost: error reports, usage analytics, the PyPI version check
LS_QUIET := SENTRY_DSN= FRONTEND_SENTRY_DSN= COLLECT_ANALYTICS=false LATEST_VERSION_CHECK=false

labelstudio: $(LS_STAMP)

$(LS_STAMP):
	$(PYTHON) -m venv $(LS_VENV)
	$(LS_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LS_VENV)/bin/python -m pip install --quiet label-studio==$(LS_VERSION)
	# an empty migrated database for the test to copy: migrating takes minutes, starting from it seconds
	rm -rf $(LS_VENV)/template-data
	$(LS_QUIET) LABEL_STUDIO_BASE_DATA_DIR=$(CURDIR)/$(LS_VENV)/template-data \
		$(LS_VENV)/bin/label-studio init --quiet --data-dir $(CURDIR)/$(LS_VENV)/template-data >/dev/null
	touch $(LS_STAMP)

# Scattertext and ConvoKit for the log-odds cross-check (tests/test_peer_crosscheck.py,
# benchmarks/peer_crosscheck.py), in their own venv: their scipy pin clashes with ours.
# The test calls them in a subprocess (JSON in and out) and skips if this venv is missing.
peers: $(PEERS_STAMP)

$(PEERS_STAMP): $(PEERS_REQUIREMENTS)
	$(PYTHON) -m venv $(PEERS_VENV)
	$(PEERS_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(PEERS_VENV)/bin/python -m pip install --quiet -r $(PEERS_REQUIREMENTS)
	touch $(PEERS_STAMP)

test: setup browser $(if $(filter true,$(CI)),labelstudio peers)
	$(BIN)/python -m pytest

# Jupyter Lab on notebooks/ with the venv's kernel; the `lab` extra is installed once
# (again only when setup.cfg or pyproject.toml change). Local only: no browser is
# opened; open the printed http://127.0.0.1:8888/lab?token=... link. Jupyter refuses
# to start as root unless told, so containers (root) get --allow-root.
$(LAB_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[lab]'
	touch $(LAB_STAMP)

lab: $(LAB_STAMP)
	$(BIN)/jupyter lab --no-browser --ip=127.0.0.1 --ServerApp.root_dir=notebooks$(if $(filter 0,$(shell id -u)), --allow-root)

# Every stage at 1x-1000x; by default a size above 100x is skipped when projected past 20 minutes.
# The full run of docs/performance.md: make bench BENCH_ARGS="--dask-max-size 10 --budget-minutes 150"
BENCH_ARGS ?=
bench: setup
	$(BIN)/python -m benchmarks.run_all $(BENCH_ARGS)

# Ours vs Scattertext and ConvoKit: agreement on the seeds, time on a 100x corpus
bench-peers: setup peers
	$(BIN)/python -m benchmarks.peer_crosscheck

clean-venv:
	rm -rf $(VENV) $(PEERS_VENV)
