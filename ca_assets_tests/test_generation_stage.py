"""The generation stage with the real embedded model (llama.cpp + SmolLM2-135M), read back from DuckDB."""

import dagster as dg
import pytest

from ca_assets.defs.prompts.assets import prompts
from ca_assets.lib.generation import Generator
from ca_assets_tests.generation_run import FIRST_TURN, SMALL_SAMPLING, materialize_generation

pytestmark = pytest.mark.slow

def _materialize(duckdb):
    return materialize_generation(duckdb, Generator())


def _metadata(result, table):
    (event,) = [e for e in result.get_asset_materialization_events() if e.asset_key.path[-1] == table]
    return {key: value.value for key, value in event.materialization.metadata.items()}


def _snapshot(duckdb):
    with duckdb.connect(read_only=True) as con:
        sets = con.sql("select set_id, prompt_id, sampler, seeds, tokens_out from turn_1.candidate_sets order by set_id").fetchall()
        candidates = con.sql("select candidate_id, position, text from turn_1.candidates order by candidate_id").fetchall()
        quarantine = con.sql("select prompt_id, sampler, reason, raw_text from turn_1.generation_quarantine order by all").fetchall()
    return sets, candidates, quarantine


def test_generation_writes_sets_and_accounts_for_every_request(duckdb):
    result = _materialize(duckdb)
    assert result.success
    assert all(e.passed for e in result.get_asset_check_evaluations())
    meta = _metadata(result, "candidate_sets")
    assert meta["requested_sets"] == 10  # one prompt per language x (nc, iid)
    assert meta["kept_sets"] + meta["quarantined_sets"] == meta["requested_sets"]
    assert meta["kept_sets"] > 0 and meta["tokens_out"] > 0 and meta["cache_hits"] == 0

    sets, candidates, quarantine = _snapshot(duckdb)
    assert len(sets) == meta["kept_sets"] and len(quarantine) == meta["quarantined_sets"]
    assert len(candidates) == 4 * len(sets)
    assert all(raw for *_, raw in quarantine), "quarantine keeps the raw model text"
    with duckdb.connect(read_only=True) as con:
        lineage = con.sql("select distinct backend, model, template_name, template_version from turn_1.candidate_sets").fetchall()
    assert {row[2] for row in lineage} <= {"nc", "iid"}
    assert all(row[0] == "llama_cpp" and row[1].endswith(".gguf") and row[3] == 1 for row in lineage)


def test_rerun_sends_no_requests_and_reproduces_the_rows(duckdb):
    first = _materialize(duckdb)
    before = _snapshot(duckdb)
    second = _materialize(duckdb)
    meta = _metadata(second, "candidate_sets")
    assert meta["cache_hits"] == meta["requests"] == _metadata(first, "candidate_sets")["requests"]
    assert _snapshot(duckdb) == before


def test_multi_model_sets_record_which_model_wrote_each_answer(duckdb, tmp_path):
    # Only one usable chat model ships offline, so the "second model" is the same weights under another file
    # name (a different identity for the cache and the ids): the machinery is real, the diversity is not.
    bundled = Generator().model_file
    twin = tmp_path / "twin-smollm2.gguf"
    twin.symlink_to(bundled)
    result = materialize_generation(duckdb, Generator(multi_model=[str(bundled), str(twin)]), samplers=["multi_model"])
    assert result.success and all(e.passed for e in result.get_asset_check_evaluations())
    with duckdb.connect(read_only=True) as con:
        per_position = con.sql(
            "select c.position, c.model, s.model from turn_1.candidates c join turn_1.candidate_sets s using (set_id) "
            "where s.sampler = 'multi_model' order by s.set_id, c.position"
        ).fetchall()
    assert per_position, "at least one multi_model set kept"
    for position, model, set_model in per_position:
        assert model == (bundled.name if position in "ac" else twin.name)
        assert set_model == "+".join(sorted([bundled.name, twin.name]))


def test_multi_model_without_models_fails_before_any_request(duckdb):
    config = {"ops": {"turn_1__generation": {"config": {"prompts_per_language": 1, "samplers": ["multi_model"]}}}}
    result = dg.materialize(
        [prompts, FIRST_TURN], resources={"duckdb": duckdb, "generator": Generator(), "sampling": SMALL_SAMPLING},
        run_config=config, raise_on_error=False,
    )
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "at least two models" in str(failure.event_specific_data.error)
