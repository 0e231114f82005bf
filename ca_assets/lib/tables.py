"""Write one table from registered inputs with its sql/<table>.sql, and report standard metadata."""

from typing import Any

import dagster as dg

from ca_assets.lib.checks import table_key
from ca_assets.lib.duckdb import DuckDB, use_schema
from ca_assets.lib.metadata import table_metadata
from ca_assets.lib.sql import load_sql


def write_table(
    duckdb: DuckDB,
    table: str,
    inputs: dict[str, Any] | None = None,
    params: dict[str, Any] | None = None,
    schema: str = "main",
    sql: tuple[str, ...] = (),
    **extra: Any,
) -> dg.MaterializeResult:
    """Run sql/<table>.sql (a `create or replace table`, so a rerun replaces rather than duplicates) with
    `inputs` (pandas frames or Arrow tables) registered as views and `params` bound to its `$name`s, in one
    transaction. A per-turn table is written into its turn's schema (see `use_schema`); `sql` names another
    file under sql/ when one table name has two recipes (e.g. ("human", "candidates"))."""
    with duckdb.connect() as con:
        con.begin()
        con.execute(load_sql("schemas"))
        use_schema(con, schema)
        for name, frame in (inputs or {}).items():
            con.register(name, frame)
        con.execute(load_sql(*(sql or (table,))), params or {})
        con.commit()
        metadata = table_metadata(con, f"{schema}.{table}", **extra)
    return dg.MaterializeResult(asset_key=table_key(table, schema), metadata=metadata)
