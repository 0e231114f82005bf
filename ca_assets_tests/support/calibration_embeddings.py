"""The bundled calibration material (the value judge's pole sentences and labelled items) embedded once per
session, so the modules that build a fresh data directory do not each spend the 16 s (2 cores) it takes.

`seed` copies the vectors into a fresh data directory's `cache.embeddings`, the cache the embedding assets read
through: the first values run there finds them as a rerun would. Only the cache is seeded; every candidate
text a test makes is still embedded by the real model."""

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from ca_assets.core.duckdb import DuckDB
from ca_assets.core.sql import load_sql
from ca_assets.defs.values.judge import pole_sentences, read_calibration_set
from ca_assets.models.embeddings import Embedder, embed_cached


def calibration_texts() -> list[str]:
    calibration = read_calibration_set()
    poles = [s for lang in sorted(calibration["lang"].unique()) for group in pole_sentences(lang).values() for s in group]
    return poles + calibration["text"].tolist()


def embed_calibration(folder: Path) -> Path:
    """The vectors as `cache.embeddings` rows in a Parquet file under `folder`."""
    duckdb = DuckDB(data_dir=str(folder / "data"))
    embed_cached(duckdb, Embedder(), calibration_texts(), log=lambda message: None)
    path = folder / "calibration_embeddings.parquet"
    with duckdb.connect(read_only=True) as con:
        con.sql("select * from cache.embeddings").write_parquet(str(path))
    return path


def seed(duckdb: DuckDB, vectors: Path) -> None:
    with duckdb.connect() as con:
        con.execute(load_sql("models", "embedding_cache"))
        con.execute("insert or ignore into cache.embeddings select * from read_parquet($path)", {"path": str(vectors)})


def vectors_by_sha(vectors: Path) -> dict[str, np.ndarray]:
    """text sha256 -> vector, for tests that call the judge without a data directory."""
    rows = pd.read_parquet(vectors, columns=["text_sha", "embedding"])
    return {key: np.asarray(vector, dtype=np.float32) for key, vector in zip(rows["text_sha"], rows["embedding"], strict=True)}


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
