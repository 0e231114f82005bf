"""Human conversations in the shared tables: the turns of every ingested file (main.human_turns) become
candidate sets, candidates and annotations in schema `human`, which main's views union with the simulated
turns, so comparisons and exports treat both sources alike and keep `source`."""

import dagster as dg

from ca_assets.core.checks import DUCKDB_POOL, schema_check, table_key
from ca_assets.core.duckdb import DuckDB
from ca_assets.core.partitions import SINGLE_RUN
from ca_assets.core.tables import Write, write_tables
from ca_assets.defs.annotation.schemas import Annotations
from ca_assets.defs.generation.schemas import Candidates
from ca_assets.defs.inbox.schemas import CandidateSets
from ca_assets.vocab import HUMAN

STAGE = "inbox"
TABLES = {
    "candidate_sets": "Grain: one row per (conversation, turn) of the human files: the four responses shown, the "
    "conversation up to that turn (`messages`), file and line; sampler 'unknown' (the files do not say).",
    "candidates": "Grain: one row per response shown in a human file's turn, at position a–d.",
    "annotations": "Grain: one row per (conversation, turn) of the human files: the preferred response, the "
    "feedback as explanation, source 'human'.",
}


@dg.multi_asset(
    backfill_policy=SINGLE_RUN,
    name="human_conversations",
    specs=[
        dg.AssetSpec(table_key(table, HUMAN), deps=[table_key("human_turns")], group_name=STAGE, kinds={"duckdb"},
                     description=text)
        for table, text in TABLES.items()
    ],
    pool=DUCKDB_POOL,
)
def human_conversations(duckdb: DuckDB):
    """Rebuilt from every ingested file's turns each time (pure SQL: sql/inbox/human/)."""
    yield from write_tables(duckdb, STAGE, [Write(table, schema=HUMAN) for table in TABLES])  # one transaction


human_checks = [
    schema_check("candidate_sets", CandidateSets, HUMAN),
    schema_check("candidates", Candidates, HUMAN),
    schema_check("annotations", Annotations, HUMAN),
]
