import dagster as dg

from ca_assets.core.checks import DUCKDB_POOL, audit_check, schema_check, table_key
from ca_assets.core.duckdb import DuckDB
from ca_assets.core.partitions import SINGLE_RUN
from ca_assets.core.tables import write_table
from ca_assets.defs.comparisons.schemas import Comparisons

STAGE = "comparisons"


@dg.asset(
    backfill_policy=SINGLE_RUN,
    key=table_key("comparisons"),
    deps=[
        table_key("annotations"), table_key("candidates"), table_key("candidate_sets"), table_key("annotators"),
        table_key("quality_quarantine"), table_key("human_turns"),
    ],
    group_name=STAGE,
    kinds={"duckdb"},
    pool=DUCKDB_POOL,
)
def comparisons(duckdb: DuckDB) -> dg.MaterializeResult:
    """Grain: one row per (kept annotation, rejected candidate): each best-of-4 choice that passed quality control
    expands to three (chosen, rejected) pairs, keeping the conversation so far, annotator, country, source,
    sampler, model, explanation and the item (what was shown) that aggregates count votes on."""
    return write_table(duckdb, STAGE, "comparisons")


comparisons_checks = [
    schema_check("comparisons", Comparisons),
    audit_check(
        STAGE,
        "comparisons",
        "comparisons_three_per_annotation",
        "Annotations = kept + quarantined: every annotation outside quality_quarantine expands to exactly three "
        "comparisons, and no quarantined one to any.",
    ),
]
