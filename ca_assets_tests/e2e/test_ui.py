"""The UI as a user gets it: `make ui` on a fresh data directory, runs launched through the webserver's GraphQL
API (what the UI's buttons send), two of them at once, a one-language backfill (the daemon runs it), an analyst
querying the snapshot with the `duckdb` CLI while a run writes, and the lineage page rendered in headless
Chromium with its assets and checks.

Set CA_UI_SCREENSHOT=docs/images/ui_lineage.png to refresh the README's screenshot from this test."""

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from ca_assets.defs.inbox.batches import INBOX_BATCHES
from ca_assets.defs.inbox.sensors import SETTLE_SECONDS
from ca_assets.models.language import ALL_LANGS_TAGS
from ca_assets.vocab import LANGS
from ca_assets_tests.support.browser import browser_page, chromium
from ca_assets_tests.support.ca_fixture import write_fixture
from ca_assets_tests.support.local_server import free_port, serve

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
VENV = Path(sys.executable).parents[1]
REPOSITORY = {"repositoryLocationName": "ca_assets", "repositoryName": "__repository__"}
HUMAN_ASSETS = ["annotations", "candidate_sets", "candidates"]
LAUNCH = """mutation($params: ExecutionParams!) { launchRun(executionParams: $params) { __typename
  ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } ... on InvalidSubsetError { message }
  ... on RunConfigValidationInvalid { errors { message } } } }"""
RUN = """query($id: ID!) { runOrError(runId: $id) { ... on Run { status startTime endTime } } }"""
EVENTS = """query($id: ID!) { logsForRun(runId: $id) { ... on EventConnection { events { __typename
  ... on MessageEvent { message timestamp stepKey level } ... on ErrorEvent { error { message } } } } } }"""
SENSOR = """query($s: SensorSelector!) { sensorOrError(sensorSelector: $s) {
  ... on Sensor { sensorState { id selectorId } } } }"""
STOP_SENSOR = """mutation($id: String!, $selector: String!) { stopSensor(id: $id, jobSelectorId: $selector) {
  ... on StopSensorMutationResult { instigationState { status } } } }"""
ADD_BATCH = """mutation($name: String!, $key: String!, $repo: RepositorySelector!) {
  addDynamicPartition(partitionsDefName: $name, partitionKey: $key, repositorySelector: $repo) { __typename } }"""
BACKFILL = """mutation($params: LaunchBackfillParams!) { launchPartitionBackfill(backfillParams: $params) { __typename
  ... on LaunchBackfillSuccess { backfillId } ... on PythonError { message } } }"""
BACKFILL_STATUS = """query($id: String!) { partitionBackfillOrError(backfillId: $id) {
  ... on PartitionBackfill { status runs(limit: 10) { runId status tags { key value } } } } }"""
START_SENSOR = """mutation($s: SensorSelector!) { startSensor(sensorSelector: $s) { __typename } }"""
RUNS_OF_BATCH = """query($key: String!) { runsOrError(filter: {tags: [{key: "dagster/partition", value: $key}]}) {
  ... on Runs { results { runId status } } } }"""
TERMINAL = {"SUCCESS", "FAILURE", "CANCELED"}
GENERATION_TABLES = ("candidate_sets", "candidates", "generation_requests", "generation_quarantine")


class Ui:
    def __init__(self, url: str):
        self.url = url

    def graphql(self, query: str, **variables) -> dict:
        request = urllib.request.Request(
            self.url + "/graphql", data=json.dumps({"query": query, "variables": variables}).encode(),
            headers={"content-type": "application/json"},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=60) as response:
            answer = json.load(response)
        assert "errors" not in answer, answer["errors"]
        return answer["data"]

    def launch(self, job: str, assets: list[list[str]] | None = None, tags: dict[str, str] | None = None,
               run_config: dict | None = None) -> str:
        selector = {**REPOSITORY, "jobName": job}
        if assets:
            selector["assetSelection"] = [{"path": path} for path in assets]  # their checks run with them
        metadata = {"tags": [{"key": k, "value": v} for k, v in (tags or {}).items()]}  # a partition or a range
        params = {"selector": selector, "mode": "default", "executionMetadata": metadata}
        if run_config:  # what the Launchpad sends
            params["runConfigData"] = run_config
        result = self.graphql(LAUNCH, params=params)["launchRun"]
        assert result["__typename"] == "LaunchRunSuccess", result
        return result["run"]["runId"]

    def run(self, run_id: str) -> dict:
        return self.graphql(RUN, id=run_id)["runOrError"]

    def wait(self, *run_ids: str, timeout: float = 600) -> list[dict]:
        deadline = time.monotonic() + timeout
        while True:
            runs = [self.run(run_id) for run_id in run_ids]
            if all(run["status"] in TERMINAL for run in runs):
                return runs
            assert time.monotonic() < deadline, f"runs still going after {timeout} s: {runs}"
            time.sleep(1)

    def events(self, run_id: str) -> list[dict]:
        return self.graphql(EVENTS, id=run_id)["logsForRun"]["events"]


def _step_intervals(events: list[dict]) -> dict[str, tuple[float, float]]:
    starts = {e["stepKey"]: float(e["timestamp"]) for e in events if e["__typename"] == "ExecutionStepStartEvent"}
    ends = {e["stepKey"]: float(e["timestamp"]) for e in events if e["__typename"] == "ExecutionStepSuccessEvent"}
    return {step: (starts[step], ends[step]) for step in starts if step in ends}


@pytest.fixture(scope="module")
def ui(tmp_path_factory):
    if not chromium():
        pytest.fail("Chromium is not installed: `make test` installs it (Debian package chromium)")
    data = tmp_path_factory.mktemp("ui") / "data"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("CA_DATA_DIR", "DAGSTER_HOME", "MAKEFLAGS", "MAKELEVEL")}
    # Exactly what a user types (VENV points make at the environment running this test, e.g. from a worktree).
    command = ["make", "--no-print-directory", "ui", f"DATA={data}", f"UI_PORT={port}", f"VENV={VENV}"]
    with serve("`make ui`", command, port, "/server_info", 180, cwd=ROOT, env=env) as url:
        handle = Ui(url)
        handle.data = data
        handle.graphql("mutation { setNuxSeen }")  # else a first-visit dialog covers the page
        # The test launches the ingest itself; the sensor would launch a second one for the same file.
        state = handle.graphql(SENSOR, s={**REPOSITORY, "sensorName": "inbox_sensor"})["sensorOrError"]["sensorState"]
        handle.graphql(STOP_SENSOR, id=state["id"], selector=state["selectorId"])
        yield handle


@pytest.fixture(scope="module")
def two_runs(ui):
    """The ingest job (the file's batch) and the prompts asset (every language) launched at the same moment,
    both writing the one DuckDB file."""
    (ui.data / "inbox").mkdir(parents=True, exist_ok=True)
    write_fixture(ui.data / "inbox" / "ca.csv", count=200, seed=5)
    added = ui.graphql(ADD_BATCH, name=INBOX_BATCHES.name, key="ca.csv", repo=REPOSITORY)["addDynamicPartition"]
    assert added["__typename"] == "AddDynamicPartitionSuccess", added
    ingest = ui.launch("ingest", tags={"dagster/partition": "ca.csv"})
    prompts = ui.launch("__ASSET_JOB", [["main", "prompts"]], tags=ALL_LANGS_TAGS)
    return {"ingest": ingest, "prompts": prompts, "runs": ui.wait(ingest, prompts)}


def test_two_runs_at_once_both_succeed_without_lock_errors(ui, two_runs):
    assert [run["status"] for run in two_runs["runs"]] == ["SUCCESS", "SUCCESS"], two_runs
    events = {name: ui.events(two_runs[name]) for name in ("ingest", "prompts")}
    for name, run_events in events.items():
        # DuckDB says "Could not set lock on file ... Conflicting lock is held"; "Step blocked by limit for pool
        # duckdb" is the pool doing its job.
        errors = [e["message"] for e in run_events if e.get("level") == "ERROR" or "lock on file" in (e.get("message") or "")]
        assert not errors, (name, errors)
    # Two layers keep them apart: the `duckdb` pool (one step at a time across runs; with the instance's SQLite
    # storage its slot claims are best-effort, and two steps were seen starting together) and the resource,
    # which waits for the file's lock rather than failing. Both runs did real work:
    steps = {name: _step_intervals(run_events) for name, run_events in events.items()}
    assert "inbox" in steps["ingest"] and "main__prompts" in steps["prompts"], steps


def test_analyst_queries_the_snapshot_while_a_run_writes(ui, two_runs):
    snapshot = ui.launch("__ASSET_JOB", [["snapshot", "ca"]])
    assert ui.wait(snapshot)[0]["status"] == "SUCCESS"
    writer = ui.launch("__ASSET_JOB", [["main", "prompts"]], tags=ALL_LANGS_TAGS)
    deadline = time.monotonic() + 300
    while not any(e["__typename"] == "ExecutionStepStartEvent" for e in ui.events(writer)):
        assert ui.run(writer)["status"] not in TERMINAL and time.monotonic() < deadline, ui.run(writer)
        time.sleep(0.2)
    # The README's way: the CLI, read-only, on the snapshot (the live file belongs to the run).
    query = subprocess.run(
        [str(VENV / "bin" / "duckdb"), "-readonly", "-csv", "-noheader", str(ui.data / "snapshot" / "ca.duckdb"),
         "-c", "select count(*) from human.annotations"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    queried_at = time.time()
    assert query.returncode == 0, query.stderr
    end = ui.wait(writer)[0]
    assert end["status"] == "SUCCESS"
    assert end["endTime"] > queried_at, "the run had finished before the query: not a query during a run"
    with duckdb.connect(str(ui.data / "ca.duckdb"), read_only=True) as con:
        live = con.sql("select count(*) from human.annotations").fetchall()[0][0]
    assert int(query.stdout.strip()) == live > 0


def test_backfill_of_one_language(ui, two_runs):
    """What the UI's "Materialize… > fr" sends: a backfill of one partition, run by the daemon `make ui` starts.
    It replaces the French prompts only: the other languages' rows stay."""
    params = {"partitionNames": ["fr"], "assetSelection": [{"path": ["main", "prompts"]}], "fromFailure": False}
    launched = ui.graphql(BACKFILL, params=params)["launchPartitionBackfill"]
    assert launched["__typename"] == "LaunchBackfillSuccess", launched
    deadline = time.monotonic() + 300
    while (backfill := ui.graphql(BACKFILL_STATUS, id=launched["backfillId"])["partitionBackfillOrError"])["status"] in (
        "REQUESTED", "IN_PROGRESS"
    ) or any(run["status"] not in TERMINAL for run in backfill["runs"]):
        assert time.monotonic() < deadline, backfill
        time.sleep(1)
    assert backfill["status"] in ("COMPLETED", "COMPLETED_SUCCESS"), backfill
    [run] = backfill["runs"]  # one run (single-run backfill policy)
    tags = {t["key"]: t["value"] for t in run["tags"]}
    covered = {tags.get("dagster/partition")} | {tags.get(f"dagster/asset_partition_range_{end}") for end in ("start", "end")}
    assert run["status"] == "SUCCESS" and covered - {None} == {"fr"}, run
    with duckdb.connect(str(ui.data / "ca.duckdb"), read_only=True) as con:
        per_lang = dict(con.sql("select lang, count(*) from prompts group by lang").fetchall())
    assert set(per_lang) == set(LANGS) and per_lang["fr"] > 0, per_lang


def test_lineage_page_renders_assets_and_checks(ui, two_runs, tmp_path):
    with browser_page(1600, 1800) as page:
        page.goto(ui.url + "/locations/ca_assets/asset-groups/inbox/lineage")
        page.wait_for_text("Asset checks", "Materialized")
        wanted = (*HUMAN_ASSETS, "human_turns", "task_results", "annotation_files")
        # The graph opens zoomed in on a few of the stage's seven assets: three steps out fit them all in the window.
        for _ in range(3):
            x, y = json.loads(page.evaluate(
                "(() => { const r = document.querySelector('[aria-label=zoom_out]').closest('button')"
                ".getBoundingClientRect(); return JSON.stringify([r.x + r.width / 2, r.y + r.height / 2]); })()"
            ))  # fmt: skip
            page.click(x, y)
            time.sleep(1)
        text = page.wait_for_text(*wanted)
        shot = tmp_path / "lineage.png"
        page.screenshot(shot)
    # Each ingested asset's node shows its one check, run and passed in the ingest run.
    assert text.count("1 / 1 Passed") >= len(HUMAN_ASSETS), text
    assert shot.stat().st_size > 50_000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if target := os.environ.get("CA_UI_SCREENSHOT"):
        shutil.copy(shot, ROOT / target)


@pytest.mark.reliability
def test_a_launch_cannot_move_the_data_directory_or_read_a_model_elsewhere(ui, two_runs, tmp_path):
    """`make ui` runs locked down (core/paths.py): run config from the Launchpad cannot point the DuckDB file, a
    model file or the API key somewhere the deployment did not put them."""
    elsewhere = tmp_path / "elsewhere"
    hostile = {
        "duckdb": ({"duckdb": {"config": {"data_dir": str(elsewhere)}}}, "a launch cannot move it"),
        "model": ({"generator": {"config": {"model_path": "/etc/hostname"}}}, "outside the model folders"),
        "host": ({"generator": {"config": {"backend": "openai", "model": "m", "base_url": "http://203.0.113.7/v1",
                                           "api_key_env": "HOME"}}}, "does not allow"),
    }  # fmt: skip
    runs = {}
    for name, (resources, _) in hostile.items():  # launched together: each fails at its resources' setup
        asset = [["main", "prompts"]] if name == "duckdb" else [["turn_1", t] for t in GENERATION_TABLES]
        runs[name] = ui.launch("__ASSET_JOB", asset, tags={"dagster/partition": "en"}, run_config={"resources": resources})
    statuses = [run["status"] for run in ui.wait(*runs.values())]
    assert statuses == ["FAILURE"] * len(runs), dict(zip(runs, statuses, strict=True))
    for name, (_, message) in hostile.items():
        errors = " ".join(f"{e.get('message')} {(e.get('error') or {}).get('message')}" for e in ui.events(runs[name]))
        assert message in errors, (name, errors[-2000:])
    assert not elsewhere.exists()


def test_instance_persists_under_the_data_directory(ui, two_runs):
    home = ui.data / "dagster"
    assert (home / "dagster.yaml").read_text() == (ROOT / "dagster.yaml").read_text()
    with dg.DagsterInstance.from_config(str(home)) as instance:
        runs = {record.dagster_run.run_id for record in instance.get_run_records()}
    assert {two_runs["ingest"], two_runs["prompts"]} <= runs


def test_sensor_adds_a_new_files_batch_and_ingests_it(ui, two_runs):
    """Runs last: the inbox sensor, started again, sees a new file, adds its batch partition and launches its run."""
    write_fixture(ui.data / "inbox" / "wave2.csv", count=20, seed=6)
    then = time.time() - SETTLE_SECONDS - 1  # as if copied in a while ago: no settling wait
    os.utime(ui.data / "inbox" / "wave2.csv", (then, then))
    started = ui.graphql(START_SENSOR, s={**REPOSITORY, "sensorName": "inbox_sensor"})["startSensor"]
    assert started["__typename"] == "Sensor", started
    deadline = time.monotonic() + 240  # the daemon ticks sensors every 30 s
    while not (runs := ui.graphql(RUNS_OF_BATCH, key="wave2.csv")["runsOrError"]["results"]):
        assert time.monotonic() < deadline, "the sensor launched no run for wave2.csv"
        time.sleep(2)
    # The sensor had not seen ca.csv either (it was stopped before the file came): that batch gets a second run
    # in the same tick, which finds its content ingested and adds nothing.
    again = ui.graphql(RUNS_OF_BATCH, key="ca.csv")["runsOrError"]["results"]
    assert len(runs) == 1 and len(again) == 2, (runs, again)
    assert [r["status"] for r in ui.wait(*(r["runId"] for r in runs + again))] == ["SUCCESS"] * 3
    with dg.DagsterInstance.from_config(str(ui.data / "dagster")) as instance:
        assert {"ca.csv", "wave2.csv"} <= set(instance.get_dynamic_partitions(INBOX_BATCHES.name))
    with duckdb.connect(str(ui.data / "ca.duckdb"), read_only=True) as con:
        names = [row[0] for row in con.sql("select file_name from annotation_files").fetchall()]
    assert sorted(names) == ["ca.csv", "wave2.csv"]
