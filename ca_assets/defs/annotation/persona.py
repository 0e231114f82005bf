"""The LLM persona annotator: a model, told who the annotator is (country, age band, gender, education,
political leaning), reads the conversation and the four answers and picks one, with a one-sentence reason.
The annotations asset uses it when `chooser: llm_persona`; the generation interface and cache are the same
as everywhere. Unusable output (not JSON, no a–d choice) is retried with a new seed up to `max_attempts`;
then the choice falls back to the annotator's utility model and the annotation says so, with the raw text."""

import json
from collections.abc import Mapping
from dataclasses import dataclass

from ca_assets.core.ids import stable_seed
from ca_assets.models.generation import ChatRequest, GenerationError, Generator, ResponseCache
from ca_assets.models.templates import load_template
from ca_assets.vocab import POSITIONS

TEMPLATE = "persona_choice"
TEMPLATE_VERSION = 1
LANGUAGE_NAMES = {"en": "English", "fr": "French", "it": "Italian", "pt": "Portuguese", "hi": "Hindi"}
CHOICE_SCHEMA = {
    "type": "object",
    "properties": {
        "choice": {"type": "string", "enum": list(POSITIONS)},
        "explanation": {"type": "string", "minLength": 1, "maxLength": 300},
    },
    "required": ["choice", "explanation"],
    "additionalProperties": False,
}


@dataclass
class PersonaChoice:
    position: str | None
    explanation: str | None = None
    raw: str | None = None  # the last output, when no attempt was usable


def describe(person: Mapping) -> str:
    """The persona line: the release's demographic fields the annotator has, in plain words."""
    country = person.get("country")
    parts = [f"someone from {country.title()}" if country else "someone"]
    for label, field in (("age", "age"), ("gender", "gender"), ("education", "education_level"), ("politics", "political")):
        if person.get(field):
            parts.append(f"{label}: {person[field]}")
    return ", ".join(parts)


def parse_choice(text: str) -> tuple[str, str]:
    payload = json.loads(text)
    if not isinstance(payload, dict) or payload.get("choice") not in POSITIONS:
        raise ValueError("choice must be one of a, b, c, d")
    explanation = payload.get("explanation")
    return payload["choice"], explanation.strip() if isinstance(explanation, str) and explanation.strip() else None


def persona_choice(
    generator: Generator,
    cache: ResponseCache,
    annotator_id: str,
    person: Mapping,
    lang: str,
    messages: list[dict],
    answers: list[str],
    max_attempts: int = 3,
    max_tokens: int = 96,
) -> PersonaChoice:
    template = load_template(TEMPLATE, TEMPLATE_VERSION, "en")  # one instruction; the content is the annotator's language
    system = template.render(persona=describe(person), language=LANGUAGE_NAMES[lang])
    shown = "\n\n".join(f"{m['role'].upper()}: {m['content']}" for m in messages)
    options = "\n\n".join(f"({p}) {answer}" for p, answer in zip(POSITIONS, answers, strict=True))
    chat = (("system", system), ("user", f"{shown}\n\nCANDIDATE ANSWERS:\n\n{options}"))
    tag = f"{template.name}.v{template.version}.en+{template.sha}"
    raw = None
    for attempt in range(max_attempts):
        seed = stable_seed(TEMPLATE, annotator_id, shown, options, attempt)
        try:
            raw = generator.complete(ChatRequest(chat, 0.7, max_tokens, seed, tag, CHOICE_SCHEMA), cache).text
            position, explanation = parse_choice(raw)
        except GenerationError as error:
            raw = str(error)
            continue
        except ValueError:  # json.JSONDecodeError included
            continue
        return PersonaChoice(position, explanation)
    return PersonaChoice(None, raw=raw)
