"""The code location loads: through Python, and through `dg check defs` as a user would run it."""

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from ca_assets.definitions import defs

ROOT = Path(__file__).resolve().parents[2]
DG = Path(sys.executable).with_name("dg")

EXPECTED_TABLES = {
    "prompts", "prompt_quarantine", "candidate_sets", "candidates", "generation_requests", "generation_quarantine", "candidate_embeddings",
    "candidate_values", "set_diversity", "annotators", "annotations", "comparisons", "calibration_set",
    "judge_calibration", "sampler_report", "annotation_files", "human_turns", "annotation_quarantine", "assignments",
    "user_turns", "gold_items", "gold_answers", "annotator_quality", "quality_quarantine", "task_results",
    "annotation_tasks", "aggregates", "preference_eval",
    "country_win_rates", "contested_prompts", "annotator_agreement",
}
PER_TURN = {"candidate_sets", "candidates", "generation_requests", "generation_quarantine", "candidate_values", "annotations"}


def _repository():
    return defs().get_repository_def()


def test_every_table_is_an_asset_with_a_docstring_group_and_blocking_schema_check():
    repo = _repository()
    graph = repo.asset_graph
    keys = set(graph.get_all_asset_keys())
    assert {dg_key.path[-1] for dg_key in keys if dg_key.path[0] == "main"} == EXPECTED_TABLES
    for turn in (1, 2, 3, 4):
        tables = {key.path[-1] for key in keys if key.path[0] == f"turn_{turn}"}
        assert tables == PER_TURN | ({"user_turns"} if turn > 1 else set()), turn
    assert {key.path[-1] for key in keys if key.path[0] == "human"} == {"candidate_sets", "candidates", "candidate_values", "annotations"}
    assert {key.path[-1] for key in keys if key.path[0] == "release"} == {"pii_findings", "exclusions", "comparisons"}
    checks = {(check.asset_key, check.name) for check in graph.asset_check_keys}
    for key in keys:
        node = graph.get(key)
        assert node.group_name != "default", key
        if node.description.startswith("View:"):  # main's union of the turns: the turns' tables are checked
            assert all(parent.path[0].startswith("turn_") or parent.path[0] == "human" for parent in node.parent_keys), key
            continue
        assert node.description and "Grain" in node.description, key
        assert (key, "matches_schema") in checks, key
    for check_key in graph.asset_check_keys:
        spec = graph.get_check_spec(check_key)
        if check_key.name == "matches_schema":
            assert spec.blocking, check_key


def test_the_snapshot_comes_after_every_table():
    graph = _repository().asset_graph
    snapshot = dg.AssetKey(["snapshot", "ca"])
    upstream, frontier = set(), [snapshot]
    while frontier:
        for parent in graph.get(frontier.pop()).parent_keys:
            if parent not in upstream:
                upstream.add(parent)
                frontier.append(parent)
    missing = {key for key in graph.get_all_asset_keys() if key != snapshot and key not in upstream}
    assert not missing, missing


@pytest.mark.slow
def test_dg_check_defs_passes():
    env = {**os.environ, "VIRTUAL_ENV": str(Path(sys.executable).parents[1])}
    done = subprocess.run([str(DG), "check", "defs"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "All definitions loaded successfully" in done.stdout + done.stderr
