import dagster as dg
import pandas as pd

from ca_assets.lib.checks import DUCKDB_POOL, audit_check, schema_check, table_key
from ca_assets.lib.duckdb import DuckDB
from ca_assets.lib.language import LANG_PARTITIONS
from ca_assets.lib.partitions import SINGLE_RUN
from ca_assets.lib.prompt_bank import BANK_DIR, read_bank
from ca_assets.lib.schemas import Prompts
from ca_assets.lib.tables import write_table


@dg.asset(
    key=table_key("prompts"), group_name="prompts", kinds={"duckdb"}, pool=DUCKDB_POOL,
    partitions_def=LANG_PARTITIONS, backfill_policy=SINGLE_RUN,
)
def prompts(context: dg.AssetExecutionContext, duckdb: DuckDB) -> dg.MaterializeResult:
    """The prompts candidate sets are generated for.

    Grain: one row per distinct prompt (language + normalised text). Source: the bundled bank in
    prompts/bank/ (everyday, value-laden prompts written for this project in en, fr, it, pt, hi), NFC- and
    whitespace-normalised, deduplicated, with the language a detector finds beside the declared one.
    Partitioned by language: materializing `fr` replaces the French rows only.
    """
    langs = list(context.partition_keys)  # a run covers one language or a range of them
    rows = pd.DataFrame(read_bank())
    rows = rows[rows["lang"].isin(langs)]
    distinct = rows.drop_duplicates("prompt_id")
    return write_table(
        duckdb,
        "prompts",
        {"prompt_rows": rows},
        replace_where="list_contains($langs, lang)",
        where_params={"langs": langs},
        bank=str(BANK_DIR),
        bank_lines=len(rows),
        duplicates_dropped=len(rows) - len(distinct),
        per_language=dg.MetadataValue.json(distinct["lang"].value_counts().sort_index().to_dict()),
    )


prompts_checks = [
    schema_check("prompts", Prompts),
    audit_check(
        "prompts",
        "prompts_language_matches",
        "The detected language of each prompt is its declared language.",
        severity=dg.AssetCheckSeverity.WARN,
    ),
]
