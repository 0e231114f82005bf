"""The `ingest` job (what `make ingest` launches) and the sensor that launches it when a new file lands in
inbox/: the inbox assets, the human conversations they feed, and main's views over the turns."""

import json
import time
from pathlib import Path

import dagster as dg

from ca_assets.defs.annotation.human import human_conversations
from ca_assets.defs.annotation.inbox import INBOX, inbox
from ca_assets.lib.checks import table_key
from ca_assets.lib.duckdb import DuckDB
from ca_assets.lib.ids import stable_id

SETTLE_SECONDS = 10  # a file modified more recently may still be being copied in

ingest_job = dg.define_asset_job(
    "ingest",
    selection=dg.AssetSelection.assets(inbox, human_conversations)
    | dg.AssetSelection.assets(table_key("candidate_sets"), table_key("candidates"), table_key("annotations")),
    description="Ingest new files in inbox/ (Community Alignment CSVs, task results) and bring their conversations "
    "into the shared tables. Launched by `make ingest` and by the inbox sensor.",
)


def inbox_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*") if p.is_file() and p.suffix in (".csv", ".jsonl"))


@dg.sensor(job=ingest_job, minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING)
def inbox_sensor(context: dg.SensorEvaluationContext, duckdb: DuckDB):
    """Launch `ingest` when inbox/ holds a file (by name, size and modification time) not seen before. The
    inbox asset itself skips contents it already ingested, so a renamed copy costs one quick run, no rows."""
    seen = set(json.loads(context.cursor)) if context.cursor else set()
    now = time.time()
    current, settling = set(), []
    for path in inbox_files(duckdb.root / INBOX):
        stat = path.stat()
        if now - stat.st_mtime < SETTLE_SECONDS:
            settling.append(path.name)
            continue
        current.add(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}")
    new = sorted(current - seen)
    if not new:
        return dg.SkipReason(f"nothing new in inbox/{' (still being written: ' + ', '.join(settling) + ')' if settling else ''}")
    context.update_cursor(json.dumps(sorted(seen | current)))
    names = ", ".join(entry.split(":")[0] for entry in new)
    return dg.RunRequest(run_key=stable_id("inbox", new, length=32), tags={"inbox_files": names[:200]})
