"""The generation stage with the real embedded model (llama.cpp + SmolLM2-135M), read back from DuckDB."""

import shutil

import dagster as dg
import pytest

from ca_assets.core.duckdb import DuckDB
from ca_assets.core.tables import write_table
from ca_assets.defs.prompts.assets import prompts
from ca_assets.defs.prompts.prompt_bank import PromptSources, bank_prompts
from ca_assets.models.generation import Generator
from ca_assets.models.language import ALL_LANGS_TAGS
from ca_assets.vocab import LANGS
from ca_assets_tests.support.generation_run import FIRST_TURN, SMALL_SAMPLING, materialize_generation

pytestmark = pytest.mark.slow


def _materialize(duckdb):
    return materialize_generation(duckdb, Generator())


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """One first-turn generation (every language, the real model), shared: tests that write take a copy."""
    duckdb = DuckDB(data_dir=str(tmp_path_factory.mktemp("generated") / "data"))
    return duckdb, _materialize(duckdb)


def _copy(duckdb, tmp_path) -> DuckDB:
    """A copy of a data directory (the DuckDB file and the model cache) to write to."""
    shutil.copytree(duckdb.root, tmp_path / "copy")
    return DuckDB(data_dir=str(tmp_path / "copy"))


def _metadata(result, table):
    # A single-run range records one materialization per language, each with the run's metadata.
    events = [e for e in result.get_asset_materialization_events() if e.asset_key.path[-1] == table]
    assert sorted(e.partition for e in events) == sorted(LANGS)
    event = events[0]
    return {key: value.value for key, value in event.materialization.metadata.items()}


def _snapshot(duckdb):
    with duckdb.connect(read_only=True) as con:
        sets = con.sql("select set_id, prompt_id, sampler, seeds, tokens_out from turn_1.candidate_sets order by set_id").fetchall()
        candidates = con.sql("select candidate_id, position, text from turn_1.candidates order by candidate_id").fetchall()
        quarantine = con.sql("select prompt_id, sampler, reason, raw_text from turn_1.generation_quarantine order by all").fetchall()
    return sets, candidates, quarantine


def test_generation_writes_sets_and_accounts_for_every_request(generated):
    duckdb, result = generated
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


def test_rerun_sends_no_requests_and_reproduces_the_rows(generated, tmp_path):
    duckdb, first = _copy(generated[0], tmp_path), generated[1]
    before = _snapshot(duckdb)
    second = _materialize(duckdb)
    meta = _metadata(second, "candidate_sets")
    assert meta["cache_hits"] == meta["requests"] == _metadata(first, "candidate_sets")["requests"]
    assert _snapshot(duckdb) == before


def _others(duckdb, lang: str) -> list[tuple]:
    """Every turn-1 row of the languages other than `lang`: sets, their answers, quarantined requests."""
    with duckdb.connect(read_only=True) as con:
        return con.sql(
            "select 'set', s.set_id, s.seeds::varchar, c.candidate_id, c.text from turn_1.candidate_sets s "
            "join turn_1.candidates c using (set_id) where s.lang != $lang "
            "union all select 'quarantine', q.request_id, q.reason, q.raw_text, null from turn_1.generation_quarantine q "
            "join main.prompts p using (prompt_id) where p.lang != $lang order by all",
            params={"lang": lang},
        ).fetchall()


def test_one_language_is_regenerated_and_the_others_rows_stay(generated, tmp_path):
    duckdb = _copy(generated[0], tmp_path)
    assert generated[1].success
    before = _others(duckdb, "fr")
    result = materialize_generation(duckdb, Generator(), lang="fr", prompts_per_language=2)  # a one-language backfill
    assert result.success and all(e.passed for e in result.get_asset_check_evaluations())
    assert {e.partition for e in result.get_asset_materialization_events()} == {"fr"}
    assert _others(duckdb, "fr") == before
    with duckdb.connect(read_only=True) as con:
        per_lang = dict(con.sql(
            "select p.lang, count(*) from turn_1.generation_requests r join main.prompts p using (prompt_id) group by all"
        ).fetchall())
        orphans = con.sql("select count(*) from turn_1.candidates where set_id not in (select set_id from turn_1.candidate_sets)")
        assert orphans.fetchall()[0][0] == 0
    assert per_lang == {"fr": 4, **{lang: 2 for lang in LANGS if lang != "fr"}}  # prompts x (nc, iid)


def test_partitioned_write_refuses_rows_of_another_partition(duckdb):
    assert dg.materialize([prompts], resources={"duckdb": duckdb, "prompt_sources": PromptSources()}, partition_key="en").success
    with duckdb.connect(read_only=True) as con:
        before = con.sql("select * from prompts order by all").fetchall()
    english = bank_prompts().query("lang == 'en'")
    with pytest.raises(dg.Failure, match="fall outside this run's partitions"):
        write_table(duckdb, "prompts", "prompts", {"prompt_rows": english}, replace_where="list_contains($langs, lang)",
                    where_params={"langs": ["fr"]})
    with duckdb.connect(read_only=True) as con:
        assert con.sql("select * from prompts order by all").fetchall() == before  # nothing written
        assert {row[0] for row in con.sql("select distinct lang from prompts").fetchall()} == {"en"}


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
        [prompts, FIRST_TURN],
        resources={"duckdb": duckdb, "prompt_sources": PromptSources(), "generator": Generator(), "sampling": SMALL_SAMPLING},
        run_config=config, raise_on_error=False, tags=ALL_LANGS_TAGS,
    )
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "at least two models" in str(failure.event_specific_data.error)
