import dagster as dg

from ca_assets.defs.prompts.assets import prompts, prompts_checks
from ca_assets.defs.prompts.prompt_bank import PromptSources, normalise, prompt_id
from ca_assets.models.language import ALL_LANGS_TAGS


def test_prompts_materialize_the_whole_bank_into_duckdb(duckdb):
    resources = {"duckdb": duckdb, "prompt_sources": PromptSources()}
    result = dg.materialize([prompts, *prompts_checks], resources=resources, tags=ALL_LANGS_TAGS)
    assert result.success
    with duckdb.connect(read_only=True) as con:
        per_lang = dict(con.sql("select lang, count(*) from prompts group by lang").fetchall())
        topics = con.sql("select count(distinct topic) from prompts").fetchall()[0][0]
    assert per_lang == {"en": 24, "fr": 24, "it": 24, "pt": 24, "hi": 24}
    assert topics == 8
    evaluations = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert evaluations == {"matches_schema": True, "prompts_language_matches": True}


def test_rematerializing_replaces_rows_instead_of_appending(duckdb):
    for _ in range(2):
        assert dg.materialize([prompts], resources={"duckdb": duckdb, "prompt_sources": PromptSources()}, tags=ALL_LANGS_TAGS).success
    with duckdb.connect(read_only=True) as con:
        assert con.sql("select count(*), count(distinct prompt_id) from prompts").fetchall() == [(120, 120)]


def test_the_same_prompt_typed_differently_gets_one_id():
    assert normalise("  Should I\u00a0move   back home? ") == "Should I move back home?"
    assert prompt_id("en", "Should I move  back home?") == prompt_id("en", "should i move back home?")
    assert prompt_id("en", "Oui") != prompt_id("fr", "Oui")
