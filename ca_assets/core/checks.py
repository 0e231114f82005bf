"""Asset-check factories: a Pandera model, or a SQL audit, turned into a blocking check on a table.

The checks read the table back from DuckDB (PUDL's pattern) rather than relying on dagster-pandera type
checks, which never see tables written by SQL, and they run the model there (core/validate.py): the rules as SQL,
the model's own Python checks over chunks of rows.
"""

import dagster as dg
import duckdb
import pandas as pd
import pandera.pandas as pa

from ca_assets.core.duckdb import DUCKDB_POOL, MODEL_POOL, DuckDB, use_schema  # noqa: F401 (re-exported)
from ca_assets.core.sql import load_sql
from ca_assets.core.validate import Failure, table_source, validate_relation

FAILURE_ROWS_SHOWN = 20
# (schema, table) -> its Pandera model, filled as the checks are defined: what the tests hold each table's columns to.
MODELS: dict[tuple[str, str], type[pa.DataFrameModel]] = {}


def column_descriptions(schema: str, table: str) -> dict[str, str]:
    """Each column's description, from the Pandera model that checks the table. A view of main over the turns
    has no model of its own: it takes its sources' (every schema's model of that name)."""
    models = [MODELS[(schema, table)]] if (schema, table) in MODELS else [m for (_, t), m in MODELS.items() if t == table]
    described: dict[str, str] = {}
    for model in models:
        for name, column in model.to_schema().columns.items():
            if column.description:
                described.setdefault(name, column.description)
    return described


def table_key(table: str, schema: str = "main") -> dg.AssetKey:
    """Asset key = storage address: [schema, table]. Per-turn tables live in schemas turn_1 … turn_4."""
    return dg.AssetKey([schema, table])


def check_result(rows: int, failures: list[Failure]) -> dg.AssetCheckResult:
    """The check's verdict, with each failing rule's count and examples as metadata."""
    metadata = {"rows_checked": rows, "failure_count": sum(f.count for f in failures)}
    if failures:
        cases = pd.DataFrame([vars(f) for f in failures[:FAILURE_ROWS_SHOWN]])
        metadata["failure_cases"] = dg.MetadataValue.md(cases.astype(str).to_markdown(index=False))
    return dg.AssetCheckResult(passed=not failures, metadata=metadata)


def validate_frame(frame: pd.DataFrame, model: type[pa.DataFrameModel]) -> dg.AssetCheckResult:
    """Validate a frame (read from a file, or built by a test) by the same SQL as a table."""
    with duckdb.connect() as con:
        con.register("frame", frame)
        return check_result(*validate_relation(con, table_source("frame"), model))


def schema_check(table: str, model: type[pa.DataFrameModel], schema: str = "main") -> dg.AssetChecksDefinition:
    """Blocking check that the table satisfies its Pandera model; downstream assets wait for it."""
    MODELS[(schema, table)] = model

    @dg.asset_check(
        asset=table_key(table, schema),
        name="matches_schema",
        blocking=True,
        pool=DUCKDB_POOL,
        description=f"Rows of `{table}` satisfy the Pandera model {model.__name__}.",
    )
    def _check(duckdb: DuckDB) -> dg.AssetCheckResult:
        with duckdb.connect(read_only=True) as con:  # in DuckDB: the table never becomes one pandas frame
            return check_result(*validate_relation(con, table_source(f"{schema}.{table}"), model))

    return _check


def audit_check(
    stage: str,
    table: str,
    audit: str,
    description: str,
    severity: dg.AssetCheckSeverity = dg.AssetCheckSeverity.ERROR,
    schema: str = "main",
) -> dg.AssetChecksDefinition:
    """Check from sql/<stage>/checks/<audit>.sql: a query returning offending rows; zero rows passes.
    ERROR audits are contracts and block downstream assets; WARN audits report drift and do not.
    The audit's table names resolve in `schema` first, then main (one audit serves every turn)."""

    @dg.asset_check(
        asset=table_key(table, schema),
        name=audit,
        blocking=severity == dg.AssetCheckSeverity.ERROR,
        pool=DUCKDB_POOL,
        description=description,
    )
    def _check(duckdb: DuckDB) -> dg.AssetCheckResult:
        with duckdb.connect(read_only=True) as con:
            use_schema(con, schema)
            offending = con.sql(load_sql(stage, "checks", audit)).df()
        metadata = {"offending_rows": len(offending)}
        if len(offending):
            metadata["examples"] = dg.MetadataValue.md(
                offending.head(FAILURE_ROWS_SHOWN).astype(str).to_markdown(index=False)
            )
        return dg.AssetCheckResult(passed=offending.empty, severity=severity, metadata=metadata)

    return _check
