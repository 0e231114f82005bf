"""Views for analysts (sql/analysis/): per-country win rates of each IW pole, contested prompts, annotator
agreement. Views, not tables: they follow whatever the tables hold now, and cost nothing to keep."""

import dagster as dg

from ca_assets.core.checks import DUCKDB_POOL, schema_check, table_key
from ca_assets.core.duckdb import DuckDB
from ca_assets.core.metadata import table_metadata
from ca_assets.core.partitions import SINGLE_RUN
from ca_assets.core.sql import load_sql
from ca_assets.defs.analysis.schemas import AnnotatorAgreement, ContestedPrompts, CountryWinRates

STAGE = "analysis"
# view -> (what it reads, what one row is, its Pandera model)
VIEWS = {
    "country_win_rates": (
        ["comparisons", "candidates", "candidate_values"],
        "one (sampler, country, IW pole): how often an answer with that pole beat one without it",
        CountryWinRates,
    ),
    "contested_prompts": (
        ["aggregates", "candidate_sets"],
        "one contested item: the user's message, why it is contested, entropy, JSD and each country's favourite",
        ContestedPrompts,
    ),
    "annotator_agreement": (
        ["comparisons", "aggregates", "annotators", "annotator_quality"],
        "one annotator: the share of other annotators of the same items who chose as they did, and their quality score",
        AnnotatorAgreement,
    ),
}


def build_view(name: str, reads: list[str], grain: str) -> dg.AssetsDefinition:
    @dg.asset(
        backfill_policy=SINGLE_RUN,
        key=table_key(name),
        deps=[table_key(table) for table in reads],
        group_name=STAGE,
        kinds={"duckdb"},
        pool=DUCKDB_POOL,
        description=f"Grain: {grain}. A view (sql/analysis/{name}.sql) for analysts: query it read-only.",
    )
    def view(duckdb: DuckDB) -> dg.MaterializeResult:
        with duckdb.connect() as con:
            con.execute(load_sql("analysis", name))
            metadata = table_metadata(con, f"main.{name}")
        return dg.MaterializeResult(metadata=metadata)

    return view


analyst_views = [build_view(name, reads, grain) for name, (reads, grain, _) in VIEWS.items()]
analyst_view_checks = [schema_check(name, model) for name, (_, _, model) in VIEWS.items()]
