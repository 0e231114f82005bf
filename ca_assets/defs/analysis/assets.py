"""The preference evaluation per sampler: can this data teach a model heterogeneous preferences (held-out
accuracy of a pooled and a cohort-conditioned preference model; the logic is preference_eval.py)."""

import dagster as dg
import numpy as np
import pandas as pd
from pydantic import Field

from ca_assets.core.checks import DUCKDB_POOL, schema_check, table_key
from ca_assets.core.duckdb import DuckDB
from ca_assets.core.partitions import SINGLE_RUN
from ca_assets.core.plots import attach, eval_accuracy
from ca_assets.core.sql import load_sql
from ca_assets.core.tables import write_table
from ca_assets.defs.aggregates.votes import ALL
from ca_assets.defs.analysis.preference_eval import EvalSettings, evaluate, heterogeneity_gain
from ca_assets.defs.analysis.schemas import PreferenceEval

STAGE = "analysis"


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
    group_name=STAGE,
    kinds={"duckdb", "scikitlearn", "matplotlib"},
    pool=DUCKDB_POOL,
)
def preference_eval(context: dg.AssetExecutionContext, config: EvalConfig, duckdb: DuckDB) -> dg.MaterializeResult:
    """Grain: one row per (sampler, model, cohort): held-out accuracy of a pooled and a cohort-conditioned preference
    model (Bradley–Terry on a PCA of the answers' embeddings and their IW scores, split by prompt within each
    language), per sampler. Plot: accuracy per
    cohort and sampler against the pooled model and chance."""
    with duckdb.connect(read_only=True) as con:
        rows = con.sql(load_sql("analysis", "queries", "eval_comparisons")).df()
    context.log.info(f"preference_eval: {len(rows)} comparisons over samplers {sorted(rows['sampler'].unique())}")
    settings = EvalSettings(**config.model_dump(), unreduced=VALUE_FEATURES)
    report = evaluate(rows, _features(rows, "chosen"), _features(rows, "rejected"), settings)
    result = write_table(duckdb, STAGE, "preference_eval", {"eval_rows": report})
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


analysis_checks = [schema_check("preference_eval", PreferenceEval)]
