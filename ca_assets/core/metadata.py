"""Standard materialization metadata: row count, column schema, a markdown preview where it is safe, plus stage extras."""

from typing import Any

import dagster as dg
import duckdb

from ca_assets.core.checks import column_descriptions

PREVIEW_ROWS = 5
PREVIEW_CELL_CHARS = 80
# Run history is kept by the instance as long as it lives and shown to anyone who reaches the UI (no login): a
# row preview of a table with people's text (prompts and messages they wrote, explanations, raw rows, demographic
# fields, PII findings) would copy it there. So previews are opt-in, for tables that hold only numbers, ids and
# the project's own material; every other table shows its counts and schema (its rows: query the snapshot).
PREVIEW_TABLES = frozenset({
    "main.calibration_set", "main.judge_calibration", "main.set_diversity", "main.sampler_report",
    "main.gold_items", "main.preference_eval",
})  # fmt: skip
NO_PREVIEW = "_rows not shown: the table may hold people's text or personal data (query the snapshot)_"


def table_metadata(con: duckdb.DuckDBPyConnection, table: str, **extra: Any) -> dict[str, Any]:
    """Metadata for a table just written (`schema.table`): what every materialization in the project reports."""
    relation = con.table(table)
    row_count = relation.count("*").fetchall()[0][0]
    described = column_descriptions(*table.split("."))  # from the table's Pandera model: one contract
    columns = [
        dg.TableColumn(name=name, type=str(dtype), description=described.get(name))
        for name, dtype in zip(relation.columns, relation.dtypes, strict=True)
    ]
    return {
        "dagster/row_count": dg.MetadataValue.int(int(row_count)),
        "dagster/column_schema": dg.TableSchema(columns=columns),
        "dagster/table_name": dg.MetadataValue.text(table),
        "preview": dg.MetadataValue.md(_preview(relation) if table in PREVIEW_TABLES else NO_PREVIEW),
        **extra,
    }


def _preview(relation: duckdb.DuckDBPyRelation) -> str:
    preview = relation.limit(PREVIEW_ROWS).df()
    for column in preview.columns:
        preview[column] = preview[column].map(_short)
    return preview.to_markdown(index=False) if len(preview) else "_empty_"


def _short(value: Any) -> str:
    text = str(value).replace("\n", " ").replace("|", "/")
    return text if len(text) <= PREVIEW_CELL_CHARS else text[: PREVIEW_CELL_CHARS - 1] + "…"
