"""Write a step's tables from registered inputs with their recipes sql/<stage>/<table>.sql, in one transaction, and
report standard metadata."""

from dataclasses import dataclass, field
from typing import Any

import dagster as dg

from ca_assets.core.checks import table_key
from ca_assets.core.duckdb import DuckDB, use_schema
from ca_assets.core.metadata import table_metadata
from ca_assets.core.sql import load_sql

STAGING = "staging"  # where a partitioned write builds its new rows before swapping them in


@dataclass(frozen=True)
class Write:
    """One table of a step's writes (see write_table for the fields)."""

    table: str
    inputs: dict[str, Any] | None = None
    params: dict[str, Any] | None = None
    schema: str = "main"
    replace_where: str | None = None
    where_params: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def write_table(
    duckdb: DuckDB,
    stage: str,
    table: str,
    inputs: dict[str, Any] | None = None,
    params: dict[str, Any] | None = None,
    schema: str = "main",
    replace_where: str | None = None,
    where_params: dict[str, Any] | None = None,
    **extra: Any,
) -> dg.MaterializeResult:
    """Run sql/<stage>/<table>.sql (a `create or replace table`, so a rerun replaces rather than duplicates)
    with `inputs` (pandas frames or Arrow tables) registered as views and `params` bound to its `$name`s, in one
    transaction. The table is written into `schema` (see `use_schema`): a turn's schema, `human` or `release`.
    One name may have a recipe in two stages (generation's candidates, the inbox's human.candidates).

    With `replace_where` (a predicate on the table's rows, bound with `where_params`) only the rows it matches
    are replaced: what a partitioned asset's run owns. The recipe builds its rows in schema `staging`; a new
    row the predicate does not match is refused (it would belong to another partition); then the matching old
    rows are deleted and the new ones inserted, in the same transaction."""
    [result] = write_tables(duckdb, stage, [Write(table, inputs, params, schema, replace_where, where_params, extra)])
    return result


def write_tables(duckdb: DuckDB, stage: str, writes: list[Write]) -> list[dg.MaterializeResult]:
    """A step's tables written in ONE transaction, each as write_table would: another run reading the file, or a
    kill midway, sees all of them as they were or all of them new, never a set without its candidates."""
    with duckdb.connect() as con:
        con.begin()
        con.execute(load_sql("core", "schemas"))
        for write in writes:
            use_schema(con, write.schema)
            for name, frame in (write.inputs or {}).items():
                con.register(name, frame)
            recipe, params = load_sql(stage, write.table), write.params or {}
            if write.replace_where is None:
                con.execute(recipe, params)
            else:
                _replace_rows(con, write.table, write.schema, recipe, params, write.replace_where, write.where_params or {})
        con.commit()
        return [
            dg.MaterializeResult(
                asset_key=table_key(write.table, write.schema),
                metadata=table_metadata(con, f"{write.schema}.{write.table}", **write.extra),
            )
            for write in writes
        ]


def as_outputs(results: list[dg.MaterializeResult]):
    """write_tables' results as the outputs of a graph-backed asset's last op (named after their tables)."""
    for result in results:
        yield dg.Output(None, output_name=result.asset_key.path[-1], metadata=result.metadata)


def _add_new_columns(con, staged: str, target: str) -> None:
    """A column the recipe gained since the table was made (a newer version of the project on an older data
    directory) is added, null in the rows other partitions keep, rather than failing the insert."""
    have = {row[0] for row in con.execute("select column_name from (describe " + target + ")").fetchall()}
    for name, kind in con.execute("select column_name, column_type from (describe " + staged + ")").fetchall():
        if name not in have:  # names and types come from the project's recipe, not from data
            con.execute("alter table " + target + ' add column "' + name + '" ' + kind)


def _replace_rows(con, table: str, schema: str, recipe: str, params: dict, where: str, where_params: dict) -> None:
    con.execute("create schema if not exists " + STAGING)
    # The recipe's `create or replace table <table>` lands in the first schema of the search path; its reads
    # of other tables still find them in `schema` and main.
    con.execute("set search_path = $path", {"path": f"{STAGING},{schema},main"})
    con.execute(recipe, params)
    use_schema(con, schema)
    # Table names and the predicate come from the project's code, never from data; values are bound.
    staged, target = f"{STAGING}.{table}", f"{schema}.{table}"
    statements = {
        "create": f"create table if not exists {target} as from {staged} limit 0",
        "stray": f"select count(*) from {staged} where not ({where})",
        "delete": f"delete from {target} where {where}",
        "insert": f"insert into {target} by name from {staged}",
        "drop": f"drop table {staged}",
    }
    con.execute(statements["create"])
    _add_new_columns(con, staged, target)
    (stray,) = con.execute(statements["stray"], where_params).fetchall()[0]
    if stray:
        raise dg.Failure(f"{stray} new rows of {target} fall outside this run's partitions (`{where}`)")
    con.execute(statements["delete"], where_params)
    con.execute(statements["insert"])
    con.execute(statements["drop"])
