"""Free pool slots that dead runs still hold.

Every step that opens the DuckDB file runs in the `duckdb` pool and generation in the `model` pool, both
limited to one step at a time (dagster.yaml). A run killed with SIGKILL (or by a power cut) never reports
its end, so it keeps its slot and every later run waits on it forever ("Step blocked by limit for pool"):
Dagster's daemon frees slots only for runs that ended. This finds runs of this host that hold slots and whose
process no longer exists, marks them failed, and frees their slots. A run records its host in a tag when its
DuckDB resource starts (core/duckdb.py); runs of other hosts sharing the instance are left to their own host.
(A run with no tag, killed before its first step, is judged by its pid here.)

    ca-assets free-slots      # `ca-assets demo` (make demo) runs it before launching
"""

from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus, RunsFilter

from ca_assets.core.paths import HOST, HOST_TAG, pid_alive

FINISHED = {DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED}


def _run_pid(instance: DagsterInstance, run_id: str) -> int | None:
    """The process that executed the run: the pid on its RUN_START event."""
    for entry in instance.all_logs(run_id, of_type=DagsterEventType.RUN_START):
        if entry.dagster_event is not None and entry.dagster_event.pid:
            return entry.dagster_event.pid
    return None


def release_dead_runs(instance: DagsterInstance) -> list[str]:
    """Run ids whose slots were freed (dead or already-finished runs holding pool slots)."""
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return []
    released = []
    holders = list(storage.get_concurrency_run_ids())
    for record in instance.get_run_records(filters=RunsFilter(run_ids=holders)) if holders else []:
        run = record.dagster_run
        if run.status not in FINISHED:
            if run.tags.get(HOST_TAG, HOST) != HOST:  # another host's run: its pid means nothing here
                continue
            pid = _run_pid(instance, run.run_id)
            if pid is None or pid_alive(pid):
                continue
            instance.report_run_failed(run, message=f"run process {pid} no longer exists; pool slots released")
        storage.free_concurrency_slots_for_run(run.run_id)
        released.append(run.run_id)
    return released

