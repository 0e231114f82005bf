"""Run history (the instance's event log, shown to anyone who reaches the UI) holds counts and schemas, not
people's text: an email address a person wrote in a kept turn and in a quarantined row appears in the tables,
and nowhere in the run's events."""

import dagster as dg

from ca_assets.core.metadata import NO_PREVIEW
from ca_assets.defs.inbox.assets import inbox
from ca_assets.formats.ca_csv import write_ca_csv
from ca_assets_tests.support.batch_run import batch_run
from ca_assets_tests.support.ca_fixture import make_conversations

EMAIL = "maria.silva@example.com"


def test_materialization_events_carry_no_rows_of_peoples_text(duckdb):
    rows, _ = make_conversations(6, seed=3, quirk_rate=0)
    rows[0]["first_turn_feedback"] = f"write to me at {EMAIL}"
    rows[1]["first_turn_preferred_response"] = "response_z"  # quarantined: its raw row is stored
    rows[1]["first_turn_prompt"] = f"{EMAIL} asks: should I move abroad?"
    write_ca_csv(duckdb.subdir("inbox") / "ca.csv", rows)
    result = dg.materialize([inbox], resources={"duckdb": duckdb}, **batch_run(duckdb))
    with duckdb.connect(read_only=True) as con:
        stored = con.sql("select count(*) from human_turns where feedback like '%' || $e || '%'", params={"e": EMAIL}).fetchall()
        raw = con.sql("select count(*) from annotation_quarantine where raw_row like '%' || $e || '%'", params={"e": EMAIL}).fetchall()
    assert stored == [(1,)] and raw == [(1,)]  # the tables hold it: the check below is not passing for want of it
    events = "".join(dg.serialize_value(event) for event in result.all_events)
    assert EMAIL not in events
    previews = [e.step_materialization_data.materialization.metadata["preview"].value
                for e in result.get_asset_materialization_events()]  # fmt: skip
    assert previews and set(previews) == {NO_PREVIEW}
