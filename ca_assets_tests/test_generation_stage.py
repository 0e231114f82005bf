"""The generation stage with the real embedded model (llama.cpp + SmolLM2-135M), read back from DuckDB."""

import dagster as dg
import pytest

from ca_assets.defs.generation.assets import generation, generation_checks
from ca_assets.defs.prompts.assets import prompts
from ca_assets.lib.generation import Generator

pytestmark = pytest.mark.slow

RUN_CONFIG = {"ops": {"generation": {"config": {"prompts_per_language": 1, "max_words": 12, "max_tokens": 24}}}}


def _materialize(duckdb):
    return dg.materialize(
        [prompts, generation, *generation_checks],
        resources={"duckdb": duckdb, "generator": Generator()},
        run_config=RUN_CONFIG,
    )


def _metadata(result, table):
    (event,) = [e for e in result.get_asset_materialization_events() if e.asset_key.path[-1] == table]
    return {key: value.value for key, value in event.materialization.metadata.items()}


def _snapshot(duckdb):
    with duckdb.connect(read_only=True) as con:
        sets = con.sql("select set_id, prompt_id, sampler, seeds, tokens_out from candidate_sets order by set_id").fetchall()
        candidates = con.sql("select candidate_id, position, text from candidates order by candidate_id").fetchall()
        quarantine = con.sql("select prompt_id, sampler, reason, raw_text from generation_quarantine order by all").fetchall()
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
        lineage = con.sql("select distinct backend, model, template_name, template_version from candidate_sets").fetchall()
    assert {row[2] for row in lineage} <= {"nc", "iid"}
    assert all(row[0] == "llama_cpp" and row[1].endswith(".gguf") and row[3] == 1 for row in lineage)


def test_rerun_sends_no_requests_and_reproduces_the_rows(duckdb):
    first = _materialize(duckdb)
    before = _snapshot(duckdb)
    second = _materialize(duckdb)
    meta = _metadata(second, "candidate_sets")
    assert meta["cache_hits"] == meta["requests"] == _metadata(first, "candidate_sets")["requests"]
    assert _snapshot(duckdb) == before
