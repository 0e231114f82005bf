"""Prompts: the bundled bank and the user's own prompt files (resource `prompt_sources`), normalised and
deduplicated into `prompts`; the rows that cannot be prompts go to `prompt_quarantine` with a reason."""

import dagster as dg
import pandas as pd

from ca_assets.core.checks import DUCKDB_POOL, audit_check, schema_check, table_key
from ca_assets.core.duckdb import DuckDB
from ca_assets.core.partitions import SINGLE_RUN
from ca_assets.core.tables import write_table
from ca_assets.defs.prompts.prompt_bank import BANK_DIR, PromptSources, bank_languages, read_sources, with_detected_lang
from ca_assets.defs.prompts.schemas import PromptQuarantine, Prompts
from ca_assets.formats.ca_csv import FileRejected
from ca_assets.models.language import LANG_PARTITIONS
from ca_assets.vocab import LANGS

STAGE = "prompts"
# Quarantined rows in a language that is not configured belong to no language partition: every run rewrites them.
QUARANTINE_OF_RUN = "list_contains($langs, lang) or not list_contains($configured, coalesce(lang, ''))"


def _read(context: dg.AssetExecutionContext, sources: PromptSources, duckdb: DuckDB) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    try:
        kept, quarantined, rows_read = read_sources(sources, duckdb.root)
    except FileRejected as error:
        raise dg.Failure(f"prompt file refused, nothing was written: {error}") from error
    if len(kept) + len(quarantined) != rows_read:  # the split's contract; a bug if it breaks
        raise dg.Failure(f"{rows_read} prompt rows read but {len(kept)} kept and {len(quarantined)} quarantined")
    without_bank = [lang for lang in LANGS if lang not in bank_languages()]
    if sources.bundled_bank and without_bank:
        context.log.warning(f"the bundled bank has no prompts in {without_bank}: only your prompt files give them prompts")
    return kept, quarantined, rows_read


@dg.asset(
    key=table_key("prompts"), group_name=STAGE, kinds={"duckdb"}, pool=DUCKDB_POOL,
    partitions_def=LANG_PARTITIONS, backfill_policy=SINGLE_RUN,
)  # fmt: skip
def prompts(context: dg.AssetExecutionContext, duckdb: DuckDB, prompt_sources: PromptSources) -> dg.MaterializeResult:
    """The prompts candidate sets are generated for.

    Grain: one row per distinct prompt (language + normalised text; + writer for an opening written live), with the
    file and line it was first read from. Sources: the bundled bank in prompts/bank/ (everyday, value-laden prompts
    written for this project in en, fr, it, pt, hi), the files named by the `prompt_sources` resource (JSONL, CSV
    or Parquet under the data directory) and the openings people wrote in the live annotation app
    (<data>/openings/), NFC- and whitespace-normalised, deduplicated, with the language a detector finds beside the
    declared one. Partitioned by language: materializing `fr` replaces the French rows only.
    """
    langs = list(context.partition_keys)  # a run covers one language or a range of them
    kept, quarantined, rows_read = _read(context, prompt_sources, duckdb)
    mine = with_detected_lang(kept[kept["lang"].isin(langs)])
    return write_table(
        duckdb,
        STAGE,
        "prompts",
        {"prompt_rows": mine},
        replace_where="list_contains($langs, lang)",
        where_params={"langs": langs},
        bank=str(BANK_DIR) if prompt_sources.bundled_bank else "not read",
        files=dg.MetadataValue.json(list(prompt_sources.files)),
        rows_read=rows_read,
        kept=len(kept),
        written_openings=int(mine["annotator_id"].notna().sum()),
        quarantined=len(quarantined),
        per_language=dg.MetadataValue.json(mine["lang"].value_counts().sort_index().to_dict()),
    )


@dg.asset(
    key=table_key("prompt_quarantine"), deps=[table_key("prompts")], group_name=STAGE, kinds={"duckdb"},
    pool=DUCKDB_POOL, partitions_def=LANG_PARTITIONS, backfill_policy=SINGLE_RUN,
)  # fmt: skip
def prompt_quarantine(
    context: dg.AssetExecutionContext, duckdb: DuckDB, prompt_sources: PromptSources
) -> dg.MaterializeResult:
    """Grain: one row per row of a prompt source that did not become a prompt (empty text, a language that is not
    configured, longer than 10,000 characters, a duplicate), with file, line, reason, detail and the row as read.
    Rows read = prompts + prompt_quarantine."""
    langs = list(context.partition_keys)
    _, quarantined, rows_read = _read(context, prompt_sources, duckdb)
    mine = quarantined[quarantined["lang"].isin(langs) | ~quarantined["lang"].isin(LANGS)]
    return write_table(
        duckdb,
        STAGE,
        "prompt_quarantine",
        {"quarantine_rows": mine},
        replace_where=QUARANTINE_OF_RUN,
        where_params={"langs": langs, "configured": list(LANGS)},
        rows_read=rows_read,
        reasons=dg.MetadataValue.json(mine["reason"].value_counts().to_dict()),
    )


prompts_checks = [
    schema_check("prompts", Prompts),
    schema_check("prompt_quarantine", PromptQuarantine),
    audit_check(
        STAGE,
        "prompts",
        "prompts_language_matches",
        "The detected language of each prompt is its declared language.",
        severity=dg.AssetCheckSeverity.WARN,
    ),
]
