"""The generation stage as the backend tests run it: prompts + turn 1's generation + its checks, one prompt
per language with short answers, through dg.materialize on a test data directory. (The vLLM tier imports
this: it must not import the values or annotation stages, whose packages that environment lacks.)"""

import dagster as dg

from ca_assets.core.duckdb import DuckDB
from ca_assets.core.partitions import range_arg
from ca_assets.defs.generation.assets import generation_assets, generation_checks
from ca_assets.defs.prompts.assets import prompts
from ca_assets.defs.prompts.prompt_bank import PromptSources
from ca_assets.models.generation import Generator
from ca_assets.models.language import ALL_LANGS_RANGE, ALL_LANGS_TAGS
from ca_assets.models.samplers import SamplingSettings
from ca_assets.vocab import LANGS

SMALL_SAMPLING = SamplingSettings(max_words=12, max_tokens=24)
FIRST_TURN = generation_assets[0]
# The same, as a `dg launch --assets` selection (the tests that launch a real run).
FIRST_TURN_LAUNCH = ["--assets", "main/prompts," + ",".join(
    f"turn_1/{t}" for t in ("candidate_sets", "candidates", "generation_requests", "generation_quarantine")
), "--partition-range", ALL_LANGS_RANGE]
# The same for the first two languages only: for the launched tests whose point is not the languages (a kill and its
# resume, where a key goes), so that they send half the requests.
TWO_LANGUAGES_LAUNCH = [*FIRST_TURN_LAUNCH[:2], "--partition-range", range_arg(LANGS[:2])]
FIRST_TURN_CHECKS = [c for c in generation_checks if next(iter(c.check_keys)).asset_key.path[0] == "turn_1"]


def materialize_generation(duckdb: DuckDB, generator: Generator, lang: str | None = None, **config) -> dg.ExecuteInProcessResult:
    """Prompts and turn 1 for every language, or for `lang` only (one partition)."""
    return dg.materialize(
        [prompts, FIRST_TURN, *FIRST_TURN_CHECKS],
        resources={"duckdb": duckdb, "prompt_sources": PromptSources(), "generator": generator, "sampling": SMALL_SAMPLING},
        run_config={"ops": {"turn_1__generation": {"config": {"prompts_per_language": 1, **config}}}},
        **({"partition_key": lang} if lang else {"tags": ALL_LANGS_TAGS}),
    )


def kept_and_quarantined(duckdb: DuckDB) -> tuple[int, int]:
    with duckdb.connect(read_only=True) as con:
        kept = con.sql("select count(*) from turn_1.candidate_sets").fetchall()[0][0]
        quarantined = con.sql("select count(*) from turn_1.generation_quarantine").fetchall()[0][0]
    return kept, quarantined
