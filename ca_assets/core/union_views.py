"""All turns in one place: main.<table> is a view over turn_1.<table> … turn_4.<table> (and human.<table> for
the human files' conversations), so analysts and the later stages (diversity, comparisons, exports) query one
name per concept, with `turn` and `source` columns. Each stage declares the views of the per-turn tables it
writes (`union_views`); the view is an asset of that stage, under the same name as the tables it unions."""

import dagster as dg

from ca_assets.core.checks import DUCKDB_POOL, table_key
from ca_assets.core.duckdb import DuckDB
from ca_assets.core.metadata import table_metadata
from ca_assets.core.partitions import SINGLE_RUN
from ca_assets.core.sql import load_sql
from ca_assets.vocab import HUMAN, TURNS, turn_schema


def union_views(stage: str, tables: dict[str, tuple[int, bool]]) -> list[dg.AssetsDefinition]:
    """One view asset per table: {table: (first turn that has it, whether the human files have it too)}."""
    return [_union_view(table, stage, first_turn, human) for table, (first_turn, human) in tables.items()]


def _union_view(table: str, stage: str, first_turn: int, human: bool) -> dg.AssetsDefinition:
    schemas = [turn_schema(turn) for turn in TURNS if turn >= first_turn] + ([HUMAN] if human else [])

    @dg.asset(
        backfill_policy=SINGLE_RUN,
        key=table_key(table),
        deps=[table_key(table, schema) for schema in schemas],
        group_name=stage,
        kinds={"duckdb"},
        pool=DUCKDB_POOL,
        description=f"View: `{table}` of {', '.join(schemas)} in one, the name analysts and later stages use.",
    )
    def view(duckdb: DuckDB) -> dg.MaterializeResult:
        with duckdb.connect() as con:
            con.execute(load_sql("core", "schemas"))
            sources = con.sql(load_sql("core", "view_sources"), params={"schemas": schemas, "table": table})
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
    given. Identifiers only, from the stages' fixed lists and the catalog: no values are formatted into SQL. A
    source not materialized yet (a turn no conversation reached, no human file) is left out; the materialization
    lists the sources it included."""
    selects = "\nunion all by name\n".join(f'select * from "{schema}"."{table}"' for schema in schemas)
    return f'create or replace view main."{table}" as\n{selects}'
