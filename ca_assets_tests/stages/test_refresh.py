"""The daily refresh: what it rebuilds, and when its schedule runs it (new ingests since the last snapshot)."""

import dagster as dg
import pytest

from ca_assets.definitions import defs
from ca_assets.defs.analysis.snapshot import SNAPSHOT_KEY
from ca_assets.defs.inbox.refresh import INGESTED, daily_refresh


@pytest.fixture
def instance():
    with dg.instance_for_test() as instance:
        yield instance


def _evaluate(instance):
    return daily_refresh(dg.build_schedule_context(instance=instance))


def _materialized(instance, key):
    instance.report_runless_asset_event(dg.AssetMaterialization(key))


def test_refresh_rebuilds_everything_after_ingest_but_no_generation():
    keys = {k.to_user_string() for k in defs().resolve_job_def("refresh").asset_layer.selected_asset_keys}
    assert {"main/annotators", "human/candidate_values", "main/quality_quarantine", "main/comparisons",
            "main/aggregates", "main/preference_eval", "files/trl_preferences", "snapshot/ca"} <= keys
    assert not {k for k in keys if k.startswith("turn_") or k.endswith(("generation_requests", "/candidates"))}, keys


def test_schedule_skips_until_a_file_is_ingested(instance):
    result = _evaluate(instance)
    assert isinstance(result, dg.SkipReason) and "no human file" in result.skip_message


def test_schedule_runs_once_per_ingest_newer_than_the_snapshot(instance):
    _materialized(instance, SNAPSHOT_KEY)
    _materialized(instance, INGESTED)
    first = _evaluate(instance)
    assert isinstance(first, dg.RunRequest), first
    _materialized(instance, SNAPSHOT_KEY)  # the refresh ran to its end
    second = _evaluate(instance)
    assert isinstance(second, dg.SkipReason) and "nothing new" in second.skip_message
    _materialized(instance, INGESTED)
    third = _evaluate(instance)
    assert isinstance(third, dg.RunRequest) and third.run_key != first.run_key
