"""The generation cache answers a request only for the model that wrote the answer: a GGUF is named by its
content (not its file name and size), a served model by its endpoint as well as its name. Otherwise a second
model, or a second server with the same model name, would get the first one's answers back as its own."""

import shutil

import pytest

from ca_assets.models.generation import ChatRequest, Completion, GenerationError, Generator, ResponseCache, bundled_gguf
from ca_assets_tests.support.local_server import free_port

REQUEST = ChatRequest((("user", "Say hello in French."),), 0.7, 8, 42, "test.v1.en+000000000000")


@pytest.mark.slow
def test_a_gguf_is_known_by_its_content(tmp_path):
    cache = ResponseCache(tmp_path / "cache")
    first, copy, impostor = (tmp_path / name / "model.gguf" for name in ("a", "b", "c"))
    for path in (first, copy, impostor):
        path.parent.mkdir()
    shutil.copy(bundled_gguf(), first)
    shutil.copy(bundled_gguf(), copy)
    data = bytearray(bundled_gguf().read_bytes())
    data[-1] ^= 0xFF  # same name, same size, one byte apart
    impostor.write_bytes(data)

    answer = Generator(model_path=str(first)).complete(REQUEST, cache)  # the real model
    assert not answer.cached
    again = Generator(model_path=str(copy)).complete(REQUEST, cache)  # the same bytes elsewhere: a hit
    assert again.cached and again.texts == answer.texts
    other = Generator(model_path=str(impostor))
    assert cache.get(other.cache_key(REQUEST)) is None
    assert len({Generator(model_path=str(p)).model_identity for p in (first, copy, impostor)}) == 2


def test_a_served_model_is_known_by_its_endpoint(tmp_path):
    cache = ResponseCache(tmp_path / "cache")
    port = free_port()
    served = Generator(backend="openai", base_url=f"http://127.0.0.1:{port}/v1", model="m")
    cache.put(served.cache_key(REQUEST), Completion(["bonjour"], 5, 2, 0.1))
    # The same server written another way shares the answer; the same model name on another server does not.
    for url in (f"HTTP://127.0.0.1:{port}/v1/", f"http://127.0.0.1:{port}/v1"):
        assert Generator(backend="openai", base_url=url, model="m").complete(REQUEST, cache).cached
    elsewhere = Generator(backend="openai", base_url=f"http://127.0.0.1:{free_port()}/v1", model="m", max_retries=0,
                          timeout_seconds=2)
    with pytest.raises(GenerationError):  # asked for real (and nothing listens there), not answered from the cache
        elsewhere.complete(REQUEST, cache)
