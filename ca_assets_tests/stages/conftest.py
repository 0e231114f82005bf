import shutil

import pytest

from ca_assets.core.duckdb import DuckDB
from ca_assets.models.generation import Generator
from ca_assets_tests.support.conversation_run import materialize_conversations


@pytest.fixture(scope="session")
def conversations(tmp_path_factory):
    """One run of the conversation protocol (prompts through turn 4's annotations, the real model), shared by the
    stage tests that start from it: each takes its own copy (`copy_of`), so none sees another's writes."""
    duckdb = DuckDB(data_dir=str(tmp_path_factory.mktemp("conversations") / "data"))
    assert materialize_conversations(duckdb, Generator()).success
    return duckdb.root


@pytest.fixture(scope="module")
def copy_of_conversations(conversations, tmp_path_factory) -> DuckDB:
    """This module's copy of the shared conversations' data directory: the DuckDB file and the model cache."""
    data = tmp_path_factory.mktemp("copy") / "data"
    shutil.copytree(conversations, data)
    return DuckDB(data_dir=str(data))
