import shutil

import pytest

from ca_assets.core.duckdb import DuckDB


@pytest.fixture(scope="session")
def conversations(launched):
    """Finished conversations (prompts through turn 4's annotations, the real model, the small protocol of
    support/conversation_run.py): the data directory of the whole graph's launch that the e2e tests check
    (ca_assets_tests/conftest.py), so the session runs the protocol once. Each module takes its own copy
    (`copy_of_conversations`), so none sees another's writes."""
    return launched.data


@pytest.fixture(scope="module")
def copy_of_conversations(conversations, tmp_path_factory) -> DuckDB:
    """This module's copy of the shared conversations' data directory: the DuckDB file and the model cache."""
    data = tmp_path_factory.mktemp("copy") / "data"
    shutil.copytree(conversations, data, symlinks=True)  # releases/current stays a link to its version
    return DuckDB(data_dir=str(data))
