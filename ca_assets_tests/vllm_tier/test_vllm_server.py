"""The `openai` backend against vLLM's own OpenAI-compatible server (what `vllm serve` runs) on 127.0.0.1,
serving the bundled model converted to a Hugging Face folder."""

import pytest

from ca_assets.models.generation import ChatRequest, Generator, ResponseCache
from ca_assets.models.samplers import SamplingSettings, sample_set
from ca_assets_tests.support.generation_run import kept_and_quarantined, materialize_generation
from ca_assets_tests.support.local_server import SERVED_MODEL, vllm_server

pytestmark = [pytest.mark.slow, pytest.mark.vllm]


@pytest.fixture(scope="module")
def server(model_dir):
    with vllm_server(model_dir, max_model_len=1024) as base_url:
        yield base_url


def server_generator(base_url, **overrides) -> Generator:
    return Generator(backend="openai", base_url=base_url, model=SERVED_MODEL, server_supports_n=True, **overrides)


def test_completion_with_n_and_usage_over_http(server, tmp_path):
    request = ChatRequest((("user", "Name a colour."),), 1.0, 8, 5, "test.v1.en+000000000000", n=4)
    completion = server_generator(server).complete(request, ResponseCache(tmp_path))
    assert len(completion.texts) == 4 and completion.tokens_in > 0 and 4 <= completion.tokens_out <= 32


def test_nc_json_schema_through_the_server(server, tmp_path):
    settings = SamplingSettings(max_words=12, max_tokens=24)
    outcome = sample_set(server_generator(server), ResponseCache(tmp_path), "nc", "p-en", "en", "Should I move back home?", settings)
    if outcome.answers is None:  # the toy model may repeat itself or drift; the server must return the shape
        assert outcome.reason in {"duplicate_responses", "wrong_language"}, outcome.raw
    else:
        assert len(outcome.answers) == 4


def test_generation_stage_through_the_vllm_server(server, duckdb):
    result = materialize_generation(duckdb, server_generator(server, concurrency=4), lang="fr")  # one language: see test_vllm_stage
    assert result.success and all(e.passed for e in result.get_asset_check_evaluations())
    kept, quarantined = kept_and_quarantined(duckdb)
    assert kept + quarantined == 2 and kept > 0
