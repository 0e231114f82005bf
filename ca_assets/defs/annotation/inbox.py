"""Human annotation files dropped in the data directory's inbox/: each file ingested once, by content hash.

Today: the public Community Alignment CSV (`*.csv`). A file whose structure is broken is refused whole and
the step fails naming it and the reason; nothing is written, so what earlier files loaded does not change.
Rows of a well-formed file become per-turn rows in `human_turns` or a line in `annotation_quarantine`.
"""

import hashlib
import json
from pathlib import Path

import dagster as dg
import duckdb as duckdb_module
import pandas as pd

from ca_assets.lib.ca_csv import COLUMNS, SOURCE_LINE, FileRejected, read_ca_csv, split_rows
from ca_assets.lib.checks import DUCKDB_POOL, audit_check, schema_check, table_key
from ca_assets.lib.duckdb import DuckDB
from ca_assets.lib.metadata import table_metadata
from ca_assets.lib.schemas import AnnotationFiles, AnnotationQuarantine, HumanTurns
from ca_assets.lib.sql import load_sql

GROUP = "annotation"
INBOX = "inbox"
CA_FORMAT = "community_alignment_csv"


def file_sha(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _ingested(duckdb: DuckDB) -> set[str]:
    with duckdb.connect() as con:  # read-write: on a fresh data directory this creates the file
        try:
            return {row[0] for row in con.sql(load_sql("queries", "ingested_files")).fetchall()}
        except duckdb_module.CatalogException:  # nothing ingested yet
            return set()


def _load(path: Path, sha: str) -> tuple[dict, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Read and split one file: its annotation_files row, its rows, kept turns and quarantined lines."""
    rows = read_ca_csv(path)
    with duckdb_module.connect() as scratch:  # in memory: the split needs SQL, not the project's file
        kept, quarantine = split_rows(scratch, rows)
    raw = rows.set_index(SOURCE_LINE)
    quarantine = quarantine.assign(
        file_sha=sha,
        file_name=path.name,
        raw_row=[json.dumps(raw.loc[line].dropna().to_dict(), ensure_ascii=False) for line in quarantine["source_line"]],
    )
    summary = {
        "file_sha": sha,
        "file_name": path.name,
        "format": CA_FORMAT,
        "rows_in": len(rows),
        "rows_kept": int(kept["source_line"].nunique()),
        "rows_quarantined": len(quarantine),
        "turns_kept": len(kept),
    }
    return summary, rows.assign(file_sha=sha), kept.assign(file_sha=sha), quarantine


DESCRIPTIONS = {
    "annotation_files": "Grain: one row per human annotation file ingested from inbox/ (by content hash), with "
    "rows in, kept and quarantined.",
    "human_turns": "Grain: one row per (conversation, turn) of an ingested human file: prompt, four responses, "
    "preferred label, feedback, annotator fields, source file and line.",
    "annotation_quarantine": "Grain: one row per line of an ingested human file that cannot become annotations: "
    "reasons, detail, the raw row, source file and line.",
}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(table_key(table), group_name=GROUP, kinds={"duckdb"}, description=description)
        for table, description in DESCRIPTIONS.items()
    ],
    pool=DUCKDB_POOL,
)
def inbox(context: dg.AssetExecutionContext, duckdb: DuckDB):
    """Ingest the Community Alignment CSVs in inbox/ that were not ingested before."""
    folder = duckdb.subdir(INBOX)
    done = _ingested(duckdb)
    present = sorted(folder.glob("*.csv"))
    new: dict[str, Path] = {}
    for path in present:
        sha = file_sha(path)
        if sha in done or sha in new:
            context.log.info(f"{path.name}: already ingested (same content), skipped")
            continue
        new[sha] = path
    loaded, rejected = [], []
    for sha, path in new.items():
        try:
            loaded.append(_load(path, sha))
        except FileRejected as error:
            rejected.append(f"{path.name}: {error}")
        else:
            summary = loaded[-1][0]
            context.log.info(
                f"{path.name}: {summary['rows_in']} rows, {summary['rows_kept']} kept "
                f"({summary['turns_kept']} turns), {summary['rows_quarantined']} quarantined"
            )
    if rejected:
        raise dg.Failure(
            description=f"{len(rejected)} file(s) in {folder} refused; nothing was ingested. Fix or remove them, "
            "then run again:\n" + "\n".join(rejected),
            metadata={"rejected": dg.MetadataValue.md("\n".join(f"- {r}" for r in rejected))},
        )
    summaries = pd.DataFrame([s for s, *_ in loaded], columns=list(AnnotationFiles.to_schema().columns))
    inputs = {
        "new_files": summaries,
        "new_rows": pd.concat([rows for _, rows, _, _ in loaded]) if loaded else _empty_rows(),
        "new_turns": pd.concat([kept for *_, kept, _ in loaded]) if loaded else _empty_turns(),
        "new_quarantine": pd.concat([q for *_, q in loaded]) if loaded else _empty_quarantine(),
    }
    with duckdb.connect() as con:
        con.begin()
        for name, frame in inputs.items():
            con.register(name, frame)
        for table in DESCRIPTIONS:  # creates the table on the first run, appends the new files' rows
            con.execute(load_sql(table))
        con.commit()
        run = {
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
        yield dg.MaterializeResult(
            asset_key=table_key("annotation_quarantine"),
            metadata=table_metadata(con, "main.annotation_quarantine", reasons_this_run=dg.MetadataValue.json(reasons)),
        )


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
    schema_check("annotation_quarantine", AnnotationQuarantine),
    audit_check(
        "annotation_files",
        "annotation_files_reconcile",
        "Every ingested file: rows in = rows kept + rows quarantined, matching the lines stored.",
    ),
]
