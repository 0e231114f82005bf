"""All turns in one place: main.<table> is a view over turn_1.<table> … turn_4.<table>, so analysts and the
stages after annotation (diversity, comparisons, exports) query one name per concept with a `turn` column."""

import dagster as dg
from duckdb import CatalogException

from ca_assets.lib.checks import DUCKDB_POOL, table_key
from ca_assets.lib.duckdb import DuckDB
from ca_assets.lib.metadata import table_metadata
from ca_assets.lib.sql import load_sql
from ca_assets.lib.turns import TURNS, turn_schema

# table -> (group, first turn that has it)
VIEWS = {
    "generation_requests": ("generation", 1),
    "candidate_sets": ("generation", 1),
    "candidates": ("generation", 1),
    "generation_quarantine": ("generation", 1),
    "candidate_values": ("values", 1),
    "user_turns": ("annotation", 2),
    "annotations": ("annotation", 1),
}


def build_view(table: str, group: str, first_turn: int) -> dg.AssetsDefinition:
    @dg.asset(
        key=table_key(table),
        deps=[table_key(table, turn_schema(turn)) for turn in TURNS if turn >= first_turn],
        group_name=group,
        kinds={"duckdb"},
        pool=DUCKDB_POOL,
        description=f"View: `{table}` of every turn (turn_{first_turn}.{table} … turn_{TURNS[-1]}.{table}), one name for "
        "analysts and later stages.",
    )
    def view(duckdb: DuckDB) -> dg.MaterializeResult:
        with duckdb.connect() as con:
            try:
                con.execute(load_sql("views", table))
            except CatalogException as error:
                raise dg.Failure(f"main.{table} unions every turn's table; materialize all turns first ({error})") from error
            metadata = table_metadata(con, f"main.{table}")
        return dg.MaterializeResult(metadata=metadata)

    return view


view_assets = [build_view(table, group, first) for table, (group, first) in VIEWS.items()]
