import os

import pytest

# Models load by path; a hub lookup would hang ~75 s before failing on this network.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from importlib.util import find_spec
from pathlib import Path

from ca_assets.core.duckdb import DuckDB

# The vLLM tier runs in its own environment (.venv-vllm, `make test-vllm`); the project's environment has no
# vllm to run it with.
collect_ignore = [] if find_spec("vllm") else ["vllm_tier"]


@pytest.fixture
def duckdb(tmp_path) -> DuckDB:
    """A DuckDB resource on a fresh data directory."""
    return DuckDB(data_dir=str(tmp_path / "data"))


@pytest.fixture(scope="session")
def calibration_embeddings(tmp_path_factory) -> Path:
    """The value judge's calibration material embedded once per session (support/calibration_embeddings.py)."""
    from ca_assets_tests.support.calibration_embeddings import embed_calibration

    return embed_calibration(tmp_path_factory.mktemp("calibration_embeddings"))


@pytest.fixture(scope="session")
def launched(tmp_path_factory):
    """The whole graph launched twice through `dg launch` (support/graph_launch.py), once per session: the e2e tests
    check it and the stage tests copy its data directory. Nothing may write to it."""
    # Imported here: it imports every stage, and the vLLM tier's environment lacks some stages' packages.
    from ca_assets_tests.support.graph_launch import launch_twice

    return launch_twice(tmp_path_factory.mktemp("e2e"))
