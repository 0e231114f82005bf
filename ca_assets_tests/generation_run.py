"""The generation stage as the backend tests run it: prompts + generation + its checks, one prompt per
language with short answers, through dg.materialize on a test data directory."""

import dagster as dg

from ca_assets.defs.generation.assets import generation, generation_checks
from ca_assets.defs.prompts.assets import prompts
from ca_assets.lib.duckdb import DuckDB
from ca_assets.lib.generation import Generator

SMALL_RUN = {"prompts_per_language": 1, "max_words": 12, "max_tokens": 24}


def materialize_generation(duckdb: DuckDB, generator: Generator, **config) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [prompts, generation, *generation_checks],
        resources={"duckdb": duckdb, "generator": generator},
        run_config={"ops": {"generation": {"config": {**SMALL_RUN, **config}}}},
    )


def kept_and_quarantined(duckdb: DuckDB) -> tuple[int, int]:
    with duckdb.connect(read_only=True) as con:
        kept = con.sql("select count(*) from candidate_sets").fetchall()[0][0]
        quarantined = con.sql("select count(*) from generation_quarantine").fetchall()[0][0]
    return kept, quarantined
