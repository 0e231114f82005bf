"""Every op that opens the DuckDB file holds the `duckdb` pool; the model steps' sampling ops hold the `model` pool
and never open it; what those ops hand each other (core/handoff.py) is kept and removed as documented."""

import os
import time

import dagster as dg
import pytest

from ca_assets.core import handoff
from ca_assets.core.duckdb import DUCKDB_POOL, MODEL_POOL, DuckDB
from ca_assets.definitions import defs
from ca_assets.vocab import TURNS


def _ops() -> list[dg.OpDefinition]:
    job = defs().resolve_implicit_global_asset_job_def()
    return [node for node in job.all_node_defs if isinstance(node, dg.OpDefinition)]


def test_the_model_ops_are_the_sampling_ones_and_never_take_the_duckdb_resource():
    model_ops = [op for op in _ops() if op.pool == MODEL_POOL]
    expected = [f"turn_{n}__generation_sample" for n in TURNS] + [f"turn_{n}__user_turns_simulate" for n in TURNS[1:]]
    assert sorted(op.name for op in model_ops) == sorted(expected)
    for op in model_ops:
        assert "duckdb" not in op.required_resource_keys, op.name
        assert "generator" in op.required_resource_keys, op.name


def test_a_model_steps_plan_and_write_ops_hold_the_duckdb_pool():
    by_name = {op.name: op for op in _ops()}
    for name in [f"turn_{n}__generation" for n in TURNS] + [f"turn_{n}__user_turns" for n in TURNS[1:]]:
        assert by_name[f"{name}_plan"].pool == DUCKDB_POOL, name
        assert by_name[f"{name}_write"].pool == DUCKDB_POOL, name


def test_only_release_file_ops_take_the_duckdb_resource_outside_its_pool():
    # They read and write files under releases/ (the resource names the data directory); opening the DuckDB file
    # from them would be refused, as the next test shows.
    outside = sorted(op.name for op in _ops() if "duckdb" in op.required_resource_keys and op.pool != DUCKDB_POOL)
    assert outside and all(name.startswith("files__") for name in outside), outside


@pytest.fixture
def duckdb(tmp_path):
    return DuckDB(data_dir=str(tmp_path / "data"))


def _open_the_file(duckdb: DuckDB) -> None:
    with duckdb.connect() as con:
        con.execute("create or replace table touched as select 1 as x")


def test_a_step_outside_the_duckdb_pool_cannot_open_the_file(duckdb):
    @dg.asset(pool=MODEL_POOL)
    def sneaky(duckdb: DuckDB) -> None:
        _open_the_file(duckdb)

    @dg.asset
    def unpooled(duckdb: DuckDB) -> None:
        _open_the_file(duckdb)

    @dg.asset_check(asset=unpooled)
    def unpooled_check(duckdb: DuckDB) -> dg.AssetCheckResult:
        _open_the_file(duckdb)
        return dg.AssetCheckResult(passed=True)

    for step, selected in (("sneaky", [sneaky]), ("unpooled", [unpooled])):
        result = dg.materialize(selected, resources={"duckdb": duckdb}, raise_on_error=False)
        [failure] = [e for e in result.all_events if e.is_step_failure]
        message = failure.event_specific_data.error.to_string()
        assert f"op {step} opened the DuckDB file but runs in pool" in message, message
    assert not duckdb.database_path.exists()

    @dg.asset(name="unpooled", pool=DUCKDB_POOL)
    def pooled(duckdb: DuckDB) -> None:
        _open_the_file(duckdb)

    result = dg.materialize([pooled, unpooled_check], resources={"duckdb": duckdb}, raise_on_error=False)
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert failure.step_key == "unpooled_unpooled_check"
    assert "op unpooled_unpooled_check opened the DuckDB file but runs in pool None" in failure.event_specific_data.error.to_string()
    assert duckdb.database_path.exists()


def test_outside_a_step_the_file_opens(duckdb):
    _open_the_file(duckdb)  # the CLI, a notebook, a test calling a function: no pool to hold
    assert duckdb.database_path.exists()


def test_handoff_folders_are_removed_when_spent_or_stale(tmp_path):
    folder = tmp_path / handoff.HANDOFF_DIR
    for run in ("fresh", "stale", "this", "parent", "root"):
        (folder / run).mkdir(parents=True)
        (folder / run / "op.result.pickle").write_bytes(b"x")
    week_ago = time.time() - handoff.KEEP_DAYS * 86400 - 60
    os.utime(folder / "stale", (week_ago, week_ago))
    assert handoff.prune(tmp_path) == ["stale"]
    run = dg.DagsterRun(job_name="j", run_id="this", parent_run_id="parent", root_run_id="root")
    handoff.finish(tmp_path, run)
    assert sorted(p.name for p in folder.iterdir()) == ["fresh"]


def test_a_handoff_round_trips_and_a_lost_one_says_what_to_do(tmp_path):
    manager = handoff.HandoffIOManager(tmp_path)
    written = dg.build_output_context(run_id="run1", step_key="turn_1__generation.plan", name="result")
    manager.handle_output(written, {"requests": [1, 2]})
    assert list((tmp_path / "run1").iterdir()) == [tmp_path / "run1" / "turn_1__generation.plan.result.pickle"]
    assert manager.load_input(dg.build_input_context(upstream_output=written)) == {"requests": [1, 2]}
    lost = dg.build_output_context(run_id="run2", step_key="turn_1__generation.plan", name="result")
    with pytest.raises(dg.Failure, match="materialize the asset again"):
        manager.load_input(dg.build_input_context(upstream_output=lost))
