"""Kill a real generation run with SIGKILL mid-way, rerun it, and check that only the missing requests were
sent (cache hits = responses saved before the kill) and that no candidate is duplicated."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from ca_assets.core.duckdb import DuckDB
from ca_assets_tests.support.generation_run import TWO_LANGUAGES_LAUNCH

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
DG = Path(sys.executable).with_name("dg")
CONFIG = {
    "ops": {"turn_1__generation": {"config": {"prompts_per_language": 1}}},
    # Short answers: the test is about what a kill leaves behind, not what the model writes.
    "resources": {"sampling": {"config": {"max_words": 6, "max_tokens": 12}}},
}
KILL_AFTER_RESPONSES = 6


def _launch(env, config, **popen):
    return subprocess.Popen(
        [str(DG), "launch", *TWO_LANGUAGES_LAUNCH, "--config", str(config)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **popen,
    )


def _cached(data: Path) -> int:
    return sum(1 for _ in (data / "cache" / "generation").rglob("*.json")) if (data / "cache").exists() else 0


def test_sigkill_then_rerun_sends_only_missing_requests(tmp_path, monkeypatch):
    data, home = tmp_path / "data", tmp_path / "data" / "dagster"
    home.mkdir(parents=True)
    shutil.copy(ROOT / "dagster.yaml", home / "dagster.yaml")
    config = tmp_path / "run_config.yaml"
    config.write_text(yaml.safe_dump(CONFIG))
    env = {**os.environ, "CA_DATA_DIR": str(data), "DAGSTER_HOME": str(home),
           "VIRTUAL_ENV": str(Path(sys.executable).parents[1])}

    victim = _launch(env, config, start_new_session=True)
    deadline = time.monotonic() + 600
    while _cached(data) < KILL_AFTER_RESPONSES:
        assert victim.poll() is None, f"run ended before the kill: {victim.stdout.read()[-3000:]}"
        assert time.monotonic() < deadline, "no responses cached in time"
        time.sleep(0.2)
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait(timeout=30)
    saved_before_kill = _cached(data)

    # The killed run still holds the `model` pool slot; without this the rerun waits on it forever. Tagged as
    # another host's run, the cleaner leaves it alone (its pid means nothing here); as this host's, it frees it.
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    from dagster import DagsterInstance

    from ca_assets.core.paths import HOST, HOST_TAG

    def free_slots() -> str:
        done = subprocess.run(
            [str(Path(sys.executable).with_name("ca-assets")), "free-slots"], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    with DagsterInstance.get() as instance:
        (killed,) = instance.get_runs()
        instance.add_run_tags(killed.run_id, {HOST_TAG: "another-host"})
    assert "released the pool slots of dead run" not in free_slots()
    with DagsterInstance.get() as instance:
        instance.add_run_tags(killed.run_id, {HOST_TAG: HOST})
    assert "released the pool slots of dead run" in free_slots()
    rerun = _launch(env, config)
    output, _ = rerun.communicate(timeout=900)
    assert rerun.returncode == 0, output[-4000:]

    from dagster import AssetKey

    with DagsterInstance.get() as instance:
        event = instance.get_latest_materialization_event(AssetKey(["turn_1", "candidate_sets"]))
        meta = {key: value.value for key, value in event.asset_materialization.metadata.items()}
    assert meta["cache_hits"] == saved_before_kill, (meta, saved_before_kill)
    # Every request of the rerun is either a hit or sent once: the cache now holds exactly one response per
    # distinct request, none sent twice across the two runs.
    assert _cached(data) == meta["requests"]
    assert meta["requests"] > meta["cache_hits"], "the kill should have left requests to send"

    with DuckDB(data_dir=str(data)).connect(read_only=True) as con:
        (rows, distinct) = con.sql("select count(*), count(distinct (set_id, position)) from turn_1.candidates").fetchall()[0]
        sets = con.sql("select count(*) from turn_1.candidate_sets").fetchall()[0][0]
    assert rows == distinct == 4 * sets
