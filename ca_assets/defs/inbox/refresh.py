"""The daily refresh: once a day, if human files were ingested since the last refresh, rebuild what they made
stale (annotators, values, quality control, comparisons, aggregates, the evaluation, releases, the analysts'
views and the snapshot). Generation is not in it: new human turns need no new model answers until someone
exports the next turn's tasks, which stays a deliberate step."""

import datetime as dt

import dagster as dg

from ca_assets.core.checks import table_key
from ca_assets.defs.analysis.snapshot import SNAPSHOT_KEY
from ca_assets.vocab import TURNS, turn_schema

INGESTED = table_key("annotation_files")  # one materialization per ingest that read a file
STALE_GROUPS = ("values", "quality", "comparisons", "aggregates", "release", "analysis")  # stages

refresh_job = dg.define_asset_job(
    "refresh",
    # A turn's tables (turn_1 … turn_4) are the simulated conversations': new human files leave them as they are.
    selection=(
        dg.AssetSelection.assets(table_key("human_turns")).downstream()
        & dg.AssetSelection.groups(*STALE_GROUPS)
        - dg.AssetSelection.key_prefixes(*(turn_schema(turn) for turn in TURNS))
    )
    | dg.AssetSelection.assets(table_key("annotators"), table_key("candidate_values", "human")),
    description="Rebuild what newly ingested human files made stale, from annotators and quality control to the "
    "release files and the snapshot. Launched daily by `daily_refresh` when files arrived.",
)


@dg.schedule(
    job=refresh_job, cron_schedule="0 3 * * *", execution_timezone="UTC", default_status=dg.DefaultScheduleStatus.RUNNING
)
def daily_refresh(context: dg.ScheduleEvaluationContext):
    """At 03:00 UTC: run `refresh` if an ingest happened after the snapshot was last written, else skip with
    the reason (shown under Automation in the UI)."""
    ingested = context.instance.get_latest_materialization_event(INGESTED)
    if ingested is None:
        return dg.SkipReason("no human file has been ingested yet")
    refreshed = context.instance.get_latest_materialization_event(SNAPSHOT_KEY)
    ingested_at = dt.datetime.fromtimestamp(ingested.timestamp, dt.UTC).isoformat(timespec="seconds")
    if refreshed is not None and refreshed.timestamp >= ingested.timestamp:
        return dg.SkipReason(f"nothing new: the last ingest ({ingested_at}) is older than the last snapshot")
    return dg.RunRequest(run_key=f"refresh-{ingested.timestamp}", tags={"ingested_at": ingested_at})
