"""The `ingest` job (what `make ingest` launches) and the sensor that launches it when a new file lands in
inbox/: the inbox assets, the human conversations they feed, and main's views over the turns. Each file is a
batch, a partition of the inbox assets (defs/inbox/batches.py), so the UI lists every file with its run and counts."""

import json
import time

import dagster as dg

from ca_assets.core.checks import table_key
from ca_assets.core.duckdb import DuckDB
from ca_assets.core.ids import stable_id
from ca_assets.defs.inbox.assets import DESCRIPTIONS as INBOX_TABLES
from ca_assets.defs.inbox.batches import INBOX, INBOX_BATCHES, batch_key, inbox_files
from ca_assets.defs.inbox.human import TABLES as HUMAN_TABLES
from ca_assets.vocab import HUMAN

SETTLE_SECONDS = 10  # a file modified more recently may still be being copied in

ingest_job = dg.define_asset_job(
    "ingest",
    # By key, not by importing the asset objects: the definitions loader would collect an imported asset again.
    selection=dg.AssetSelection.assets(*(table_key(table) for table in INBOX_TABLES))
    | dg.AssetSelection.assets(*(table_key(table, HUMAN) for table in HUMAN_TABLES))
    | dg.AssetSelection.assets(*(table_key(table) for table in HUMAN_TABLES)),
    description="Ingest files in inbox/ (Community Alignment CSVs, task results), one partition per file, and bring "
    "their conversations into the shared tables. Launched by `make ingest` and by the inbox sensor.",
)


@dg.sensor(job=ingest_job, minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING)
def inbox_sensor(context: dg.SensorEvaluationContext, duckdb: DuckDB):
    """For a file in inbox/ not seen before (by name, size and modification time), add its batch partition and
    launch `ingest` for it. The inbox asset skips contents it already ingested, so a renamed copy costs one
    quick run, no rows; a file saved again with new content under its name runs its batch again."""
    seen = set(json.loads(context.cursor)) if context.cursor else set()
    now = time.time()
    current, settling = {}, []
    for path in inbox_files(duckdb.subdir(INBOX)):
        stat = path.stat()
        if now - stat.st_mtime < SETTLE_SECONDS:
            settling.append(path.name)
            continue
        current[f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}"] = batch_key(path)
    new = sorted(set(current) - seen)
    if not new:
        return dg.SkipReason(f"nothing new in inbox/{' (still being written: ' + ', '.join(settling) + ')' if settling else ''}")
    context.update_cursor(json.dumps(sorted(seen | set(current))))
    keys = sorted({current[entry] for entry in new})
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(run_key=stable_id("inbox", [e for e in new if current[e] == key], length=32), partition_key=key,
                          tags={"inbox_files": key[:200]})
            for key in keys
        ],
        dynamic_partitions_requests=[INBOX_BATCHES.build_add_request(keys)],
    )
