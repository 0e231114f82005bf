"""Aggregates and disagreement per item and cohort: what the comparisons say beyond single choices."""

import dagster as dg
from pydantic import Field

from ca_assets.core.checks import DUCKDB_POOL, audit_check, schema_check, table_key
from ca_assets.core.duckdb import DuckDB
from ca_assets.core.partitions import SINGLE_RUN
from ca_assets.core.sql import load_sql
from ca_assets.core.tables import write_table
from ca_assets.defs.aggregates.schemas import Aggregates
from ca_assets.defs.aggregates.votes import ALL, ContestRules, aggregate

STAGE = "aggregates"


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
    key=table_key("aggregates"), deps=[table_key("comparisons")], group_name=STAGE, kinds={"duckdb", "numpy"}, pool=DUCKDB_POOL
)
def aggregates(config: AggregatesConfig, duckdb: DuckDB) -> dg.MaterializeResult:
    """Grain: one row per (item, cohort, answer), cohort = 'all' or an annotator country; an item is one conversation
    so far with one set of four answers (shown to one or many annotators). Plurality, Borda, Bradley–Terry strength,
    choice entropy, the JSD between countries and the `contested` flag with its reason."""
    with duckdb.connect(read_only=True) as con:
        votes = con.sql(load_sql("aggregates", "queries", "aggregate_votes")).df()
    rows = aggregate(votes, ContestRules(**config.model_dump()))
    items = rows[rows["cohort"] == ALL].drop_duplicates("item_id")
    return write_table(
        duckdb,
        STAGE,
        "aggregates",
        {"aggregate_rows": rows},
        items=len(items),
        items_with_several_annotators=int((items["annotations"] > 1).sum()),
        contested=dg.MetadataValue.json(items["contested_reason"].value_counts().to_dict()),
        mean_entropy_bits=float(items["entropy_bits"].mean()) if len(items) else 0.0,
    )


aggregates_checks = [
    schema_check("aggregates", Aggregates),
    audit_check(
        STAGE,
        "aggregates",
        "aggregates_count_every_kept_annotation",
        "Every kept annotation is counted once per item overall and once in its country's cohort.",
    ),
]
