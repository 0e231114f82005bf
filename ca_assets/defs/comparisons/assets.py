import dagster as dg
import duckdb as duckdb_module
import pandas as pd

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
        table_key("quality_quarantine"), table_key("human_turns"), table_key("prompts"),
    ],
    group_name=STAGE,
    kinds={"duckdb"},
    pool=DUCKDB_POOL,
)
def comparisons(duckdb: DuckDB) -> dg.MaterializeResult:
    """Grain: one row per (kept annotation, rejected candidate): each best-of-4 choice that passed quality control
    expands to three (chosen, rejected) pairs, keeping the conversation so far, annotator, country, source,
    sampler, model, explanation and the item (what was shown) that aggregates count votes on."""
    with duckdb.connect(read_only=True) as con:
        written = written_prompts(con)
    return write_table(duckdb, STAGE, "comparisons", {"written_prompts": written})


def written_prompts(con) -> pd.DataFrame:
    """The prompts people wrote as their openings in the live app (their conversations are not opened on a
    pregenerated prompt); none where the prompts stage never ran (a data directory of human files only) or ran
    before prompts had writers."""
    try:
        return con.sql("select prompt_id from main.prompts where annotator_id is not null").df()
    except (duckdb_module.CatalogException, duckdb_module.BinderException):
        return pd.DataFrame({"prompt_id": pd.Series([], dtype=str)})


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
