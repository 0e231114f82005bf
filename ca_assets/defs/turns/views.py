"""All turns in one place: main.<table> is a view over turn_1.<table> … turn_4.<table> (and human.<table> for
the human files' conversations), so analysts and the stages after annotation (diversity, comparisons, exports)
query one name per concept, with `turn` and `source` columns."""

import dagster as dg

from ca_assets.lib.checks import DUCKDB_POOL, table_key
from ca_assets.lib.duckdb import DuckDB
from ca_assets.lib.metadata import table_metadata
from ca_assets.lib.partitions import SINGLE_RUN
from ca_assets.lib.sql import load_sql
from ca_assets.vocab import HUMAN, TURNS, turn_schema

# table -> (group, first turn that has it, whether human files have it too)
VIEWS = {
    "generation_requests": ("generation", 1, False),
    "candidate_sets": ("generation", 1, True),
    "candidates": ("generation", 1, True),
    "generation_quarantine": ("generation", 1, False),
    "candidate_values": ("values", 1, True),
    "user_turns": ("annotation", 2, False),
    "annotations": ("annotation", 1, True),
}


def build_view(table: str, group: str, first_turn: int, human: bool) -> dg.AssetsDefinition:
    schemas = [turn_schema(turn) for turn in TURNS if turn >= first_turn] + ([HUMAN] if human else [])

    @dg.asset(
        backfill_policy=SINGLE_RUN,
        key=table_key(table),
        deps=[table_key(table, schema) for schema in schemas],
        group_name=group,
        kinds={"duckdb"},
        pool=DUCKDB_POOL,
        description=f"View: `{table}` of {', '.join(schemas)} in one, the name analysts and later stages use.",
    )
    def view(duckdb: DuckDB) -> dg.MaterializeResult:
        with duckdb.connect() as con:
            con.execute(load_sql("schemas"))
            sources = con.sql(load_sql("queries", "view_sources"), params={"schemas": schemas, "table": table})
            found = {row[0] for row in sources.fetchall()}
            present = [schema for schema in schemas if schema in found]
            if not present:
                raise dg.Failure(f"main.{table} unions {', '.join(schemas)}, and none has a {table} table yet")
            con.execute(union_view(table, present))
            metadata = table_metadata(con, f"main.{table}", sources=dg.MetadataValue.json(present))
        return dg.MaterializeResult(metadata=metadata)

    return view


def union_view(table: str, schemas: list[str]) -> str:
    """`create or replace view main.<table>` as the union (by column name) of <schema>.<table> for the schemas
    given. Identifiers only, from the fixed lists above and the catalog: no values are formatted into SQL. A
    source not materialized yet (a turn no conversation reached, no human file) is left out; the materialization
    lists the sources it included."""
    selects = "\nunion all by name\n".join(f'select * from "{schema}"."{table}"' for schema in schemas)
    return f'create or replace view main."{table}" as\n{selects}'


view_assets = [build_view(table, *how) for table, how in VIEWS.items()]
