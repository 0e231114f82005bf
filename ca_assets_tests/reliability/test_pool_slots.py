"""Two runs, one DuckDB file: while another run holds the `duckdb` pool's slot, a generation run's plan and write
wait for it, and its sampling goes on (it holds only the `model` slot and never opens the file). The instance
enforces the pools as dagster.yaml sets them; the model is the real embedded one."""

import threading
import time
from pathlib import Path

import dagster as dg
import pytest
import yaml

from ca_assets.core.duckdb import DUCKDB_POOL, DuckDB
from ca_assets.core.handoff import handoff_io_manager
from ca_assets.defs.prompts.assets import prompts
from ca_assets.defs.prompts.prompt_bank import PromptSources
from ca_assets.models.generation import Generator
from ca_assets_tests.support.generation_run import FIRST_TURN, FIRST_TURN_CHECKS, SMALL_SAMPLING

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
OTHER_RUN, OTHER_STEP = "another-run", "another-runs-duckdb-step"  # stands for a second run's DuckDB step
STEP = "turn_1__generation"


def _steps(instance: dg.DagsterInstance, run_id: str, event: str) -> set[str]:
    return {
        e.dagster_event.step_key for e in instance.all_logs(run_id) if e.dagster_event and e.dagster_event.event_type_value == event
    }


def _blocked(instance: dg.DagsterInstance, run_id: str) -> set[str]:
    """Steps the executor held back because the `duckdb` pool had no free slot."""
    return {
        e.dagster_event.step_key for e in instance.all_logs(run_id)
        if e.dagster_event and f"blocked by limit for pool {DUCKDB_POOL}" in (e.dagster_event.message or "")
    }


def _wait(condition, what: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _hold_the_duckdb_slot(storage) -> None:
    # Pending claims are served in order, so this one goes ahead of the write step's later claim.
    _wait(lambda: storage.claim_concurrency_slot(DUCKDB_POOL, OTHER_RUN, OTHER_STEP).is_claimed, "the duckdb slot")


def test_sampling_goes_on_while_another_run_holds_the_duckdb_slot_and_the_write_waits(tmp_path):
    pools = yaml.safe_load((ROOT / "dagster.yaml").read_text())["concurrency"]
    duckdb = DuckDB(data_dir=str(tmp_path / "data"))
    resources = {
        "duckdb": duckdb, "prompt_sources": PromptSources(), "generator": Generator(), "sampling": SMALL_SAMPLING,
        "io_manager": handoff_io_manager,  # as the project's Definitions: the ops hand over under <data>/handoff
    }
    (tmp_path / "home").mkdir()
    with dg.instance_for_test(temp_dir=str(tmp_path / "home"), overrides={"concurrency": pools}) as instance:
        assert dg.materialize([prompts], resources=resources, instance=instance, partition_key="en").success
        storage = instance.event_log_storage
        _hold_the_duckdb_slot(storage)

        results = []
        run = threading.Thread(
            target=lambda: results.append(
                dg.materialize(
                    [FIRST_TURN, *FIRST_TURN_CHECKS], resources=resources, instance=instance, partition_key="en",
                    run_config={"ops": {STEP: {"config": {"prompts_per_language": 2}}}},
                )
            )
        )
        run.start()
        _wait(lambda: len(instance.get_runs()) == 2, "the generation run")
        run_id = instance.get_runs()[0].run_id
        _wait(lambda: f"{STEP}.plan" in _blocked(instance, run_id), "the plan to wait for the slot", timeout=60)
        assert _steps(instance, run_id, "STEP_START") == set(), "the plan opened the file while another run held the slot"

        storage.free_concurrency_slot_for_step(OTHER_RUN, OTHER_STEP)
        _wait(lambda: f"{STEP}.plan" in _steps(instance, run_id, "STEP_SUCCESS"), "the plan")
        _hold_the_duckdb_slot(storage)  # another run's DuckDB step starts while this run samples
        assert f"{STEP}.sample" not in _steps(instance, run_id, "STEP_SUCCESS"), "sampling ended before the slot was taken"
        _wait(lambda: f"{STEP}.sample" in _steps(instance, run_id, "STEP_SUCCESS"), "sampling under the other run's slot")
        _wait(lambda: f"{STEP}.write" in _blocked(instance, run_id), "the write to wait for the slot", timeout=60)
        assert f"{STEP}.write" not in _steps(instance, run_id, "STEP_START"), "the write did not wait for the slot"

        storage.free_concurrency_slot_for_step(OTHER_RUN, OTHER_STEP)
        run.join(timeout=300)
        [result] = results
        assert result.success
        assert all(check.passed for check in result.get_asset_check_evaluations())
        assert not storage.get_concurrency_run_ids(), "a slot is still held"
    with duckdb.connect(read_only=True) as con:
        requested = con.sql("select count(*) from turn_1.generation_requests").fetchall()[0][0]
    assert requested == 2 * 2  # two English prompts x (nc, iid)
    assert (duckdb.root / "handoff").is_dir() and not any((duckdb.root / "handoff").iterdir()), "the handoff was not removed"
