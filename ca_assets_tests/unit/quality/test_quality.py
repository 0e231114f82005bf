"""Quality control: the per-annotator rules and score, their recall on simulated careless annotators, and the
quarantine SQL's reasons, file and line."""

import numpy as np
import pandas as pd

from ca_assets.core.sql import load_sql
from ca_assets.defs.annotation.simulation import answer_gold, choose, seconds_to_choose, simulate_annotators
from ca_assets.defs.quality.rules import QualityRules, score_annotators
from ca_assets.vocab import POSITIONS

RULES = QualityRules()


def _counts(**rows) -> pd.DataFrame:
    """One annotator per keyword: (chosen a, b, c, d), gold answered, gold correct, timed, too fast."""
    records = []
    for name, ((a, b, c, d), gold, right, timed, fast) in rows.items():
        records.append({"annotator_id": name, "annotations": a + b + c + d, "shown_1": a, "shown_2": b, "shown_3": c,
                        "shown_4": d, "gold_answered": gold, "gold_correct": right, "timed": timed, "too_fast": fast})
    return pd.DataFrame(records)


def test_rules_flag_straight_lining_failed_checks_bias_and_speed():
    scored = score_annotators(
        _counts(
            reader=((3, 3, 2, 2), 3, 3, 10, 0),
            clicker=((9, 1, 0, 0), 3, 1, 10, 9),
            guesser=((3, 2, 3, 2), 4, 1, 10, 0),
            human=((2, 1, 1, 1), 0, 0, 0, 0),
            newcomer=((1, 0, 0, 0), 0, 0, 0, 0),
        ),
        RULES,
    ).set_index("annotator_id")
    assert scored.loc["reader", "passed"] and scored.loc["reader", "flags"] == []
    assert set(scored.loc["clicker", "flags"]) == {"failed_attention_checks", "straight_lining", "position_bias", "fast"}
    assert not scored.loc["clicker", "passed"]
    assert scored.loc["guesser", "flags"] == ["failed_attention_checks"] and not scored.loc["guesser", "passed"]
    assert scored.loc["human", "passed"] and np.isnan(scored.loc["human", "gold_accuracy"])
    assert scored.loc["human", "quality_score"] == 1 - (0.4 - 0.25) / 0.75  # only the spread component
    assert np.isnan(scored.loc["newcomer", "quality_score"]) and scored.loc["newcomer", "passed"]  # too little to judge
    assert scored.loc["reader", "quality_score"] > scored.loc["guesser", "quality_score"] > scored.loc["clicker", "quality_score"]


def test_simulated_careless_annotators_are_caught_and_readers_are_not():
    people = simulate_annotators(per_country=40, seed=3, careless_share=0.2)
    rows = []
    for person in people:
        rng = np.random.default_rng(abs(hash(person["annotator_id"])) % 2**32)
        picks = [choose((person["ideal_trad_secular"], person["ideal_surv_self"]), rng.normal(0, 1, (4, 2)),
                        person["position_bias"], person["sharpness"], rng, careless=person["careless"]) for _ in range(12)]
        seconds = [seconds_to_choose(rng, person["annotator_id"], 100, careless=person["careless"]) for _ in picks]
        gold = [answer_gold(rng, POSITIONS[i % 4], POSITIONS, person["careless"]) == POSITIONS[i % 4] for i in range(3)]
        chosen = np.bincount(picks, minlength=4)
        counts = {f"shown_{k}": int(n) for k, n in enumerate(chosen, start=1)}  # choose() picks among answers as shown
        rows.append({"annotator_id": person["annotator_id"], "annotations": 12, **counts, "gold_answered": 3,
                     "gold_correct": sum(gold), "timed": 12,
                     "too_fast": sum(100 / s > RULES.max_words_per_second for s in seconds), "careless": person["careless"]})
    scored = score_annotators(pd.DataFrame(rows), RULES)
    careless, readers = scored[scored["careless"]], scored[~scored["careless"]]
    assert len(careless) >= 20
    recall = (~careless["passed"]).mean()
    false_alarms = (~readers["passed"]).mean()
    assert recall >= 0.9, recall
    assert false_alarms <= 0.05, false_alarms


def test_quarantine_gives_each_reason_with_file_and_line(duckdb):
    sets = pd.DataFrame({
        "set_id": ["s-sim", "s-fast", "s-lang", "h-1", "h-2"],
        "lang": ["en", "en", "en", "fr", "fr"],
        "messages": [[{"role": "user", "content": t}] for t in ("q1", "q2", "q3", "même question", "même question")],
    })
    candidates = pd.DataFrame({"set_id": [s for s in sets["set_id"] for _ in POSITIONS],
                               "position": list(POSITIONS) * 5, "text": ["ten words " * 5] * 20})
    annotations = pd.DataFrame({
        "annotation_id": ["a-ok", "a-fast", "a-lang", "a-h1", "a-h2", "a-careless"],
        "annotator_id": ["reader", "reader", "reader", "human", "human", "clicker"],
        "set_id": ["s-sim", "s-fast", "s-lang", "h-1", "h-2", "s-sim"],
        "source": ["simulated"] * 3 + ["human"] * 2 + ["simulated"],
        "seconds": [60.0, 2.0, 60.0, None, None, 50.0],
        "file_sha": [None, None, None, "f" * 64, "e" * 64, None],
        "source_line": [None, None, None, 2, 7, None],
    })
    annotators = pd.DataFrame({"annotator_id": ["reader", "human", "clicker"], "assigned_lang": ["en", "fr", "en"]})
    quality = pd.DataFrame({"annotator_id": ["reader", "human", "clicker"], "passed": [True, True, False],
                            "flags": [[], [], ["straight_lining"]]})
    files = pd.DataFrame({"file_sha": ["e" * 64, "f" * 64], "file_name": ["2026-02.csv", "2026-01.csv"]})
    languages = pd.DataFrame({"set_id": ["s-sim", "s-fast", "s-lang", "h-1", "h-2"], "detected_lang": [None, None, "fr", None, None]})
    with duckdb.connect() as con:
        for name, frame in {"candidate_sets": sets, "candidates": candidates, "annotations": annotations, "annotators": annotators,
                            "annotator_quality": quality, "set_languages": languages, "annotation_files": files}.items():
            con.register(name, frame)
        con.execute(load_sql("quality", "quality_quarantine"), {"max_words_per_second": RULES.max_words_per_second, "check_language": True})
        rows = con.sql("select annotation_id, reason, detail, file_sha, source_line from quality_quarantine").df()
    got = rows.set_index("annotation_id")
    assert set(got.index) == {"a-fast", "a-lang", "a-h2", "a-careless"}  # a-ok and the first human submission are kept
    assert got.loc["a-fast", "reason"] == "too_fast" and "words/s" in got.loc["a-fast", "detail"]
    assert got.loc["a-lang", "reason"] == "language_mismatch" and "message fr" in got.loc["a-lang", "detail"]
    assert got.loc["a-careless", "reason"] == "careless_annotator" and "straight_lining" in got.loc["a-careless", "detail"]
    assert got.loc["a-h2", "reason"] == "duplicate_submission"
    assert (got.loc["a-h2", "file_sha"], got.loc["a-h2", "source_line"]) == ("e" * 64, 7)
