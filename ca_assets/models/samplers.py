"""Samplers: how one prompt becomes a candidate set of four answers.

- `nc` (negatively-correlated): ONE call asks for four responses that hold different values, forced into
  shape by a JSON schema (the Community Alignment paper's method).
- `iid`: four independent samples at temperature 1, the paper's baseline: one request with n=4 where the
  backend supports it (vLLM), else four requests.
- `multi_model`: one answer from each of several models (`generator.multi_model`, cycled over a–d), with
  iid's instruction.

Malformed output (not JSON, wrong count, empty, duplicate) and unusable content (a refusal, an answer not in
the prompt's language) are retried with a new seed up to `max_attempts`, then the set is quarantined with
the raw text and the reason, so requested sets = kept sets + quarantined sets.
"""

import json
import re
from dataclasses import dataclass, field
from functools import cache

import dagster as dg
from pydantic import Field

from ca_assets.core.ids import stable_seed
from ca_assets.core.paths import PROMPTS_DIR
from ca_assets.models.generation import ChatRequest, GenerationError, Generator, ResponseCache
from ca_assets.models.language import identifiable_lang
from ca_assets.models.templates import Template, template_or_english
from ca_assets.vocab import POSITIONS, SAMPLERS

TEMPLATE_VERSION = 1
MIN_ANSWER_CHARS = 20


class MalformedOutput(ValueError):
    """A model output that cannot become candidates; `reason` is a short code stored in quarantine."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


class SamplingSettings(dg.ConfigurableResource):
    """How answers are sampled, shared by every turn's generation (resource `sampling`)."""

    max_words: int = Field(default=60, description="Length asked of each answer, in words.")
    max_tokens: int = Field(default=160, description="Token budget per answer (an NC call gets 4x plus 64).")
    temperature: float = Field(default=1.0, description="Sampling temperature; the paper's iid baseline uses 1.0.")
    max_attempts: int = Field(default=3, description="Tries per answer before the set is quarantined.")
    seed: int = Field(default=0, description="Base seed; per-request seeds derive from it and the prompt.")
    check_language: bool = Field(
        default=True,
        description="Retry, then quarantine, answers whose detected language (langid, answers of 40+ characters) "
        "is not the prompt's. Turn off for code-switched prompts (e.g. Hinglish in Latin script).",
    )


@dataclass
class SetOutcome:
    """What sampling one (prompt, sampler) produced: four answers, or a quarantine reason and raw text."""

    answers: list[str] | None
    template: Template
    reason: str | None = None
    raw: str | None = None
    requests: int = 0
    cache_hits: int = 0
    retries: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    seconds: float = 0.0
    fresh_seconds: float = 0.0  # time spent on requests the cache did not answer: the model's real speed
    fresh_tokens_out: int = 0
    seeds: list[int] = field(default_factory=list)
    models: list[str] = field(default_factory=list)  # the model that wrote each answer, a to d


def nc_schema(max_chars: int) -> dict:
    """JSON schema for an NC answer: exactly four non-empty strings."""
    # minLength keeps the toy default model from filling the slots with "..." or single characters.
    answer = {"type": "string", "minLength": MIN_ANSWER_CHARS, "maxLength": max_chars}
    return {
        "type": "object",
        "properties": {"responses": {"type": "array", "items": answer, "minItems": 4, "maxItems": 4}},
        "required": ["responses"],
        "additionalProperties": False,  # OpenAI's strict structured outputs reject a schema without it
    }


def template_name(sampler: str) -> str:
    """The instructions a sampler sends (multi_model asks each model as iid does)."""
    return "iid" if sampler == "multi_model" else sampler


def request_budget(sampler: str, settings: SamplingSettings) -> int:
    """max_tokens sent per request: an NC call carries four answers plus the JSON around them."""
    return settings.max_tokens * len(POSITIONS) + 64 if sampler == "nc" else settings.max_tokens


def clean_answer(text: str) -> str:
    answer = text.strip()
    if not answer:
        raise MalformedOutput("empty_response")
    return answer


@cache
def _refusal() -> re.Pattern:
    table = json.loads((PROMPTS_DIR / "screens" / "refusals.v1.json").read_text(encoding="utf-8"))
    patterns = [p for lang, ps in table.items() if not lang.startswith("_") for p in ps]
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def screen_answer(answer: str, lang: str, check_language: bool = True) -> None:
    """MalformedOutput if an answer is a refusal or (long enough to tell and) not in the prompt's language."""
    if _refusal().match(answer.lstrip(" .\"'*#-")):
        raise MalformedOutput("refusal", answer[:80])
    if check_language:
        detected = identifiable_lang(answer, lang)
        if detected not in (None, lang):
            raise MalformedOutput("wrong_language", f"{detected}, expected {lang}")


# `# Response A:` … `# Response D:` headers: the layout of the paper's NC prompt and of the public release's
# `*_turn_responses` field, for models or servers without structured output.
_HEADER = re.compile(r"^\s*#+\s*response\s+([a-d])\s*:?[ \t]*", re.IGNORECASE | re.MULTILINE)


def parse_headers(text: str) -> list[str]:
    """The answers under `# Response A:` … `# Response D:` headers, in order; MalformedOutput otherwise."""
    marks = list(_HEADER.finditer(text))
    if not marks:
        raise MalformedOutput("not_json", "neither JSON nor '# Response A:' headers")
    letters = [m.group(1).lower() for m in marks]
    if letters != list(POSITIONS[: len(letters)]):
        raise MalformedOutput("headers_out_of_order", "".join(letters))
    ends = [m.start() for m in marks[1:]] + [len(text)]
    return [text[m.end() : end] for m, end in zip(marks, ends, strict=True)]


def parse_nc(text: str) -> list[str]:
    """Four distinct non-empty answers from an NC call: its JSON ({"responses": [...]}) or, failing that,
    `# Response A:` headers. MalformedOutput names what is wrong."""
    try:
        payload = json.loads(text)
    except json.JSONDecodeError:
        answers = parse_headers(text)
    else:
        answers = payload.get("responses") if isinstance(payload, dict) else None
    if not isinstance(answers, list) or not all(isinstance(a, str) for a in answers):
        raise MalformedOutput("no_responses_list")
    if len(answers) != len(POSITIONS):
        raise MalformedOutput("wrong_count", f"{len(answers)} responses")
    cleaned = [clean_answer(a) for a in answers]
    if len({a.casefold() for a in cleaned}) != len(cleaned):
        raise MalformedOutput("duplicate_responses")
    return cleaned


Conversation = tuple[tuple[str, str], ...]  # (role, content) pairs, oldest first, ending with the user's turn


def as_conversation(prompt: str | Conversation) -> Conversation:
    """A first turn is a prompt alone; later turns carry the history before the user's new message."""
    return (("user", prompt),) if isinstance(prompt, str) else tuple(prompt)


def sample_set(
    generator: Generator,
    cache: ResponseCache,
    sampler: str,
    key: str,
    lang: str,
    prompt: str | Conversation,
    settings: SamplingSettings,
) -> SetOutcome:
    """Four answers to `prompt` (a first message, or a conversation ending with the user's turn). `key` (the
    prompt id at turn 1, the conversation and turn later) seeds the requests."""
    if sampler not in SAMPLERS:
        raise ValueError(f"unknown sampler {sampler!r}; choose from {SAMPLERS}")
    template = template_or_english(template_name(sampler), TEMPLATE_VERSION, lang)
    messages = (("system", template.render(max_words=settings.max_words)), *as_conversation(prompt))
    outcome = SetOutcome(answers=None, template=template)
    tag = f"{template.name}.v{template.version}.{lang}+{template.sha}"

    def ask(seed: int, schema: dict | None = None, n: int = 1, via: Generator = generator) -> list[str]:
        request = ChatRequest(messages, settings.temperature, request_budget(sampler, settings), seed, tag, schema, n)
        outcome.seeds.append(seed)
        outcome.requests += 1
        try:
            completion = via.complete(request, cache)
        except GenerationError as error:
            raise MalformedOutput(GenerationError.reason, str(error)) from error
        outcome.cache_hits += completion.cached
        outcome.tokens_in += completion.tokens_in
        outcome.tokens_out += completion.tokens_out
        outcome.seconds += completion.seconds
        if not completion.cached:
            outcome.fresh_seconds += completion.seconds
            outcome.fresh_tokens_out += completion.tokens_out
        return completion.texts

    def fail(error: MalformedOutput, raw: str | None) -> None:
        outcome.reason, outcome.raw = error.reason, raw if raw is not None else str(error)

    if sampler == "nc":
        schema = nc_schema(max_chars=settings.max_words * 12)
        for attempt in range(settings.max_attempts):
            outcome.retries += attempt > 0
            raw = None
            try:
                raw = ask(stable_seed(key, sampler, settings.seed, attempt), schema)[0]
                answers = parse_nc(raw)
                for answer in answers:
                    screen_answer(answer, lang, settings.check_language)
                outcome.answers, outcome.models = answers, [generator.model_name] * len(POSITIONS)
            except MalformedOutput as error:
                fail(error, raw)
                continue
            outcome.reason = outcome.raw = None
            return outcome
        return outcome

    answers: list[str] = []

    def keep(text: str) -> None:
        answer = clean_answer(text)
        screen_answer(answer, lang, settings.check_language)
        if answer.casefold() in {a.casefold() for a in answers}:
            # A repeated answer gives annotators no choice and TRL a pair with chosen == rejected.
            raise MalformedOutput("duplicate_responses")
        answers.append(answer)

    if sampler == "iid" and generator.supports_n:
        # One request for all four samples (the prompt is encoded once); a retry asks only for what is missing.
        for attempt in range(settings.max_attempts):
            outcome.retries += attempt > 0
            try:
                texts = ask(stable_seed(key, sampler, settings.seed, "n", attempt), n=len(POSITIONS) - len(answers))
            except MalformedOutput as error:
                fail(error, None)
                continue
            for text in texts:
                try:
                    keep(text)
                except MalformedOutput as error:
                    fail(error, text)
            if len(answers) == len(POSITIONS):
                break
        outcome.models = [generator.model_name] * len(answers)
    else:
        if sampler == "multi_model" and len(generator.multi_model) < 2:
            raise ValueError("the multi_model sampler needs at least two models in generator.multi_model")
        for index, position in enumerate(POSITIONS):
            via = generator.for_model(generator.multi_model[index % len(generator.multi_model)]) if sampler == "multi_model" else generator
            for attempt in range(settings.max_attempts):
                outcome.retries += attempt > 0
                raw = None
                try:
                    raw = ask(stable_seed(key, sampler, settings.seed, position, attempt), via=via)[0]
                    keep(raw)
                except MalformedOutput as error:
                    fail(error, raw)
                    continue
                outcome.models.append(via.model_name)
                break
            else:
                return outcome  # one position never produced an answer: quarantine the set
    if len(answers) == len(POSITIONS):
        outcome.answers, outcome.reason, outcome.raw = answers, None, None
    return outcome
