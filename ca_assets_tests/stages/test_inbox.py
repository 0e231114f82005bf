"""Human files through the inbox assets: a Community Alignment CSV is ingested once, its rows kept or
quarantined with reasons and the counts reconciled; a broken file is refused whole and changes nothing."""

import shutil

import dagster as dg
import pandas as pd
import pytest

from ca_assets.defs.inbox.assets import inbox, inbox_checks
from ca_assets_tests.support.batch_run import batch_run
from ca_assets_tests.support.ca_fixture import write_fixture


def ingest(duckdb) -> dg.ExecuteInProcessResult:
    return dg.materialize([inbox, *inbox_checks], resources={"duckdb": duckdb}, raise_on_error=False, **batch_run(duckdb))


def tables(duckdb) -> dict[str, pd.DataFrame]:
    with duckdb.connect(read_only=True) as con:
        return {t: con.table(t).df() for t in ("annotation_files", "human_turns", "annotation_quarantine")}


def metadata(result, table):
    """The run's metadata for a table: one materialization per batch in the run, each with the same."""
    events = [e for e in result.get_asset_materialization_events() if e.asset_key.path[-1] == table]
    assert events and len({str(e.step_materialization_data.materialization.metadata) for e in events}) == 1
    return events[0].step_materialization_data.materialization.metadata


@pytest.fixture
def loaded(duckdb, tmp_path):
    manifest = write_fixture(duckdb.subdir("inbox") / "ca_release.csv", count=400, seed=11, quirk_rate=0.03)
    result = ingest(duckdb)
    assert result.success
    return manifest, result


def test_file_is_split_into_turns_and_quarantine_and_reconciles(duckdb, loaded):
    manifest, result = loaded
    # The file is the run's one batch: each inbox table's materialization is of its partition.
    assert {e.partition for e in result.get_asset_materialization_events()} == {"ca_release.csv"}
    files = tables(duckdb)["annotation_files"]
    [row] = files.to_dict("records")
    assert row["rows_in"] == manifest.rows == row["rows_kept"] + row["rows_quarantined"]
    run = metadata(result, "annotation_files")
    assert (run["rows_in"].value, run["rows_kept"].value, run["rows_quarantined"].value) == (
        row["rows_in"], row["rows_kept"], row["rows_quarantined"],
    )
    assert all(e.passed for e in result.get_asset_check_evaluations())
    quarantine = tables(duckdb)["annotation_quarantine"]
    assert set(quarantine["reason"]) >= {"bad_label", "empty_string", "duplicate_responses", "duplicate_submission"}
    assert (quarantine["file_name"] == "ca_release.csv").all() and quarantine["raw_row"].str.contains("conversation_id").all()
    turns = tables(duckdb)["human_turns"]
    assert turns["source_line"].nunique() == row["rows_kept"] and len(turns) == row["turns_kept"]
    assert set(turns["turn"]) == {1, 2, 3, 4}


def test_same_file_again_is_not_ingested_twice(duckdb, loaded):
    before = tables(duckdb)
    shutil.copy(duckdb.subdir("inbox") / "ca_release.csv", duckdb.subdir("inbox") / "ca_release (copy).csv")
    again = ingest(duckdb)
    assert again.success
    assert metadata(again, "annotation_files")["files_new"].value == 0
    after = tables(duckdb)
    for name, frame in before.items():
        assert len(after[name]) == len(frame), name


@pytest.mark.parametrize("damage", ["encoding", "header", "truncated"])
def test_broken_file_is_refused_and_nothing_changes(duckdb, loaded, damage):
    before = tables(duckdb)
    broken = duckdb.subdir("inbox") / "broken.csv"
    write_fixture(broken, count=30, seed=12, quirk_rate=0)
    data = broken.read_bytes()
    if damage == "encoding":
        broken.write_bytes(data.replace(b",", b",caf\xe9 ", 1))
    elif damage == "header":
        broken.write_bytes(data.replace(b"annotator_id", b"annotator", 1))
    else:
        broken.write_bytes(data[:-40])
    result = ingest(duckdb)
    assert not result.success
    [failure] = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE]
    message = failure.step_failure_data.error.message
    assert "broken.csv" in message and f"{damage}:" in message and "nothing was ingested" in message
    after = tables(duckdb)
    for name, frame in before.items():
        pd.testing.assert_frame_equal(after[name], frame, check_dtype=False)
