import os

import dagster as dg
import pandas as pd
import pyarrow.parquet as pq

from ca_assets.lib.checks import DUCKDB_POOL, audit_check, schema_check, table_key, validate_frame
from ca_assets.lib.duckdb import DuckDB
from ca_assets.lib.schemas import Comparisons, TrlPreferences
from ca_assets.lib.sql import load_sql
from ca_assets.lib.tables import write_table

GROUP = "comparisons"
TRL_EXPORT = "trl_preferences"
TRL_KEY = dg.AssetKey(["exports", TRL_EXPORT])


def trl_path(duckdb: DuckDB):
    return duckdb.subdir("exports") / f"{TRL_EXPORT}.parquet"


@dg.asset(
    key=table_key("comparisons"),
    deps=[
        table_key("annotations"), table_key("candidates"), table_key("candidate_sets"), table_key("annotators"),
        table_key("quality_quarantine"),
    ],
    group_name=GROUP,
    kinds={"duckdb"},
    pool=DUCKDB_POOL,
)
def comparisons(duckdb: DuckDB) -> dg.MaterializeResult:
    """Grain: one row per (kept annotation, rejected candidate): each best-of-4 choice that passed quality control
    expands to three (chosen, rejected) pairs, keeping the conversation so far, annotator, country, source,
    sampler, model and explanation."""
    return write_table(duckdb, "comparisons")


@dg.asset(key=TRL_KEY, deps=[table_key("comparisons")], group_name=GROUP, kinds={"duckdb", "parquet"}, pool=DUCKDB_POOL)
def trl_preferences(duckdb: DuckDB) -> dg.MaterializeResult:
    """Grain: one row per comparison, in TRL's conversational preference format (`prompt` messages,
    `chosen`, `rejected`), written to <data>/exports/trl_preferences.parquet for DPOTrainer/RewardTrainer."""
    path = trl_path(duckdb)
    with duckdb.connect(read_only=True) as con:
        table = con.sql(load_sql("exports", TRL_EXPORT)).to_arrow_table()
    tmp = path.with_suffix(".parquet.tmp")
    pq.write_table(table, tmp)
    os.replace(tmp, path)  # readers never see a half-written file
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": table.num_rows,
            "path": dg.MetadataValue.path(str(path)),
            "columns": dg.MetadataValue.json(table.column_names),
        }
    )


@dg.asset_check(asset=TRL_KEY, name="matches_schema", blocking=True, description="The export reads back with the exact TRL conversational preference shape.")
def trl_preferences_matches_schema(duckdb: DuckDB) -> dg.AssetCheckResult:
    frame = pd.read_parquet(trl_path(duckdb))
    return validate_frame(frame, TrlPreferences)


comparisons_checks = [
    schema_check("comparisons", Comparisons),
    audit_check(
        "comparisons",
        "comparisons_three_per_annotation",
        "Annotations = kept + quarantined: every annotation outside quality_quarantine expands to exactly three "
        "comparisons, and no quarantined one to any.",
    ),
]  # trl_preferences_matches_schema is found by the loader as a module attribute
