"""The inbox sensor adds a batch partition and launches the `ingest` job once per new file, and waits for a file
still being copied."""

import os
import time

import dagster as dg

from ca_assets.defs.inbox.batches import INBOX_BATCHES
from ca_assets.defs.inbox.sensors import SETTLE_SECONDS, inbox_sensor, ingest_job
from ca_assets_tests.support.ca_fixture import write_fixture


def _tick(duckdb, cursor=None):
    context = dg.build_sensor_context(cursor=cursor, resources={"duckdb": duckdb})
    return inbox_sensor(context), context.cursor


def _batches(result) -> list[str]:
    """The batches a tick adds as partitions, checked to be the ones it launches, one run each."""
    assert isinstance(result, dg.SensorResult), result
    [added] = result.dynamic_partitions_requests
    assert added.partitions_def_name == INBOX_BATCHES.name
    assert [r.partition_key for r in result.run_requests] == list(added.partition_keys)
    assert [r.tags["inbox_files"] for r in result.run_requests] == list(added.partition_keys)
    return list(added.partition_keys)


def _age(path, seconds):
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_new_file_launches_ingest_once_and_a_settling_file_waits(duckdb):
    inbox = duckdb.subdir("inbox")
    result, cursor = _tick(duckdb)
    assert isinstance(result, dg.SkipReason)

    first = inbox / "wave1.csv"
    write_fixture(first, count=5, seed=1)
    result, _ = _tick(duckdb, cursor)
    assert isinstance(result, dg.SkipReason) and "still being written: wave1.csv" in result.skip_message

    _age(first, SETTLE_SECONDS + 1)
    result, cursor = _tick(duckdb, cursor)
    assert _batches(result) == ["wave1.csv"]
    again, cursor = _tick(duckdb, cursor)
    assert isinstance(again, dg.SkipReason), "the same file does not launch twice"

    second = inbox / "wave2.jsonl"
    second.write_text('{"task_id": "t", "annotator_id": "a", "chosen": "b"}\n', encoding="utf-8")
    _age(second, SETTLE_SECONDS + 1)
    result, cursor = _tick(duckdb, cursor)
    assert _batches(result) == ["wave2.jsonl"]

    write_fixture(first, count=6, seed=2)  # saved again with new content: its batch runs again
    _age(first, SETTLE_SECONDS + 1)
    result, _ = _tick(duckdb, cursor)
    assert _batches(result) == ["wave1.csv"]
    assert inbox_sensor.job_name == ingest_job.name == "ingest"
