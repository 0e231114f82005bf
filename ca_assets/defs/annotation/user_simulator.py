"""The user simulator: writes the person's next message in a conversation, so simulated conversations can go
on past the first turn.

The model plays the person with the roles swapped (its own earlier messages are the person's, the
assistant's answers arrive as the other side), the usual way to make an instruction-tuned model speak as the
user. Output that is empty, too long, a refusal or in another language is retried with a new seed up to
`max_attempts`; then the conversation ends there, with the reason and the raw text kept in user_turns.
"""

from dataclasses import dataclass

from ca_assets.core.ids import stable_seed
from ca_assets.models.generation import ChatRequest, GenerationError, Generator, ResponseCache
from ca_assets.models.samplers import Conversation, MalformedOutput, SamplingSettings, screen_answer
from ca_assets.models.templates import has_template, load_template, template_file

TEMPLATE = "user_turn"
TEMPLATE_VERSION = 1
MIN_MESSAGE_CHARS = 8
SWAPPED = {"user": "assistant", "assistant": "user"}
# Speaker labels the model sometimes prefixes ("User: …", "Moi : …"); other words before a colon are content.
SPEAKER_LABELS = {
    "user", "person", "human", "me", "utilisateur", "personne", "moi", "utente", "persona", "io", "usuário",
    "usuario", "pessoa", "eu", "उपयोगकर्ता", "व्यक्ति", "मैं",
}


@dataclass
class UserTurnOutcome:
    text: str | None
    reason: str | None = None
    raw: str | None = None
    requests: int = 0


def clean_message(text: str, max_chars: int) -> str:
    """The message without quotes or a speaker label; MalformedOutput if it cannot be one."""
    message = text.strip().strip("\"'«»“”").strip()
    head, sep, rest = message.partition(":")
    if sep and head.strip().casefold() in SPEAKER_LABELS and rest.strip():
        message = rest.strip()
    if len(message) < MIN_MESSAGE_CHARS:
        raise MalformedOutput("empty_message", message)
    if len(message) > max_chars:
        raise MalformedOutput("message_too_long", f"{len(message)} characters")
    return message


def next_user_message(
    generator: Generator,
    cache: ResponseCache,
    key: str,
    lang: str,
    conversation: Conversation,
    settings: SamplingSettings,
) -> UserTurnOutcome:
    """The person's next message after `conversation` (which ends with the assistant's chosen answer)."""
    if not has_template(TEMPLATE, TEMPLATE_VERSION, lang):  # its wording names the language: no English stand-in
        missing = template_file(TEMPLATE, TEMPLATE_VERSION, lang)
        return UserTurnOutcome(text=None, reason="no_template", raw=f"no prompts/{missing}: the user simulator has no wording for {lang}")
    template = load_template(TEMPLATE, TEMPLATE_VERSION, lang)
    messages = (
        ("system", template.render(max_words=settings.max_words)),
        *((SWAPPED[role], content) for role, content in conversation),
    )
    tag = f"{template.name}.v{template.version}.{lang}+{template.sha}"
    outcome = UserTurnOutcome(text=None)
    for attempt in range(settings.max_attempts):
        seed = stable_seed(key, TEMPLATE, settings.seed, attempt)
        request = ChatRequest(messages, settings.temperature, settings.max_tokens, seed, tag)
        outcome.requests += 1
        raw = None
        try:
            try:
                raw = generator.complete(request, cache).text
            except GenerationError as error:
                raise MalformedOutput(GenerationError.reason, str(error)) from error
            message = clean_message(raw, max_chars=settings.max_words * 12)
            if message.casefold() == conversation[-1][1].strip().casefold():
                raise MalformedOutput("echoes_answer")  # the toy model likes to repeat the answer it was shown
            screen_answer(message, lang, settings.check_language)
        except MalformedOutput as error:
            outcome.reason, outcome.raw = error.reason, raw if raw is not None else str(error)
            continue
        outcome.text, outcome.reason, outcome.raw = message, None, None
        return outcome
    return outcome
