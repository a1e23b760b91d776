# Two entry points for a new machine: `make repro` and `make test`.
# Both create .venv on first use; later runs skip the install unless
# setup.cfg or pyproject.toml changed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PEERS_VENV := .venv-peers
PEERS_REQUIREMENTS := benchmarks/peers/requirements.txt
PEERS_STAMP := $(PEERS_VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export MPLBACKEND := Agg

.PHONY: setup repro test browser peers bench bench-peers clean-venv

setup: $(STAMP)

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch first and pinned: an unpinned torch pulls gigabytes of CUDA wheels
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

repro: setup
	$(BIN)/dvc repro

# Headless Chromium for the report's browser test; installed only under CI
# (root, Debian); elsewhere the test skips with a message.
browser:
	@if [ "$$CI" = "true" ] && ! command -v chromium >/dev/null 2>&1; then \
		echo "installing chromium + chromium-driver for the browser test"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
		|| echo "chromium install failed: the browser test will skip"; \
	fi

# Scattertext and ConvoKit for the log-odds cross-check (tests/test_peer_crosscheck.py,
# benchmarks/peer_crosscheck.py), in their own venv: their scipy pin clashes with ours.
# The test calls them in a subprocess (JSON in and out) and skips if this venv is missing.
peers: $(PEERS_STAMP)

$(PEERS_STAMP): $(PEERS_REQUIREMENTS)
	$(PYTHON) -m venv $(PEERS_VENV)
	$(PEERS_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(PEERS_VENV)/bin/python -m pip install --quiet -r $(PEERS_REQUIREMENTS)
	touch $(PEERS_STAMP)

test: setup browser peers
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python -m benchmarks.run_all

# Ours vs Scattertext and ConvoKit: agreement on the seeds, time on a 100x corpus
bench-peers: setup peers
	$(BIN)/python -m benchmarks.peer_crosscheck

clean-venv:
	rm -rf $(VENV) $(PEERS_VENV)
