"""Under CA_LOCKDOWN (what `ca-assets ui` sets for the runs the UI launches), the resource settings that reach the
file system stay where the deployment put them, whatever a launch's run config says: the run fails at resource
setup, naming the setting, before any step reads or writes. (e2e/test_ui.py launches the same through the UI.)"""

import dagster as dg
import pytest

from ca_assets.core.duckdb import DuckDB
from ca_assets.defs.prompts.assets import prompts
from ca_assets.defs.prompts.prompt_bank import PromptSources
from ca_assets.models.embeddings import Embedder
from ca_assets.models.generation import Generator, bundled_gguf
from ca_assets.models.language import ALL_LANGS_TAGS
from ca_assets_tests.support.generation_run import FIRST_TURN, SMALL_SAMPLING


def _failure(result: dg.ExecuteInProcessResult) -> str:
    assert not result.success
    return " ".join(str(e.event_specific_data.error) for e in result.all_events if e.is_failure and e.event_specific_data)


@pytest.fixture
def deployment(monkeypatch, tmp_path):
    monkeypatch.setenv("CA_LOCKDOWN", "1")
    monkeypatch.setenv("CA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CA_MODEL_DIRS", str(tmp_path / "models"))
    return tmp_path


def test_the_data_directory_is_the_deployments(deployment):
    elsewhere = deployment / "elsewhere"
    moved = dg.materialize([prompts], resources={"duckdb": DuckDB(data_dir=str(elsewhere)), "prompt_sources": PromptSources()},
                           tags=ALL_LANGS_TAGS, raise_on_error=False)
    assert "a launch cannot move it" in _failure(moved) and not elsewhere.exists()
    kept = dg.materialize([prompts], resources={"duckdb": DuckDB(), "prompt_sources": PromptSources()}, tags=ALL_LANGS_TAGS)
    assert kept.success and (deployment / "data" / "ca.duckdb").is_file()


@pytest.mark.parametrize("generator", [
    Generator(model_path="/etc/hostname"),
    Generator(model_path="models/../../etc/hostname"),
    Generator(multi_model=["/etc/hostname"]),
])  # fmt: skip
def test_a_model_file_outside_the_model_folders_is_not_read(deployment, generator):
    resources = {"duckdb": DuckDB(), "prompt_sources": PromptSources(), "generator": generator, "sampling": SMALL_SAMPLING}
    result = dg.materialize([prompts, FIRST_TURN], resources=resources, tags=ALL_LANGS_TAGS, raise_on_error=False)
    assert "outside the model folders" in _failure(result)
    assert not [e for e in result.get_asset_materialization_events() if e.asset_key.path[0] == "turn_1"]


def test_the_bundled_model_and_a_model_in_an_allowed_folder_are_read(deployment):
    (deployment / "models").mkdir()
    inside = deployment / "models" / "mine.gguf"
    inside.symlink_to(bundled_gguf())  # a link is judged by where it points: here, outside the folder
    with pytest.raises(ValueError, match="outside the model folders"):
        Generator(model_path=str(inside)).setup_for_execution(None)
    inside.unlink()
    inside.write_bytes(b"GGUF")
    Generator(model_path=str(inside)).setup_for_execution(None)
    Generator().setup_for_execution(None)
    with pytest.raises(ValueError, match="embedder.model_path"):
        Embedder(backend="sentence_transformers", model_path="/usr/share").setup_for_execution(None)


def test_without_lockdown_paths_are_the_callers(monkeypatch, tmp_path):
    monkeypatch.delenv("CA_LOCKDOWN", raising=False)
    Generator(model_path="/etc/hostname").setup_for_execution(None)
    DuckDB(data_dir=str(tmp_path)).setup_for_execution(None)
