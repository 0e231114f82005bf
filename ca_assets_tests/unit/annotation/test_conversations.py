"""The multi-turn protocol's pieces: the user simulator's retry and screening, which conversations go on,
the shape of a turn's messages, balanced assignments, and simulated explanations and timings."""

import numpy as np
import pandas as pd
import pytest

from ca_assets.core.sql import load_sql
from ca_assets.defs.annotation.assets import UserTurnsConfig, _continuing
from ca_assets.defs.annotation.simulation import explanation, seconds_to_choose
from ca_assets.defs.annotation.user_simulator import clean_message, next_user_message
from ca_assets.models.samplers import MalformedOutput, SamplingSettings
from ca_assets.vocab import conversation_problem, turn_schema
from ca_assets_tests.support.scripted_generator import ScriptedGenerator

SETTINGS = SamplingSettings(max_words=20, max_tokens=32, max_attempts=3)
HISTORY = (("user", "Should I move back home to care for my parents?"), ("assistant", "Family comes first: move back."))


def test_user_simulator_swaps_roles_retries_bad_output_and_keeps_the_message():
    generator = ScriptedGenerator(["", "Family comes first: move back.", "User: But what about my career there?"])
    outcome = next_user_message(generator, None, "conv:2", "en", HISTORY, SETTINGS)
    assert outcome.text == "But what about my career there?"
    assert outcome.requests == 3 and outcome.reason is None
    messages = generator.requests[0].messages
    # The model plays the person: the person's turns are its own (assistant), the answers arrive as user turns.
    assert [role for role, _ in messages] == ["system", "assistant", "user"]
    assert len({r.seed for r in generator.requests}) == 3, "each retry uses a new seed"


def test_user_simulator_gives_up_with_the_reason_and_raw_text():
    generator = ScriptedGenerator(["ok", "ok", "Je ne sais pas quoi dire de plus sur ce sujet, vraiment pas du tout."])
    outcome = next_user_message(generator, None, "conv:2", "en", HISTORY, SETTINGS)
    assert outcome.text is None and outcome.reason == "wrong_language"
    assert outcome.raw.startswith("Je ne sais pas")


@pytest.mark.parametrize(
    "raw, expected",
    [("\"Why is that?\"", "Why is that?"), ("Moi : Et pour mes enfants ?", "Et pour mes enfants ?"),
     ("Note: this is hard: why?", "Note: this is hard: why?")],
)
def test_clean_message_strips_quotes_and_speaker_labels_only(raw, expected):
    assert clean_message(raw, max_chars=200) == expected


def test_clean_message_rejects_empty_and_overlong():
    with pytest.raises(MalformedOutput, match="empty_message"):
        clean_message("  ", 200)
    with pytest.raises(MalformedOutput, match="message_too_long"):
        clean_message("word " * 100, 200)


def test_continuing_keeps_a_rounded_up_share_per_language_deterministically():
    conversations = pd.DataFrame({"conversation_id": [f"c{i}" for i in range(13)], "lang": ["en"] * 10 + ["hi"] * 3})
    picked = _continuing(conversations, 2, UserTurnsConfig(continue_share=0.25))
    assert picked["lang"].value_counts().to_dict() == {"en": 3, "hi": 1}  # ceil(2.5), ceil(0.75)
    assert picked.equals(_continuing(conversations, 2, UserTurnsConfig(continue_share=0.25)))
    assert not picked.equals(_continuing(conversations, 3, UserTurnsConfig(continue_share=0.25))), "each turn draws anew"
    assert _continuing(conversations, 2, UserTurnsConfig(continue_share=0)).empty


def test_conversation_problem_checks_alternation_and_length():
    user, assistant = {"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}
    assert conversation_problem([user], 1) is None
    assert conversation_problem([user, assistant, user], 2) is None
    assert conversation_problem([user, user, user], 2) == "message 2 has role user"
    assert conversation_problem([user], 2) == "1 messages at turn 2"
    assert conversation_problem([{"role": "user", "content": " "}], 1) == "message 1 is empty"
    with pytest.raises(ValueError):
        turn_schema(5)


def test_assignments_balanced_flags_an_overloaded_annotator(duckdb):
    annotators = pd.DataFrame({"annotator_id": ["a1", "a2", "a3"], "assigned_lang": "en", "source": "simulated"})
    balanced = pd.DataFrame({"conversation_id": ["c1", "c2", "c3", "c4"], "annotator_id": ["a1", "a2", "a3", "a1"]})
    skewed = pd.DataFrame({"conversation_id": ["c1", "c2", "c3"], "annotator_id": ["a1", "a1", "a2"]})
    with duckdb.connect() as con:
        con.register("annotators", annotators)
        con.register("assignments", balanced)
        assert con.sql(load_sql("annotation", "checks", "assignments_balanced")).fetchall() == []
        con.unregister("assignments")
        con.register("assignments", skewed)
        assert con.sql(load_sql("annotation", "checks", "assignments_balanced")).fetchall() == [("en", 0, 2)]


def test_explanations_follow_the_chosen_pole_in_the_annotators_language():
    rng = np.random.default_rng(0)
    for lang in ("en", "fr", "it", "pt", "hi"):
        for pole in ("traditional", "secular_rational", "survival", "self_expression", "none", "unjudged", None):
            assert explanation(rng, lang, pole).strip()
    assert explanation(rng, "en", "traditional") != explanation(np.random.default_rng(0), "en", "self_expression")


def test_seconds_grow_with_reading_and_vary_by_annotator():
    short = [seconds_to_choose(np.random.default_rng(i), "ann-1", 40) for i in range(50)]
    long = [seconds_to_choose(np.random.default_rng(i), "ann-1", 400) for i in range(50)]
    other = [seconds_to_choose(np.random.default_rng(i), "ann-2", 400) for i in range(50)]
    assert np.median(long) > 3 * np.median(short)
    assert np.median(other) != np.median(long)
