import dagster as dg

from ca_assets.lib.checks import DUCKDB_POOL, audit_check, schema_check, table_key
from ca_assets.lib.duckdb import DuckDB
from ca_assets.lib.partitions import SINGLE_RUN
from ca_assets.lib.schemas import Comparisons
from ca_assets.lib.tables import write_table

GROUP = "comparisons"


@dg.asset(
    backfill_policy=SINGLE_RUN,
    key=table_key("comparisons"),
    deps=[
        table_key("annotations"), table_key("candidates"), table_key("candidate_sets"), table_key("annotators"),
        table_key("quality_quarantine"), table_key("human_turns"),
    ],
    group_name=GROUP,
    kinds={"duckdb"},
    pool=DUCKDB_POOL,
)
def comparisons(duckdb: DuckDB) -> dg.MaterializeResult:
    """Grain: one row per (kept annotation, rejected candidate): each best-of-4 choice that passed quality control
    expands to three (chosen, rejected) pairs, keeping the conversation so far, annotator, country, source,
    sampler, model, explanation and the item (what was shown) that aggregates count votes on."""
    return write_table(duckdb, "comparisons")


comparisons_checks = [
    schema_check("comparisons", Comparisons),
    audit_check(
        "comparisons",
        "comparisons_three_per_annotation",
        "Annotations = kept + quarantined: every annotation outside quality_quarantine expands to exactly three "
        "comparisons, and no quarantined one to any.",
    ),
]
