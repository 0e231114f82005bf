"""Annotation tasks for people: the export an annotation tool loads, as JSONL and CSV under
<data>/exports/tasks/. Completed tasks come back through the inbox in the task-results format
(defs/inbox/task_results.py) and join the turns' annotations; a result with a `next_message` continues its
conversation at the next turn, whose new set is exported for the same annotator."""

import csv
import json

import dagster as dg
import pandas as pd

from ca_assets.core.checks import DUCKDB_POOL, schema_check, table_key
from ca_assets.core.duckdb import DuckDB
from ca_assets.core.partitions import SINGLE_RUN
from ca_assets.core.paths import written_beside
from ca_assets.core.tables import write_table
from ca_assets.defs.annotation.schemas import AnnotationTasks
from ca_assets.vocab import turn_schema

STAGE = "annotation"
TASKS_DIR = "exports/tasks"


@dg.asset(
    backfill_policy=SINGLE_RUN,
    key=table_key("annotation_tasks"),
    deps=[
        table_key("candidate_sets", turn_schema(1)), table_key("candidate_sets"), table_key("candidates"),
        table_key("user_turns"), table_key("gold_items"), table_key("task_results"),
    ],
    group_name=STAGE,
    kinds={"duckdb", "json", "csv"},
    pool=DUCKDB_POOL,
)
def annotation_tasks(duckdb: DuckDB) -> dg.MaterializeResult:
    """Grain: one row per task to export: every first-turn candidate set (open to any annotator of its language),
    each human conversation's next set (for its annotator, until answered) and every attention-check item;
    with the conversation so far, the prompt, four responses and their ids. Written to exports/tasks/."""
    result = write_table(duckdb, STAGE, "annotation_tasks")
    with duckdb.connect(read_only=True) as con:
        tasks = con.table("annotation_tasks").df()
    folder = duckdb.subdir(TASKS_DIR)
    records = tasks.astype(object).where(tasks.notna(), None).to_dict("records")
    for record in records:
        record["history"] = [dict(m) for m in record["history"]]
    _write_atomic(folder / "tasks.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    flat = tasks.assign(history=[json.dumps(r["history"], ensure_ascii=False) for r in records])
    _write_atomic(folder / "tasks.csv", spreadsheet_csv(flat))
    return dg.MaterializeResult(
        asset_key=result.asset_key,
        metadata={
            **result.metadata,
            "per_kind": dg.MetadataValue.json(tasks["kind"].value_counts().to_dict()),
            "jsonl": dg.MetadataValue.path(str(folder / "tasks.jsonl")),
            "csv": dg.MetadataValue.path(str(folder / "tasks.csv")),
        },
    )


# OWASP's rule for CSV meant for spreadsheets: a cell starting with one of these is read as a formula (`=HYPERLINK`
# that sends the row away, `@SUM`, `+cmd|...`), so it gets a leading apostrophe, which spreadsheets show as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_csv(frame: pd.DataFrame) -> str:
    """The frame as CSV for spreadsheets: every text cell that a spreadsheet would run as a formula prefixed with
    `'`, and every text cell quoted (pandas leaves a lone carriage return unquoted, which splits the row). For
    tasks.csv only: tasks.jsonl (and every release file) keeps the text exact."""

    def safe(value):
        return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value

    safe_frame = frame.apply(lambda column: column.map(safe) if column.dtype == object else column)
    return safe_frame.to_csv(index=False, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)


def _write_atomic(path, text: str) -> None:
    with written_beside(path) as tmp:  # a tool reading the export never sees half a file
        tmp.write_text(text, encoding="utf-8")


task_checks = [schema_check("annotation_tasks", AnnotationTasks)]
