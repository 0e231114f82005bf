import json

import pytest

from ca_assets.models.samplers import MalformedOutput, SamplingSettings, nc_schema, parse_nc, sample_set, screen_answer
from ca_assets.models.templates import load_template
from ca_assets_tests.support.scripted_generator import ScriptedGenerator


def _nc(answers) -> str:
    return json.dumps({"responses": answers})


def test_parse_nc_keeps_four_distinct_answers_in_order():
    answers = ["Stay with your parents.", "Take the job.", "Ask for a remote role.", "Talk to your siblings."]
    assert parse_nc(_nc([f"  {a}\n" for a in answers])) == answers


def test_parse_nc_reads_response_headers_when_there_is_no_json():
    text = "# Response A: Stay home.\n\n# Response B:\nTake the job,\nand call often.\n#Response C: Pray.\n# response d Save first."
    assert parse_nc(text) == ["Stay home.", "Take the job,\nand call often.", "Pray.", "Save first."]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Sure! Here are four answers", "not_json"),
        ("# Response A: one\n# Response C: two\n# Response B: three\n# Response D: four", "headers_out_of_order"),
        ("# Response A: one\n# Response B: two\n# Response C: three", "wrong_count"),
        ("# Response A: one\n# Response B:\n# Response C: three\n# Response D: four", "empty_response"),
        ('{"responses": ["a", "b"', "not_json"),
        ('["a", "b", "c", "d"]', "no_responses_list"),
        (_nc(["one", "two", "three"]), "wrong_count"),
        (_nc(["one", "two", "three", "four", "five"]), "wrong_count"),
        (_nc(["one", "two", "   ", "four"]), "empty_response"),
        (_nc(["Same answer", "same answer", "three", "four"]), "duplicate_responses"),
        (_nc(["one", 2, "three", "four"]), "no_responses_list"),
    ],
)
def test_parse_nc_names_what_is_wrong(text, reason):
    with pytest.raises(MalformedOutput) as error:
        parse_nc(text)
    assert error.value.reason == reason


def test_nc_schema_asks_for_exactly_four_strings():
    items = nc_schema(max_chars=300)["properties"]["responses"]
    assert (items["minItems"], items["maxItems"]) == (4, 4)
    assert items["items"]["maxLength"] == 300


@pytest.mark.parametrize("lang", ["en", "fr", "it", "pt", "hi"])
@pytest.mark.parametrize("name", ["nc", "iid"])
def test_templates_render_per_language(name, lang):
    template = load_template(name, 1, lang)
    text = template.render(max_words=25)
    assert "25" in text and "{max_words}" not in text
    assert len(template.sha) == 12
    with pytest.raises(KeyError):
        template.render(missing=1)


SETTINGS = SamplingSettings(max_words=20, max_tokens=32, max_attempts=3)
GOOD = _nc(["Stay close to family.", "Take the job abroad.", "Pray and decide.", "Save money first."])


def test_nc_retries_malformed_output_with_a_new_seed_then_keeps_the_set():
    generator = ScriptedGenerator(["not json", GOOD])
    outcome = sample_set(generator, None, "nc", "p1", "en", "Should I move?", SETTINGS)
    assert outcome.answers and outcome.reason is None
    assert (outcome.requests, outcome.retries) == (2, 1)
    assert len({r.seed for r in generator.requests}) == 2
    assert generator.requests[0].json_schema is not None


def test_nc_quarantines_after_max_attempts_with_the_raw_text():
    generator = ScriptedGenerator(["nope", "still nope", _nc(["a", "a", "b", "c"])])
    outcome = sample_set(generator, None, "nc", "p1", "en", "Should I move?", SETTINGS)
    assert outcome.answers is None
    assert (outcome.reason, outcome.requests) == ("duplicate_responses", 3)
    assert outcome.raw == _nc(["a", "a", "b", "c"])


def test_iid_asks_four_times_and_retries_empty_or_repeated_answers():
    generator = ScriptedGenerator(["Yes.", "  ", "yes.", "No.", "Maybe.", "Ask your mother."])
    outcome = sample_set(generator, None, "iid", "p1", "fr", "Dois-je partir ?", SETTINGS)
    assert outcome.answers == ["Yes.", "No.", "Maybe.", "Ask your mother."]
    assert (outcome.requests, outcome.retries) == (6, 2)
    assert all(r.json_schema is None and r.temperature == 1.0 for r in generator.requests)
    assert generator.requests[0].template.startswith("iid.v1.fr+")


def test_iid_quarantines_the_set_when_one_position_never_answers():
    generator = ScriptedGenerator(["Yes.", "", " ", "\n"])
    outcome = sample_set(generator, None, "iid", "p1", "en", "Should I?", SETTINGS)
    assert outcome.answers is None and outcome.reason == "empty_response"


def test_api_key_is_masked_in_error_text(monkeypatch):
    from ca_assets.models.generation import Generator

    monkeypatch.setenv("CA_TEST_API_KEY", "sk-test-0123456789")
    generator = Generator(backend="openai", model="m", api_key_env="CA_TEST_API_KEY")
    assert generator._redact("401: invalid key sk-test-0123456789") == "401: invalid key ***"
    assert "sk-test" not in repr(generator)


def test_iid_with_n_asks_once_for_four_then_only_for_what_is_missing():
    replies = ["Stay where you are for now.", "", "stay where you are for now.", "Go, and call home weekly.",
               "Ask your family what they need first.", "Move, but keep the house."]
    generator = ScriptedGenerator(replies, supports_n=True)
    outcome = sample_set(generator, None, "iid", "p1", "en", "Should I move?", SETTINGS)
    assert [r.n for r in generator.requests] == [4, 2]
    assert outcome.answers == ["Stay where you are for now.", "Go, and call home weekly.",
                               "Ask your family what they need first.", "Move, but keep the house."]
    assert (outcome.requests, outcome.retries, outcome.tokens_out) == (2, 1, 30)


def test_iid_with_n_quarantines_when_attempts_run_out():
    generator = ScriptedGenerator(["Fine answer number one.", "", "", ""] + [""] * 3 + [""] * 3, supports_n=True)
    outcome = sample_set(generator, None, "iid", "p1", "en", "Should I?", SETTINGS)
    assert outcome.answers is None and outcome.reason == "empty_response"
    assert [r.n for r in generator.requests] == [4, 3, 3]


@pytest.mark.parametrize(
    "answer, lang",
    [
        ("I'm sorry, but I can't help with that request.", "en"),
        ("As an AI language model, I do not have opinions.", "en"),
        ("Désolé, mais je ne peux pas répondre à cette question.", "fr"),
        ("Mi dispiace, ma non posso aiutarti con questo.", "it"),
        ("Desculpe, mas não posso ajudar com isso.", "pt"),
        ("मैं इसमें मदद नहीं कर सकता।", "hi"),
        ("I cannot help with that.", "fr"),  # a refusal in English to a French prompt is still a refusal
    ],
)
def test_refusals_are_screened_out(answer, lang):
    with pytest.raises(MalformedOutput) as raised:
        screen_answer(answer, lang)
    assert raised.value.reason == "refusal"


def test_answers_in_another_language_are_screened_out_but_short_ones_are_not_judged():
    english = "You should talk to your parents before you decide anything about the move."
    with pytest.raises(MalformedOutput) as raised:
        screen_answer(english, "fr")
    assert raised.value.reason == "wrong_language"
    screen_answer(english, "en")
    screen_answer("Parlez-en à vos parents avant de décider quoi que ce soit au sujet du déménagement.", "fr")
    screen_answer("You're right, I am.", "it")  # too short for language identification to be trusted
    screen_answer(english, "fr", check_language=False)


def test_nc_retries_a_set_with_an_answer_in_the_wrong_language():
    english = _nc(["Talk to your parents about it first.", "Move abroad, it is your life to live.",
                   "Follow what your faith community says.", "Save money first, then decide what to do."])
    french = _nc(["Parlez d'abord à vos parents de ce projet.", "Partez à l'étranger, c'est votre vie.",
                  "Suivez ce que dit votre communauté religieuse.", "Économisez d'abord, puis décidez quoi faire."])
    generator = ScriptedGenerator([english, french])
    outcome = sample_set(generator, None, "nc", "p1", "fr", "Dois-je partir ?", SETTINGS)
    assert outcome.answers and (outcome.requests, outcome.retries) == (2, 1)


def test_multi_model_takes_one_answer_from_each_model_in_turn():
    replies = ["Stay close to your family.", "Go where the work is.", "", "Pray about it first.", "Save money before you go."]
    generator = ScriptedGenerator(replies, multi_model=["m1.gguf", "m2.gguf"])
    outcome = sample_set(generator, None, "multi_model", "p1", "en", "Should I move?", SETTINGS)
    assert outcome.answers == ["Stay close to your family.", "Go where the work is.", "Pray about it first.",
                               "Save money before you go."]
    assert outcome.models == ["m1.gguf", "m2.gguf", "m1.gguf", "m2.gguf"]
    assert generator.asked == ["m1.gguf", "m2.gguf", "m1.gguf", "m1.gguf", "m2.gguf"]  # c retried on m1
    assert generator.requests[0].template.startswith("iid.v1.en+")  # iid's instruction, one answer per call


def test_multi_model_needs_two_models():
    with pytest.raises(ValueError, match="at least two models"):
        sample_set(ScriptedGenerator([], multi_model=["only.gguf"]), None, "multi_model", "p1", "en", "Q?", SETTINGS)


def test_nc_and_iid_record_the_one_model_for_every_answer():
    generator = ScriptedGenerator([GOOD])
    assert sample_set(generator, None, "nc", "p1", "en", "Should I move?", SETTINGS).models == ["scripted"] * 4
