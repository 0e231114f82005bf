"""The `openai` backend against a real OpenAI-compatible HTTP server: llama.cpp's own server on 127.0.0.1,
serving the bundled GGUF. Nothing here is faked: requests cross a socket, usage comes from the server. The whole
generation stage through this server runs in reliability/test_fault_proxy.py (behind a proxy that injects faults)."""

import json

import dagster as dg
import pytest

from ca_assets.defs.prompts.assets import prompts
from ca_assets.defs.prompts.prompt_bank import PromptSources
from ca_assets.models.generation import ChatRequest, GenerationError, Generator, ResponseCache
from ca_assets.models.language import ALL_LANGS_TAGS
from ca_assets.models.samplers import SamplingSettings, sample_set
from ca_assets_tests.support.generation_run import FIRST_TURN, SMALL_SAMPLING
from ca_assets_tests.support.local_server import SERVED_MODEL as MODEL
from ca_assets_tests.support.local_server import free_port, llama_cpp_server

pytestmark = pytest.mark.slow

SETTINGS = SamplingSettings(max_words=12, max_tokens=24)


@pytest.fixture(scope="module")
def server():
    with llama_cpp_server() as base_url:
        yield base_url


def _generator(base_url, **overrides) -> Generator:
    return Generator(backend="openai", base_url=base_url, model=MODEL, structured_output="json_object_schema", **overrides)


def test_completion_crosses_http_with_usage_and_is_cached(server, tmp_path):
    generator, cache = _generator(server), ResponseCache(tmp_path)
    request = ChatRequest((("user", "Say hello in French."),), 0.7, 16, 42, "test.v1.en+000000000000")
    first = generator.complete(request, cache)
    assert first.text and first.tokens_in > 0 and 0 < first.tokens_out <= 16 and not first.cached
    again = generator.complete(request, cache)
    assert again.cached and again.text == first.text


def test_nc_structured_output_is_enforced_by_the_server(server, tmp_path):
    outcome = sample_set(_generator(server), ResponseCache(tmp_path), "nc", "p-en", "en", "Should I move back home?", SETTINGS)
    raw = outcome.raw if outcome.answers is None else None
    if outcome.answers is None:  # the toy model may repeat itself; the server must still return the shape
        assert outcome.reason == "duplicate_responses", raw
    else:
        assert len(outcome.answers) == 4
    assert outcome.tokens_out > 0


def test_unreachable_server_becomes_request_failed_not_a_crash(tmp_path):
    generator = Generator(backend="openai", base_url=f"http://127.0.0.1:{free_port()}/v1", model=MODEL, max_retries=0, timeout_seconds=2)
    with pytest.raises(GenerationError):
        generator.complete(ChatRequest((("user", "hi"),), 0.0, 4, 0, "t"), ResponseCache(tmp_path))
    outcome = sample_set(generator, ResponseCache(tmp_path), "iid", "p", "en", "hi", SETTINGS)
    assert outcome.answers is None and outcome.reason == "request_failed" and "Connection" in outcome.raw


def test_generation_stops_when_the_backend_is_down(duckdb):
    down = Generator(backend="openai", base_url=f"http://127.0.0.1:{free_port()}/v1", model=MODEL, max_retries=0, timeout_seconds=2)
    result = dg.materialize(
        [prompts, FIRST_TURN],
        resources={"duckdb": duckdb, "prompt_sources": PromptSources(), "generator": down, "sampling": SMALL_SAMPLING},
        raise_on_error=False,
        run_config={"ops": {"turn_1__generation": {"config": {"prompts_per_language": 2}}}}, tags=ALL_LANGS_TAGS,
    )
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "is the openai backend up" in json.dumps(str(failure.event_specific_data.error))
