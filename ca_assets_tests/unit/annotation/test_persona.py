"""The LLM persona annotator: the persona line, retries on unusable output, and the real bundled model
picking one of four answers under the JSON schema."""

import pytest

from ca_assets.defs.annotation.persona import describe, persona_choice
from ca_assets.models.generation import Generator, ResponseCache
from ca_assets_tests.support.scripted_generator import ScriptedGenerator

PERSON = {"country": "brazil", "age": "35-44", "gender": "female", "education_level": None, "political": "Centre"}
MESSAGES = [{"role": "user", "content": "Should I move back home to care for my parents?"}]
ANSWERS = [
    "Yes: family comes first, and your parents raised you.",
    "Compare the costs, your career and their needs before deciding.",
    "Keep your job; a steady income protects everyone.",
    "Do what makes you happy; your life is yours to shape.",
]


def test_persona_line_names_only_the_fields_given():
    assert describe(PERSON) == "someone from Brazil, age: 35-44, gender: female, politics: Centre"
    assert describe({}) == "someone"


def test_unusable_output_is_retried_then_left_to_the_fallback_with_the_raw_text():
    generator = ScriptedGenerator(["not json", '{"choice": "e", "explanation": "x"}', '{"choice": "c", "explanation": " Safer. "}'])
    verdict = persona_choice(generator, None, "ann-1", PERSON, "en", MESSAGES, ANSWERS)
    assert (verdict.position, verdict.explanation) == ("c", "Safer.")
    assert len({r.seed for r in generator.requests}) == 3
    assert "someone from Brazil" in generator.requests[0].messages[0][1]
    failing = ScriptedGenerator(["nope"] * 3)
    verdict = persona_choice(failing, None, "ann-1", PERSON, "en", MESSAGES, ANSWERS)
    assert verdict.position is None and verdict.raw == "nope"


@pytest.mark.slow
def test_the_bundled_model_picks_an_answer_under_the_schema(tmp_path):
    generator = Generator()
    verdicts = [persona_choice(generator, ResponseCache(tmp_path), f"ann-{i}", PERSON, "en", MESSAGES, ANSWERS) for i in range(4)]
    assert all(v.position in "abcd" and v.explanation for v in verdicts if v.position), verdicts
    assert sum(v.position is not None for v in verdicts) >= 3, verdicts
