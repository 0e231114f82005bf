"""The LLM value judge: verdict parsing, and a real run through the bundled model (llama.cpp, structured
output), alone and inside the judge_calibration asset next to the embedding judge."""

import dagster as dg
import pytest

from ca_assets.defs.values.assets import calibration_set, judge_calibration
from ca_assets.defs.values.llm_judge import UNJUDGED, LlmJudge, parse_verdict
from ca_assets.models.embeddings import Embedder
from ca_assets.models.generation import Generator, ResponseCache
from ca_assets.vocab import VALUE_LABELS
from ca_assets_tests.support.calibration_embeddings import seed


def test_parse_verdict_reads_clips_and_rejects():
    assert parse_verdict('{"label": "survival", "trad_secular": 0.2, "surv_self": -3}') == (0.2, -1.0, "survival")
    for bad in ('{"label": "happy", "trad_secular": 0, "surv_self": 0}', '{"label": "none", "trad_secular": "x", "surv_self": 0}',
                '{"label": "none", "trad_secular": true, "surv_self": 0}', "[1, 2]", "not json"):
        with pytest.raises(ValueError):
            parse_verdict(bad)


@pytest.mark.slow
def test_real_model_verdicts_are_labels_or_kept_raw(tmp_path):
    judge = LlmJudge(Generator(), ResponseCache(tmp_path / "cache"), log=lambda message: None)
    texts = ["Pray together as a family and follow what your elders decided.", "Keep your savings safe; avoid risky bets."]
    verdicts = judge.judge(texts, ["en", "en"])
    assert len(verdicts) == 2
    for row in verdicts.itertuples():
        if row.label == UNJUDGED:
            assert row.judge_raw  # what the model said is kept
        else:
            assert row.label in VALUE_LABELS and -1 <= row.trad_secular <= 1 and -1 <= row.surv_self <= 1
    again = judge.judge(texts, ["en", "en"])  # cached: same verdicts without the model
    assert again.equals(verdicts)


@pytest.mark.slow
def test_judge_calibration_scores_both_judges(duckdb, calibration_embeddings):
    seed(duckdb, calibration_embeddings)  # the embedding judge's vectors; the LLM judge runs for real
    result = dg.materialize(
        [calibration_set, judge_calibration],
        resources={"duckdb": duckdb, "embedder": Embedder(), "judge_generator": Generator()},
        run_config={
            "ops": {"main__judge_calibration": {"config": {"judges": ["embedding", "llm"], "llm_items_per_language": 2}}}
        },
    )
    assert result.success
    with duckdb.connect(read_only=True) as con:
        rows = con.sql("select judge, lang, measure, items from judge_calibration").df()
    assert set(rows["judge"]) == {"embedding_prototype.v2", f"llm.{Generator().model_name}.v1"}
    llm = rows[rows["judge"].str.startswith("llm.")]
    assert set(llm["lang"]) == {"en", "fr", "it", "pt", "hi", "all"}
    assert llm[(llm["lang"] == "all") & (llm["measure"] == "label")]["items"].item() == 10
