"""The values stage on real candidates: generation with the bundled model, then embeddings (through the cache),
the calibrated value judge, set diversity with its checks, and the sampler report with its plots."""

import base64
from pathlib import Path

import dagster as dg
import pytest

from ca_assets.defs.values.assets import (
    calibration_set,
    candidate_embeddings,
    candidate_values_by_source,
    judge_calibration,
    sampler_report,
    set_diversity,
    values_checks,
)
from ca_assets.models.embeddings import Embedder
from ca_assets.models.generation import Generator
from ca_assets.vocab import SOURCE_SCHEMAS, turn_schema
from ca_assets_tests.support.union_views import view_assets

pytestmark = pytest.mark.slow

VALUES_ASSETS = [judge_calibration, *candidate_values_by_source, candidate_embeddings, set_diversity, sampler_report]
VIEWS = [v for v in view_assets if v.key.path[-1] == "candidate_values"]
FIRST_TURN = turn_schema(1)


def materialize_values(duckdb, **ops) -> dg.ExecuteInProcessResult:
    """The values stage again over the candidates of every turn (`candidate_values` config goes to each turn)."""
    per_turn = (
        {f"{schema}__candidate_values": ops["candidate_values"] for schema in SOURCE_SCHEMAS} if "candidate_values" in ops else {}
    )
    return dg.materialize(
        [calibration_set, *VALUES_ASSETS, *VIEWS, *values_checks],
        resources={"duckdb": duckdb, "embedder": Embedder(), "judge_generator": Generator()},
        run_config={"ops": {**per_turn, **{f"main__{t}": {"config": c} for t, c in ops.items() if t != "candidate_values"}}},
        selection=[asset.key for asset in [*VALUES_ASSETS, *VIEWS]],
    )


@pytest.fixture(scope="module")
def stage(copy_of_conversations):
    duckdb = copy_of_conversations  # the shared conversations (stages/conftest.py), values already labelled once
    first = materialize_values(duckdb)
    second = materialize_values(duckdb)
    return duckdb, first, second


def _metadata(result: dg.ExecuteInProcessResult, table: str, schema: str = "main") -> dict:
    [event] = [e for e in result.get_asset_materialization_events() if e.asset_key.path == [schema, table]]
    return event.step_materialization_data.materialization.metadata


def test_every_check_passes_or_only_warns(stage):
    _, first, _ = stage
    assert first.success
    evaluations = {(e.asset_key.path[-1], e.check_name): e for e in first.get_asset_check_evaluations()}
    assert evaluations[("set_diversity", "set_diversity_four_in_language")].passed
    failed_errors = [k for k, e in evaluations.items() if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR]
    assert failed_errors == []


def test_embeddings_come_from_the_cache(stage):
    duckdb, first, second = stage
    # Each turn's value judge embedded its candidates as the conversations ran: the embedding table finds every
    # text in the cache, the first time and on a rerun.
    for result in (first, second):
        meta = _metadata(result, "candidate_embeddings")
        assert meta["embedded"].value == 0 and meta["cache_hits"].value == meta["distinct_texts"].value > 0
    with duckdb.connect(read_only=True) as con:
        candidates = con.sql("select count(*) from candidates").fetchall()[0][0]
        embedded = con.sql("select count(*) from candidate_embeddings").fetchall()[0][0]
    assert embedded == candidates


def test_every_candidate_gets_a_label_and_scores(stage):
    duckdb, _, _ = stage
    with duckdb.connect(read_only=True) as con:
        labels = dict(con.sql("select pole, count(*) from candidate_values group by pole").fetchall())
        missing = con.sql("select count(*) from candidates anti join candidate_values using (candidate_id)").fetchall()[0][0]
    assert missing == 0
    assert set(labels) <= {"traditional", "secular_rational", "survival", "self_expression", "none"}


def test_sampler_report_reconciles_with_generation(stage):
    duckdb, first, _ = stage
    with duckdb.connect(read_only=True) as con:
        report = con.table("sampler_report").df()
        requested = con.sql("select sampler, count(*) from generation_requests group by sampler").fetchall()
        quarantined = dict(con.sql("select sampler, count(*) from generation_quarantine group by sampler").fetchall())
    overall = report[report["lang"] == "all"].set_index("sampler")
    for sampler, count in requested:
        assert overall.loc[sampler, "requested"] == count
        assert overall.loc[sampler, "quarantined"] == quarantined.get(sampler, 0)
    assert set(report["lang"]) == {"en", "fr", "it", "pt", "hi", "all"}
    metadata = _metadata(first, "sampler_report")
    for plot in ("value_map", "coverage"):
        markdown = metadata[plot].value
        png = base64.b64decode(markdown.split("base64,", 1)[1].rstrip(")"))
        assert png.startswith(b"\x89PNG")
        assert Path(metadata[f"{plot}_file"].value).read_bytes() == png


def test_rerun_gives_the_same_tables(stage):
    _, first, second = stage
    for table in ("candidate_values", "set_diversity", "sampler_report", "judge_calibration"):
        assert _metadata(first, table)["dagster/row_count"] == _metadata(second, table)["dagster/row_count"]
    assert _metadata(first, "sampler_report")["per_sampler"] == _metadata(second, "sampler_report")["per_sampler"]


def test_homogeneous_threshold_is_config_and_warns(stage):
    duckdb, _, _ = stage
    result = materialize_values(duckdb, set_diversity={"homogeneous_below": 2.0})  # every set is "homogeneous"
    assert result.success  # a WARN check does not fail the run or block the report
    [evaluation] = [e for e in result.get_asset_check_evaluations() if e.check_name == "set_diversity_homogeneous"]
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN
    with duckdb.connect(read_only=True) as con:
        flagged, sets = con.sql("select count(*) filter (where homogeneous), count(*) from set_diversity").fetchall()[0]
    assert flagged == sets > 0


def _judge_first_turn(duckdb, judge: str) -> dg.ExecuteInProcessResult:
    """turn_1's candidate_values alone, with its check: the LLM judge reads every turn's candidates through the
    same code, so one turn shows it (the model judges each text, which is the slow part)."""
    [asset] = [a for a in candidate_values_by_source if a.key.path[0] == FIRST_TURN]
    checks = [c for c in values_checks if all(k.asset_key == asset.key for k in c.check_keys)]
    return dg.materialize(
        [asset, *checks],
        resources={"duckdb": duckdb, "embedder": Embedder(), "judge_generator": Generator()},
        run_config={"ops": {f"{FIRST_TURN}__candidate_values": {"config": {"judge": judge}}}},
    )


def test_llm_judge_labels_the_candidates_through_the_same_tables(stage):
    duckdb, _, _ = stage
    result = _judge_first_turn(duckdb, "llm")
    assert result.success and all(e.passed for e in result.get_asset_check_evaluations())
    with duckdb.connect(read_only=True) as con:
        values = con.table(f"{FIRST_TURN}.candidate_values")
        judges = values.select("judge").distinct().fetchall()
        unjudged = values.filter("pole = 'unjudged' and judge_raw is null").count("*").fetchall()[0][0]
        candidates = con.table(f"{FIRST_TURN}.candidates").count("*").fetchall()[0][0]
    assert judges == [(f"llm.{Generator().model_name}.v1",)]
    assert unjudged == 0  # a text the model never judged keeps what the model said
    assert _metadata(result, "candidate_values", FIRST_TURN)["dagster/row_count"].value == candidates > 0
    assert _judge_first_turn(duckdb, "embedding").success  # back to the default judge for the other tests' order
