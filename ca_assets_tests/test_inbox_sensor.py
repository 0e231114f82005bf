"""The inbox sensor launches the `ingest` job once per new file, and waits for a file still being copied."""

import os
import time

import dagster as dg

from ca_assets.defs.annotation.sensors import SETTLE_SECONDS, inbox_sensor, ingest_job
from ca_assets.lib.ca_fixture import write_fixture


def _tick(duckdb, cursor=None):
    context = dg.build_sensor_context(cursor=cursor, resources={"duckdb": duckdb})
    return inbox_sensor(context), context.cursor


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
    request, cursor = _tick(duckdb, cursor)
    assert isinstance(request, dg.RunRequest) and request.tags["inbox_files"] == "wave1.csv"
    again, cursor = _tick(duckdb, cursor)
    assert isinstance(again, dg.SkipReason), "the same file does not launch twice"

    second = inbox / "wave2.jsonl"
    second.write_text('{"task_id": "t", "annotator_id": "a", "chosen": "b"}\n', encoding="utf-8")
    _age(second, SETTLE_SECONDS + 1)
    request, _ = _tick(duckdb, cursor)
    assert isinstance(request, dg.RunRequest) and request.tags["inbox_files"] == "wave2.jsonl"
    assert inbox_sensor.job_name == ingest_job.name == "ingest"
