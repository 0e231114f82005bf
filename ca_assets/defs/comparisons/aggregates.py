"""Aggregates and disagreement per item and cohort, and the preference evaluation per sampler: what the
comparisons say beyond single choices."""

import dagster as dg
import numpy as np
import pandas as pd
from pydantic import Field

from ca_assets.lib.aggregates import ALL, ContestRules, aggregate
from ca_assets.lib.checks import DUCKDB_POOL, audit_check, schema_check, table_key
from ca_assets.lib.duckdb import DuckDB
from ca_assets.lib.partitions import SINGLE_RUN
from ca_assets.lib.plots import attach, eval_accuracy
from ca_assets.lib.preference_eval import EvalSettings, evaluate, heterogeneity_gain
from ca_assets.lib.schemas import Aggregates, PreferenceEval
from ca_assets.lib.sql import load_sql
from ca_assets.lib.tables import write_table

GROUP = "comparisons"


class AggregatesConfig(dg.Config):
    min_country_votes: int = Field(default=3, description="A country's votes on an item count towards JSD from this many.")
    contested_jsd: float = Field(
        default=0.1, description="Countries disagree when their favourites differ and JSD ≥ this (bits)."
    )
    min_annotations: int = Field(default=5, description="Items with fewer annotations overall are never `no_consensus`.")
    no_consensus_entropy: float = Field(
        default=1.5, description="`no_consensus` from this choice entropy (bits; 2 = uniform over four)."
    )
    bt_prior: float = Field(default=0.5, description="Bradley–Terry pseudo-wins per ordered pair of answers.")


@dg.asset(
    backfill_policy=SINGLE_RUN,
    key=table_key("aggregates"), deps=[table_key("comparisons")], group_name=GROUP, kinds={"duckdb", "numpy"}, pool=DUCKDB_POOL
)
def aggregates(config: AggregatesConfig, duckdb: DuckDB) -> dg.MaterializeResult:
    """Grain: one row per (item, cohort, answer), cohort = 'all' or an annotator country; an item is one conversation
    so far with one set of four answers (shown to one or many annotators). Plurality, Borda, Bradley–Terry strength,
    choice entropy, the JSD between countries and the `contested` flag with its reason."""
    with duckdb.connect(read_only=True) as con:
        votes = con.sql(load_sql("queries", "aggregate_votes")).df()
    rows = aggregate(votes, ContestRules(**config.model_dump()))
    items = rows[rows["cohort"] == ALL].drop_duplicates("item_id")
    return write_table(
        duckdb,
        "aggregates",
        {"aggregate_rows": rows},
        items=len(items),
        items_with_several_annotators=int((items["annotations"] > 1).sum()),
        contested=dg.MetadataValue.json(items["contested_reason"].value_counts().to_dict()),
        mean_entropy_bits=float(items["entropy_bits"].mean()) if len(items) else 0.0,
    )


class EvalConfig(dg.Config):
    test_share: float = Field(
        default=0.3, description="Share of prompts held out (every turn and annotator of a prompt together)."
    )
    seed: int = Field(default=0, description="Seed of the split by prompt.")
    regularisation: float = Field(default=1.0, description="Inverse L2 strength (scikit-learn's C).")
    components: int = Field(default=8, description="PCA components of the answers' embeddings.")
    min_test_comparisons: int = Field(default=5, description="Fewer held-out comparisons: accuracy not reported.")


VALUE_FEATURES = 2  # the IW axis scores, last: they skip the PCA (see EvalSettings.unreduced)


def _features(rows: pd.DataFrame, side: str) -> np.ndarray:
    """An answer's features: its embedding, then its two IW axis scores (0 where the judge gave none)."""
    if rows.empty:
        return np.zeros((0, 2))
    embeddings = np.stack(rows[f"{side}_embedding"].to_numpy()).astype(float)
    values = np.nan_to_num(np.stack(rows[f"{side}_values"].to_numpy()).astype(float))
    return np.hstack([embeddings, values])


@dg.asset(
    backfill_policy=SINGLE_RUN,
    key=table_key("preference_eval"),
    deps=[table_key("comparisons"), table_key("candidate_embeddings"), table_key("candidate_values")],
    group_name=GROUP,
    kinds={"duckdb", "scikitlearn", "matplotlib"},
    pool=DUCKDB_POOL,
)
def preference_eval(context: dg.AssetExecutionContext, config: EvalConfig, duckdb: DuckDB) -> dg.MaterializeResult:
    """Grain: one row per (sampler, model, cohort): held-out accuracy of a pooled and a cohort-conditioned preference
    model (Bradley–Terry on a PCA of the answers' embeddings and their IW scores, split by prompt within each
    language), per sampler. Plot: accuracy per
    cohort and sampler against the pooled model and chance."""
    with duckdb.connect(read_only=True) as con:
        rows = con.sql(load_sql("queries", "eval_comparisons")).df()
    context.log.info(f"preference_eval: {len(rows)} comparisons over samplers {sorted(rows['sampler'].unique())}")
    settings = EvalSettings(**config.model_dump(), unreduced=VALUE_FEATURES)
    report = evaluate(rows, _features(rows, "chosen"), _features(rows, "rejected"), settings)
    result = write_table(duckdb, "preference_eval", {"eval_rows": report})
    overall = report[report["cohort"] == ALL].pivot(index="sampler", columns="model", values="accuracy").round(3)
    gain = heterogeneity_gain(report).round(3)
    return dg.MaterializeResult(
        asset_key=result.asset_key,
        metadata={
            **result.metadata,
            "accuracy_all_cohorts": dg.MetadataValue.md(overall.to_markdown()),
            "cohort_gain_over_pooled": dg.MetadataValue.md(gain.to_markdown(index=False)),
            **attach(eval_accuracy(report), duckdb.subdir("reports") / "preference_eval" / "accuracy.png", "accuracy"),
        },
    )


aggregates_checks = [
    schema_check("aggregates", Aggregates),
    audit_check(
        "aggregates",
        "aggregates_count_every_kept_annotation",
        "Every kept annotation is counted once per item overall and once in its country's cohort.",
    ),
    schema_check("preference_eval", PreferenceEval),
]
