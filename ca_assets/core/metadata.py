"""Standard materialization metadata: row count, column schema, a markdown preview, plus stage extras."""

from typing import Any

import dagster as dg
import duckdb

from ca_assets.core.checks import column_descriptions

PREVIEW_ROWS = 5
PREVIEW_CELL_CHARS = 80


def table_metadata(con: duckdb.DuckDBPyConnection, table: str, **extra: Any) -> dict[str, Any]:
    """Metadata for a table just written (`schema.table`): what every materialization in the project reports."""
    relation = con.table(table)
    row_count = relation.count("*").fetchall()[0][0]
    described = column_descriptions(*table.split("."))  # from the table's Pandera model: one contract
    columns = [
        dg.TableColumn(name=name, type=str(dtype), description=described.get(name))
        for name, dtype in zip(relation.columns, relation.dtypes, strict=True)
    ]
    preview = relation.limit(PREVIEW_ROWS).df()
    for column in preview.columns:
        preview[column] = preview[column].map(_short)
    return {
        "dagster/row_count": dg.MetadataValue.int(int(row_count)),
        "dagster/column_schema": dg.TableSchema(columns=columns),
        "dagster/table_name": dg.MetadataValue.text(table),
        "preview": dg.MetadataValue.md(preview.to_markdown(index=False) if len(preview) else "_empty_"),
        **extra,
    }


def _short(value: Any) -> str:
    text = str(value).replace("\n", " ").replace("|", "/")
    return text if len(text) <= PREVIEW_CELL_CHARS else text[: PREVIEW_CELL_CHARS - 1] + "…"
