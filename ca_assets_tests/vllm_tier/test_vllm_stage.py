"""The generation asset with the `vllm` backend in-process (a fresh engine: the step shuts its engine down
when it ends), through dg.materialize with its checks."""

import dagster as dg
import pytest

from ca_assets.defs.generation.assets import generation, generation_checks
from ca_assets.defs.prompts.assets import prompts
from ca_assets_tests.vllm_tier.engines import vllm_generator

pytestmark = [pytest.mark.slow, pytest.mark.vllm]


def test_generation_stage_in_process(model_dir, duckdb):
    config = {"ops": {"generation": {"config": {"prompts_per_language": 1, "max_words": 12, "max_tokens": 24}}}}
    result = dg.materialize(
        [prompts, generation, *generation_checks],
        resources={"duckdb": duckdb, "generator": vllm_generator(model_dir)},
        run_config=config,
    )
    assert result.success and all(e.passed for e in result.get_asset_check_evaluations())
    with duckdb.connect(read_only=True) as con:
        backends = con.sql("select distinct backend from candidate_sets").fetchall()
        kept = con.sql("select count(*) from candidate_sets").fetchall()[0][0]
        quarantined = con.sql("select count(*) from generation_quarantine").fetchall()[0][0]
        iid_requests = con.sql("select max(requests) from candidate_sets where sampler = 'iid'").fetchall()[0][0]
    assert kept > 0 and kept + quarantined == 10
    assert backends == [("vllm",)]
    assert iid_requests is None or iid_requests <= 3  # n=4 per request, not four requests per attempt
