"""Asset-check factories: a Pandera model, or a SQL audit, turned into a blocking check on a table.

The checks read the table back from DuckDB (PUDL's pattern) rather than relying on dagster-pandera type
checks, which never see tables written by SQL.
"""

import dagster as dg
import pandas as pd
import pandera.pandas as pa

from ca_assets.lib.duckdb import DuckDB, use_schema
from ca_assets.lib.sql import load_sql

DUCKDB_POOL = "duckdb"
FAILURE_ROWS_SHOWN = 20
# (schema, table) -> its Pandera model, filled as the checks are defined: what the tests hold each table's columns to.
MODELS: dict[tuple[str, str], type[pa.DataFrameModel]] = {}


def table_key(table: str, schema: str = "main") -> dg.AssetKey:
    """Asset key = storage address: [schema, table]. Per-turn tables live in schemas turn_1 … turn_4."""
    return dg.AssetKey([schema, table])


def validate_frame(frame: pd.DataFrame, model: type[pa.DataFrameModel]) -> dg.AssetCheckResult:
    """Validate lazily (every failure, not the first) and report the failure cases as metadata."""
    try:
        model.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        return dg.AssetCheckResult(
            passed=False,
            metadata={
                "rows_checked": len(frame),
                "failure_count": len(cases),
                "failure_cases": dg.MetadataValue.md(
                    cases.head(FAILURE_ROWS_SHOWN).astype(str).to_markdown(index=False)
                ),
            },
        )
    return dg.AssetCheckResult(passed=True, metadata={"rows_checked": len(frame), "failure_count": 0})


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
        with duckdb.connect(read_only=True) as con:
            frame = con.table(f"{schema}.{table}").df()
        return validate_frame(frame, model)

    return _check


def audit_check(
    table: str,
    audit: str,
    description: str,
    severity: dg.AssetCheckSeverity = dg.AssetCheckSeverity.ERROR,
    schema: str = "main",
) -> dg.AssetChecksDefinition:
    """Check from sql/checks/<audit>.sql: a query returning offending rows; zero rows passes.
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
            offending = con.sql(load_sql("checks", audit)).df()
        metadata = {"offending_rows": len(offending)}
        if len(offending):
            metadata["examples"] = dg.MetadataValue.md(
                offending.head(FAILURE_ROWS_SHOWN).astype(str).to_markdown(index=False)
            )
        return dg.AssetCheckResult(passed=offending.empty, severity=severity, metadata=metadata)

    return _check
