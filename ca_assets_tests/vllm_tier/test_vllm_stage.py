"""The generation asset with the `vllm` backend in-process (a fresh engine: the step shuts its engine down
when it ends), through dg.materialize with its checks. One language (English, where the toy model
keeps most sets): the other languages go through the same backend code, and the main tier runs all five."""

import pytest

from ca_assets_tests.support.engines import vllm_generator
from ca_assets_tests.support.generation_run import kept_and_quarantined, materialize_generation

pytestmark = [pytest.mark.slow, pytest.mark.vllm]


def test_generation_stage_in_process(model_dir, duckdb):
    result = materialize_generation(duckdb, vllm_generator(model_dir), lang="en")
    assert result.success and all(e.passed for e in result.get_asset_check_evaluations())
    kept, quarantined = kept_and_quarantined(duckdb)
    with duckdb.connect(read_only=True) as con:
        backends = con.sql("select distinct backend from turn_1.candidate_sets").fetchall()
        iid_requests = con.sql("select max(requests) from turn_1.candidate_sets where sampler = 'iid'").fetchall()[0][0]
    assert kept > 0 and kept + quarantined == 2  # one prompt x (nc, iid)
    assert backends == [("vllm",)]
    assert iid_requests is None or iid_requests <= 3  # n=4 per request, not four requests per attempt
