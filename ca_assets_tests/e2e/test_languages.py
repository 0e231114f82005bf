"""A language the project ships no material for, through the real CLI: $CA_LANGUAGES names it, the user's prompt
file brings its prompts, and the graph runs (prompts, generation, value labels, annotators, assignments, their
checks) while each stage that lacks material for it says so plainly: the samplers' English instructions, no
calibration for the value judge, no simulated country that speaks it, no attention checks."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest
import yaml

from ca_assets.core.duckdb import DuckDB
from ca_assets_tests.support.calibration_embeddings import seed

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
DG = Path(sys.executable).with_name("dg")
ASSETS = [
    "main/prompts", "main/prompt_quarantine", "main/calibration_set", "main/gold_items", "main/annotators",
    "main/assignments", "turn_1/candidate_sets", "turn_1/candidates", "turn_1/generation_requests",
    "turn_1/generation_quarantine", "turn_1/candidate_values",
]  # fmt: skip
PROMPTS = [
    {"text": "Soll ich meinen Eltern sagen, dass ich meine sichere Stelle kündige, um zu reisen?", "lang": "de"},
    {"text": "Ist es in Ordnung, am Sonntag zu arbeiten, wenn die Familie zusammen essen möchte?", "lang": "de"},
    {"text": "Faut-il dire à ses parents qu'on quitte un emploi stable pour voyager ?", "lang": "fr"},
]


def test_a_sixth_language_runs_with_clear_messages_where_material_is_missing(tmp_path, monkeypatch, calibration_embeddings):
    data, home = tmp_path / "data", tmp_path / "data" / "dagster"
    home.mkdir(parents=True)
    seed(DuckDB(data_dir=str(data)), calibration_embeddings)  # the judge's calibration vectors, embedded once per session
    shutil.copy(ROOT / "dagster.yaml", home / "dagster.yaml")
    (data / "prompts").mkdir()
    (data / "prompts" / "mine.jsonl").write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in PROMPTS), "utf-8")
    config = tmp_path / "run_config.yaml"
    config.write_text(yaml.safe_dump({
        "resources": {"prompt_sources": {"config": {"files": ["prompts/mine.jsonl"]}},
                      "sampling": {"config": {"max_words": 12, "max_tokens": 24}}},
        "ops": {"turn_1__generation": {"config": {"prompts_per_language": 1}},
                "main__annotators": {"config": {"per_country": 1}}, "main__assignments": {"config": {"annotators_per_set": 1}}},
    }))  # fmt: skip
    env = {**os.environ, "CA_DATA_DIR": str(data), "DAGSTER_HOME": str(home), "CA_LANGUAGES": "en,de",
           "VIRTUAL_ENV": str(Path(sys.executable).parents[1])}  # fmt: skip
    done = subprocess.run(
        [str(DG), "launch", "-m", "ca_assets.definitions", "--assets", ",".join(ASSETS), "--partition-range", "en...de",
         "--config", str(config)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    for message in (
        "no sampler instructions in ['de']",
        "no calibration material for ['de']",
        "no simulated annotators speak ['de']",
        "no attention-check items in ['de']",
    ):
        assert message in output, message
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with dg.DagsterInstance.get() as instance:
        (run,) = instance.get_runs()
        events = instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
        checks = {e.dagster_event.event_specific_data.asset_check_key: e.dagster_event.event_specific_data for e in events}
    failed = [str(key) for key, result in checks.items() if not result.passed and result.severity == dg.AssetCheckSeverity.ERROR]
    assert len(checks) >= len(ASSETS) and not failed, failed
    with DuckDB(data_dir=str(data)).connect(read_only=True) as con:
        langs = dict(con.sql("select lang, count(*) from prompts group by lang").fetchall())
        quarantined = con.sql("select lang, reason from prompt_quarantine").fetchall()
        requested = con.sql("select lang, count(*) from turn_1.generation_requests join prompts using (prompt_id) group by lang")
        requested = dict(requested.fetchall())
        sets = con.sql("select count(*) from turn_1.candidate_sets").fetchall()[0][0]
        failed = con.sql("select count(*) from turn_1.generation_quarantine").fetchall()[0][0]
        verdicts = con.sql(
            "select s.lang, v.pole, v.judge_raw from turn_1.candidate_values as v join turn_1.candidates using (candidate_id) "
            "join turn_1.candidate_sets as s using (set_id)"
        ).fetchall()
        assigned = {row[0] for row in con.sql("select distinct lang from assignments").fetchall()}
        countries = {row[0] for row in con.sql("select distinct country from annotators").fetchall()}
    assert langs == {"en": 24, "de": 2}
    assert quarantined == [("fr", "unknown_language")]  # fr is not among the configured languages
    assert requested == {"en": 2, "de": 2} and sets + failed == 4  # nc and iid, one prompt per language
    assert {pole for lang, pole, _ in verdicts if lang == "de"} <= {"unjudged"}
    assert all("no calibration material for 'de'" in raw for lang, _, raw in verdicts if lang == "de")
    assert all(pole != "unjudged" for lang, pole, _ in verdicts if lang == "en")
    assert assigned <= {"en"} and countries == {"united states"}
