import json

import pytest

from ca_assets.lib.generation import Completion
from ca_assets.lib.samplers import MalformedOutput, SamplingSettings, nc_schema, parse_nc, sample_set
from ca_assets.lib.templates import load_template


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


class ScriptedGenerator:
    """Stands in for the model in these unit tests of the retry logic only: replies from a script."""

    def __init__(self, replies):
        self.replies = list(replies)
        self.requests = []

    def complete(self, request, cache):
        self.requests.append(request)
        return Completion(text=self.replies.pop(0), tokens_in=10, tokens_out=5, seconds=0.01)


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
    from ca_assets.lib.generation import Generator

    monkeypatch.setenv("CA_TEST_API_KEY", "sk-test-0123456789")
    generator = Generator(backend="openai", model="m", api_key_env="CA_TEST_API_KEY")
    assert generator._redact("401: invalid key sk-test-0123456789") == "401: invalid key ***"
    assert "sk-test" not in repr(generator)
