"""Human annotation files dropped in the data directory's inbox/: each file ingested once, by content hash.
Each file is a batch, a partition of the inbox assets named after it (defs/inbox/batches.py): the inbox sensor adds
it and launches its run; a run of several batches reads their files in one go.

Two formats: the public Community Alignment CSV (`*.csv`, one row per conversation) and the project's own task
results (`*.jsonl`, or a `*.csv` with a `task_id` column; see defs/inbox/task_results.py). A file whose structure is
broken is refused whole and the step fails naming it and the reason; nothing is written, so what earlier files
loaded does not change. Rows of a well-formed file become per-turn rows in `human_turns`, results in
`task_results`, or a line in `annotation_quarantine` with reasons.

Task results are checked against the tasks exported so far (`annotation_tasks`). That read is not an edge of
the asset graph: the human loop (export, annotate, ingest, next turn) crosses runs, and the graph is acyclic.
"""

import hashlib
import json
import os
from pathlib import Path
from typing import NamedTuple

import dagster as dg
import duckdb as duckdb_module
import pandas as pd
from pydantic import Field

from ca_assets.core.checks import DUCKDB_POOL, audit_check, schema_check, table_key
from ca_assets.core.duckdb import DuckDB
from ca_assets.core.metadata import table_metadata
from ca_assets.core.partitions import SINGLE_RUN
from ca_assets.core.sql import load_sql
from ca_assets.defs.inbox.batches import INBOX, INBOX_BATCHES, batch_key, inbox_files, shown_name
from ca_assets.defs.inbox.schemas import AnnotationFiles, AnnotationQuarantine, HumanTurns, TaskResults
from ca_assets.defs.inbox.task_results import FIELDS, RESULT_PROBLEMS, TASK_RESULTS_FORMAT, is_task_results, read_task_results
from ca_assets.formats.ca_csv import COLUMNS, SOURCE_LINE, FileRejected, read_ca_csv, split_rows

STAGE = "inbox"
# What `ca-assets demo` leaves out (`not tag:partitioned=per_file`): a run cannot mix these batch partitions with the
# language partitions of the rest of the graph.
PER_FILE_TAG = {"partitioned": "per_file"}
CA_FORMAT = "community_alignment_csv"


class InboxConfig(dg.Config):
    max_file_mb: int = Field(
        default=2048, gt=0, description="A dropped file larger than this many MB is refused with a message (each "
        "file is read into memory whole)."
    )


def read_dropped(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, read once (they are hashed and parsed as read: a file rewritten meanwhile cannot be
    ingested under another content's hash). A symbolic link is refused, not followed: it could point anywhere
    this process may read."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as error:
        if path.is_symlink():
            raise FileRejected("symlink", "is a symbolic link, which the inbox does not follow: copy the file itself "
                               "into the inbox") from None
        raise FileRejected("unreadable", f"cannot be opened: {error.strerror}") from None
    with os.fdopen(descriptor, "rb") as handle:
        data = handle.read(max_bytes + 1)  # one byte over the limit tells a file that is (or grew) too large
    if len(data) > max_bytes:
        size = max(len(data), path.lstat().st_size)
        raise FileRejected("too_large", f"is {size / 1e6:,.1f} MB, over the inbox's limit of {max_bytes / 1e6:,.0f} MB "
                           "(the inbox's max_file_mb setting)")
    return data


def _read(duckdb: DuckDB, query: str, columns: list[str]) -> pd.DataFrame:
    """A lookup from the project's file, empty when its table does not exist yet."""
    with duckdb.connect() as con:  # read-write: on a fresh data directory this creates the file
        try:
            return con.sql(load_sql(STAGE, "queries", query)).df()
        except duckdb_module.CatalogException:
            return pd.DataFrame(columns=columns, dtype=object)


class Loaded(NamedTuple):
    summary: dict  # its annotation_files row
    rows: pd.DataFrame | None  # a CA file's rows (human_turns takes the annotator fields from them)
    turns: pd.DataFrame | None  # a CA file's kept turns
    results: pd.DataFrame | None  # a task-results file's kept results
    quarantine: pd.DataFrame
    ignored: list[str]  # a CA file's columns that are not the layout's: not read


def _load(path: Path, data: bytes, sha: str, known_tasks: pd.DataFrame, earlier_results: pd.DataFrame) -> Loaded:
    """Split one file's bytes into kept rows and quarantined lines, with its annotation_files row."""
    if shown_name(path) != path.name:  # the tables hold names as UTF-8 text: this one could not be stored
        raise FileRejected("file_name", "the name is not UTF-8 text (bad bytes shown as \ufffd); rename the file")
    task_file = is_task_results(path, data)
    rows = read_task_results(path, data) if task_file else read_ca_csv(path, data)
    with duckdb_module.connect() as scratch:  # in memory: the split needs SQL, not the project's file
        try:
            if task_file:
                kept, quarantine = _split_results(scratch, rows, known_tasks, earlier_results)
            else:
                kept, quarantine = split_rows(scratch, rows)
        except duckdb_module.Error as error:  # a file the checks did not foresee: refused by name, not a crash
            raise FileRejected("unreadable", f"{path.name} could not be split into rows: {error}") from error
    quarantine = quarantine.assign(file_sha=sha, file_name=path.name, raw_row=_raw_rows(rows, quarantine["source_line"]))
    summary = {
        "file_sha": sha,
        "file_name": path.name,
        "format": TASK_RESULTS_FORMAT if task_file else CA_FORMAT,
        "rows_in": len(rows),
        "rows_kept": int(kept["source_line"].nunique()),
        "rows_quarantined": len(quarantine),
        "turns_kept": len(kept),
    }
    kept = kept.assign(file_sha=sha)
    if task_file:
        return Loaded(summary, None, None, kept, quarantine, [])
    return Loaded(summary, rows.assign(file_sha=sha), kept, None, quarantine, rows.attrs.get("ignored_columns", []))


def _raw_rows(rows: pd.DataFrame, lines: pd.Series) -> list[str]:
    """The quarantined lines' rows as JSON objects of their non-empty cells, as the file had them."""
    raw = rows[rows[SOURCE_LINE].isin(set(lines))].set_index(SOURCE_LINE)
    by_line = {
        line: json.dumps({column: value for column, value in record.items() if not _missing(value)}, ensure_ascii=False)
        for line, record in zip(raw.index, raw.to_dict("records"), strict=True)
    }
    return [by_line[line] for line in lines]


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value)  # None or NaN (a cell a row lacks)


def _split_results(
    con: duckdb_module.DuckDBPyConnection, rows: pd.DataFrame, known_tasks: pd.DataFrame, earlier: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(results usable as they stand, one row per quarantined line with its reasons): every row in one."""
    for name, frame in (("result_rows", rows), ("known_tasks", known_tasks), ("earlier_results", earlier)):
        con.register(name, frame)
    problems = con.sql(load_sql("inbox", "queries", "task_result_problems")).df()
    rank = {reason: index for index, reason in enumerate(RESULT_PROBLEMS)}
    quarantine = (
        problems.assign(rank=problems["reason"].map(rank))
        .sort_values(["source_line", "rank"])
        .groupby("source_line", sort=True)
        .agg(reason=("reason", "first"), reasons=("reason", lambda r: list(dict.fromkeys(r))), detail=("detail", "first"))
        .reset_index()
    )
    quarantine.insert(1, "conversation_id", None)
    return rows[~rows[SOURCE_LINE].isin(set(problems["source_line"]))].reset_index(drop=True), quarantine


DESCRIPTIONS = {
    "annotation_files": "Grain: one row per human annotation file ingested from inbox/ (by content hash), with "
    "rows in, kept and quarantined.",
    "human_turns": "Grain: one row per (conversation, turn) of an ingested human file: prompt, four responses, "
    "preferred label, feedback, annotator fields, source file and line.",
    "task_results": "Grain: one row per result of an ingested task-results file: the task, annotator, choice, "
    "explanation, seconds, the next message if written, source file and line.",
    "annotation_quarantine": "Grain: one row per line of an ingested human file that cannot become annotations: "
    "reasons, detail, the raw row, source file and line.",
}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(table_key(table), group_name=STAGE, kinds={"duckdb"}, description=description, tags=PER_FILE_TAG)
        for table, description in DESCRIPTIONS.items()
    ],
    pool=DUCKDB_POOL,
    partitions_def=INBOX_BATCHES,
    backfill_policy=SINGLE_RUN,  # several new files: one run, one rebuild downstream
)
def inbox(context: dg.AssetExecutionContext, config: InboxConfig, duckdb: DuckDB):
    """Ingest the run's batches: the Community Alignment CSVs and task-result files in inbox/ with those
    names, unless the same content was ingested before."""
    folder = duckdb.subdir(INBOX)
    batches = set(context.partition_keys)
    ingested = _read(duckdb, "ingested_files", ["file_sha", "file_name"])
    known_tasks = _read(duckdb, "known_tasks", ["task_id", "annotator_id"])
    earlier = _read(duckdb, "earlier_results", ["annotator_id", "task_id"])
    present = [path for path in inbox_files(folder) if batch_key(path) in batches]
    for missing in sorted(batches - {batch_key(path) for path in present}):
        was = "ingested before, since removed" if missing in set(ingested["file_name"]) else "never ingested"
        context.log.warning(f"batch {missing!r}: no such file in {folder} ({was}); nothing to read")
    done = set(ingested["file_sha"])
    loaded, rejected = [], []
    for path in present:
        try:
            data = read_dropped(path, config.max_file_mb * 1_000_000)
            sha = hashlib.sha256(data).hexdigest()
            if sha in done:
                context.log.info(f"{path.name}: already ingested (same content), skipped")
                continue
            done.add(sha)
            loaded.append(_load(path, data, sha, known_tasks, earlier))
        except FileRejected as error:
            rejected.append(f"{shown_name(path)}: {error}")
        else:
            summary = loaded[-1].summary
            context.log.info(
                f"{path.name} ({summary['format']}): {summary['rows_in']} rows, {summary['rows_kept']} kept "
                f"({summary['turns_kept']} turns or results), {summary['rows_quarantined']} quarantined"
            )
            if loaded[-1].ignored:
                context.log.warning(f"{path.name}: columns not in the Community Alignment layout, not read: {loaded[-1].ignored}")
            # Later files in this run must see this one's results as earlier submissions.
            if loaded[-1].results is not None:
                earlier = pd.concat([earlier, loaded[-1].results[["annotator_id", "task_id"]]], ignore_index=True)
    if rejected:
        raise dg.Failure(
            description=f"{len(rejected)} file(s) in {folder} refused; nothing was ingested. Fix or remove them, "
            "then run again:\n" + "\n".join(rejected),
            metadata={"rejected": dg.MetadataValue.md("\n".join(f"- {r}" for r in rejected))},
        )
    summaries = pd.DataFrame([item.summary for item in loaded], columns=list(AnnotationFiles.to_schema().columns))
    inputs = {
        "new_files": summaries,
        "new_rows": _concat([item.rows for item in loaded], _empty_rows()),
        "new_turns": _concat([item.turns for item in loaded], _empty_turns()),
        "new_results": _concat([item.results for item in loaded], _empty_results()),
        "new_quarantine": _concat([item.quarantine for item in loaded], _empty_quarantine()),
    }
    with duckdb.connect() as con:
        con.begin()
        con.execute(load_sql("core", "schemas"))  # creates the tables on a fresh file
        for name, frame in inputs.items():
            con.register(name, frame)
        for table in DESCRIPTIONS:  # appends the new files' rows
            con.execute(load_sql(STAGE, table))
        con.commit()
        run = {
            "ignored_columns": dg.MetadataValue.json({item.summary["file_name"]: item.ignored for item in loaded if item.ignored}),
            "files_new": len(loaded),
            "files_skipped": len(present) - len(loaded),
            "rows_in": int(summaries["rows_in"].sum()),
            "rows_kept": int(summaries["rows_kept"].sum()),
            "rows_quarantined": int(summaries["rows_quarantined"].sum()),
        }
        reasons = inputs["new_quarantine"]["reason"].value_counts().to_dict() if loaded else {}
        yield dg.MaterializeResult(
            asset_key=table_key("annotation_files"),
            metadata=table_metadata(con, "main.annotation_files", **run, inbox=dg.MetadataValue.path(str(folder))),
        )
        yield dg.MaterializeResult(asset_key=table_key("human_turns"), metadata=table_metadata(con, "main.human_turns"))
        yield dg.MaterializeResult(asset_key=table_key("task_results"), metadata=table_metadata(con, "main.task_results"))
        yield dg.MaterializeResult(
            asset_key=table_key("annotation_quarantine"),
            metadata=table_metadata(con, "main.annotation_quarantine", reasons_this_run=dg.MetadataValue.json(reasons)),
        )


def _concat(frames: list[pd.DataFrame | None], empty: pd.DataFrame) -> pd.DataFrame:
    """The new files' frames of one kind, or an empty frame with its columns so the SQL still binds."""
    present = [frame for frame in frames if frame is not None]
    return pd.concat(present, ignore_index=True) if present else empty


def _empty_results() -> pd.DataFrame:
    return pd.DataFrame(columns=[*FIELDS, SOURCE_LINE, "file_sha"], dtype=object)


def _empty_rows() -> pd.DataFrame:
    return pd.DataFrame(columns=[*COLUMNS, SOURCE_LINE, "file_sha"], dtype=object)


def _empty_turns() -> pd.DataFrame:
    columns = ["source_line", "conversation_id", "turn", "prompt", "response_a", "response_b", "response_c",
               "response_d", "preferred", "feedback", "file_sha"]  # fmt: skip
    return pd.DataFrame(columns=columns, dtype=object)


def _empty_quarantine() -> pd.DataFrame:
    columns = ["file_sha", "file_name", "source_line", "conversation_id", "reason", "reasons", "detail", "raw_row"]
    return pd.DataFrame(columns=columns, dtype=object)


inbox_checks = [
    schema_check("annotation_files", AnnotationFiles),
    schema_check("human_turns", HumanTurns),
    schema_check("task_results", TaskResults),
    schema_check("annotation_quarantine", AnnotationQuarantine),
    audit_check(
        STAGE,
        "annotation_files",
        "annotation_files_reconcile",
        "Every ingested file: rows in = rows kept + rows quarantined, matching the lines stored.",
    ),
]
