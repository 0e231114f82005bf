import time

import dagster as dg
import numpy as np
import pandas as pd

from ca_assets.lib.checks import DUCKDB_POOL, schema_check, table_key
from ca_assets.lib.duckdb import DuckDB
from ca_assets.lib.embeddings import Embedder
from ca_assets.lib.schemas import CandidateEmbeddings, CandidateValues, SetDiversity
from ca_assets.lib.sql import load_sql
from ca_assets.lib.tables import write_table
from ca_assets.lib.values import JUDGE_VERSION, POLES, judge, pole_texts

GROUP = "values"


@dg.asset(
    key=table_key("candidate_embeddings"),
    deps=[table_key("candidates")],
    group_name=GROUP,
    kinds={"duckdb", "numpy"},
    pool=DUCKDB_POOL,
)
def candidate_embeddings(context: dg.AssetExecutionContext, duckdb: DuckDB, embedder: Embedder) -> dg.MaterializeResult:
    """Grain: one row per candidate: its unit-length sentence embedding from a multilingual encoder."""
    with duckdb.connect(read_only=True) as con:
        rows = con.sql(load_sql("queries", "candidate_texts")).df()
    started = time.perf_counter()
    vectors = embedder.embed(rows["text"].tolist())
    seconds = time.perf_counter() - started
    context.log.info(f"embedded {len(rows)} candidates in {seconds:.1f}s")
    frame = pd.DataFrame(
        {
            "candidate_id": rows["candidate_id"],
            "model": embedder.model_name,
            "dim": vectors.shape[1],
            "embedding": list(vectors),
        }
    )
    return write_table(
        duckdb,
        "candidate_embeddings",
        {"embedding_rows": frame},
        model=embedder.model_name,
        texts_per_second=round(len(rows) / seconds, 1) if seconds else 0.0,
    )


@dg.asset(
    key=table_key("candidate_values"),
    deps=[table_key("candidate_embeddings")],
    group_name=GROUP,
    kinds={"duckdb", "numpy"},
    pool=DUCKDB_POOL,
)
def candidate_values(duckdb: DuckDB, embedder: Embedder) -> dg.MaterializeResult:
    """Grain: one row per candidate: which Inglehart–Welzel pole it expresses and its score on the two
    axes, from the embedding-prototype judge (pole descriptions in prompts/judge/)."""
    with duckdb.connect(read_only=True) as con:
        rows = con.sql(load_sql("queries", "candidate_vectors")).df()
    embeddings = np.stack(rows["embedding"].to_numpy()) if len(rows) else np.zeros((0, 1), dtype=np.float32)
    poles = embedder.embed(list(pole_texts().values()))
    trad_secular, surv_self, closest = judge(embeddings, poles) if len(rows) else ([], [], [])
    frame = pd.DataFrame(
        {
            "candidate_id": rows["candidate_id"],
            "judge": f"embedding_prototype.v{JUDGE_VERSION}",
            "trad_secular": trad_secular,
            "surv_self": surv_self,
            "pole": closest,
        }
    )
    return write_table(
        duckdb,
        "candidate_values",
        {"value_rows": frame},
        poles=dg.MetadataValue.json({p: int((frame["pole"] == p).sum()) for p in POLES}),
    )


@dg.asset(
    key=table_key("set_diversity"),
    deps=[table_key("candidate_sets"), table_key("candidate_embeddings"), table_key("candidate_values")],
    group_name=GROUP,
    kinds={"duckdb"},
    pool=DUCKDB_POOL,
)
def set_diversity(duckdb: DuckDB) -> dg.MaterializeResult:
    """Grain: one row per candidate set: mean and minimum pairwise cosine distance of its four answers,
    and how many IW poles they cover. Higher means the set offers annotators a real choice."""
    result = write_table(duckdb, "set_diversity")
    with duckdb.connect(read_only=True) as con:
        summary = con.sql(load_sql("reports", "diversity_by_sampler")).df()
    return dg.MaterializeResult(
        asset_key=result.asset_key,
        metadata={**result.metadata, "per_sampler": dg.MetadataValue.md(summary.to_markdown(index=False))},
    )


values_checks = [
    schema_check("candidate_embeddings", CandidateEmbeddings),
    schema_check("candidate_values", CandidateValues),
    schema_check("set_diversity", SetDiversity),
]
