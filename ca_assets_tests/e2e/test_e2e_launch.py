"""The whole asset graph through the real CLI (`dg launch`), as `make demo` runs it: a Dagster instance
on disk, the real DuckDB file, the real embedded model. Lock and executor problems only show here."""

import dagster as dg
import pandas as pd
import pyarrow.parquet as pq
import pytest

from ca_assets.core.duckdb import DuckDB
from ca_assets.core.sql import load_sql
from ca_assets.definitions import defs
from ca_assets.defs.annotation.simulation import shown_order
from ca_assets.vocab import SOURCE_SCHEMAS
from ca_assets_tests.support.graph_launch import DEMO_LAUNCH

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

TABLES = (
    "prompts", "candidate_sets", "candidates", "candidate_embeddings", "candidate_values",
    "set_diversity", "annotators", "assignments", "user_turns", "annotations", "comparisons", "calibration_set",
    "judge_calibration", "sampler_report", "aggregates", "preference_eval", "release.comparisons",
)
# `launched` (ca_assets_tests/conftest.py): the graph launched twice on one data directory, shared with the stage
# tests, which copy its data directory.


def test_every_table_is_non_empty(launched):
    fingerprints = launched.fingerprints
    rows = {t: fingerprints[0][t if "." in t else f"main.{t}"][0] for t in TABLES}
    assert all(rows[t] > 0 for t in TABLES), rows
    with DuckDB(data_dir=str(launched.data)).connect(read_only=True) as con:
        quarantined = con.sql("select count(*) from quality_quarantine").fetchall()[0][0]
    assert rows["comparisons"] == 3 * (rows["annotations"] - quarantined)


@pytest.mark.reliability
def test_second_launch_writes_the_same_rows(launched):
    """Every asset rerun with the same inputs: every table's checksum and every release file's bytes are equal."""
    fingerprints = launched.fingerprints
    assert len(fingerprints[0]) > 50, sorted(fingerprints[0])
    changed = sorted(name for name in fingerprints[0] if fingerprints[0][name] != fingerprints[1].get(name))
    assert not changed and fingerprints[0].keys() == fingerprints[1].keys(), changed


def test_every_asset_check_ran_and_no_error_check_failed(launched, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(launched.home))
    from dagster import AssetCheckSeverity, DagsterEventType, DagsterInstance

    graph = defs().get_repository_def().asset_graph
    launched_keys = dg.AssetSelection.from_string(DEMO_LAUNCH[1]).resolve(graph)
    expected = {key for key in graph.asset_check_keys if key.asset_key in launched_keys}
    assert len(expected) < len(graph.asset_check_keys)  # the inbox's checks run with its batches, not here
    with DagsterInstance.get() as instance:
        runs = instance.get_runs()
        assert len(runs) == 2 and all(run.is_success for run in runs)
        for run in runs:
            events = instance.all_logs(run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION)
            results = {e.dagster_event.event_specific_data.asset_check_key: e.dagster_event.event_specific_data for e in events}
            assert set(results) == expected
            # WARN checks (homogeneous sets, a judge at chance) may flag the toy model's output; ERROR ones may not.
            failed = {k.name for k, r in results.items() if not r.passed and r.severity == AssetCheckSeverity.ERROR}
            assert not failed, failed


def test_every_table_has_exactly_its_models_columns(launched):
    """Models are strict, and this holds them to the tables the graph writes: no undeclared column, none missing;
    the release files too. (The union views in main take their sources' columns; they are not checked.)"""
    from ca_assets.core.checks import MODELS
    from ca_assets.defs.release.assets import FILES

    data = launched.data
    defs()  # the definitions fill MODELS as they define the checks
    with DuckDB(data_dir=str(data)).connect(read_only=True) as con:
        columns = {}
        for schema, table, column in con.sql(
            "select table_schema, table_name, column_name from information_schema.columns where table_schema <> 'cache'"
        ).fetchall():
            columns.setdefault((schema, table), set()).add(column)
    unions = {("main", table) for schema, table in columns if schema in SOURCE_SCHEMAS}
    differ = {
        f"{schema}.{table}": (sorted(found - set(MODELS[(schema, table)].to_schema().columns)),
                              sorted(set(MODELS[(schema, table)].to_schema().columns) - found))
        for (schema, table), found in columns.items() if (schema, table) in MODELS
    }  # fmt: skip
    assert not {name: pair for name, pair in differ.items() if pair != ([], [])}
    unmodelled = sorted(f"{schema}.{table}" for schema, table in set(columns) - set(MODELS) - unions)
    assert not unmodelled, unmodelled
    for name, (model, _) in FILES.items():
        found = set(pq.ParquetFile(data / "releases" / "current" / f"{name}.parquet").schema_arrow.names)
        assert found == set(model.to_schema().columns), name


def test_trl_export_reads_back_with_message_lists(launched):
    data, fingerprints = launched.data, launched.fingerprints
    frame = pd.read_parquet(data / "releases" / "current" / "trl_preferences.parquet")
    assert len(frame) == fingerprints[1]["release.comparisons"][0] == fingerprints[1]["main.comparisons"][0]
    for row in frame.itertuples(index=False):
        # The prompt is the conversation up to the annotated turn: user, assistant, ..., user.
        assert [m["role"] for m in row.prompt] == ["user", "assistant"] * (row.turn - 1) + ["user"]
        assert [m["role"] for m in row.chosen] == ["assistant"] == [m["role"] for m in row.rejected]
        assert row.chosen[0]["content"] != row.rejected[0]["content"]


def test_conversations_run_four_turns_and_each_continues_the_chosen_answer(launched):
    with DuckDB(data_dir=str(launched.data)).connect(read_only=True) as con:
        turns = dict(con.sql("select turn, count(*) from annotations group by turn").fetchall())
        # Each later set answers exactly the conversation before it: the previous set's messages, the answer the
        # annotator chose there, and the user's new message.
        broken = con.sql(load_sql("annotation", "queries", "conversation_breaks")).fetchall()
    assert sorted(turns) == [1, 2, 3, 4], turns
    assert broken == []


def test_every_simulated_choice_stores_the_order_its_annotator_saw(launched):
    """The simulated annotators see each set in the seeded order the live app shows people (one function), and the
    position quality control judges is where the chosen answer was shown."""
    with DuckDB(data_dir=str(launched.data)).connect(read_only=True) as con:
        rows = con.sql("select annotator_id, set_id, shown_order, shown_position, chosen_position from annotations"
                       " where source = 'simulated'").fetchall()  # fmt: skip
    assert rows and all(order == shown_order(a, s) and order[p - 1] == c for a, s, order, p, c in rows)
    assert len({order for _, _, order, _, _ in rows}) > 1
