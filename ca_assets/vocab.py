"""The project's shared nouns, in one place: languages, countries, answer positions, samplers, turns and the
Inglehart–Welzel (IW) value poles. Every stage reads them from here, so the human-file reader does not import the
simulator to learn the countries, and one word means one thing.

The languages are configuration: $CA_LANGUAGES (comma-separated ISO 639 codes, read when the definitions load,
like $CA_DATA_DIR) replaces the default five. They partition the prompts and the first turn's generation, so they
are fixed for a deployment rather than per run. Material the project ships (prompt templates, the value judge's
calibration set, attention checks, simulated annotators' countries) exists for the default five; a stage that
lacks it for a configured language says so in its log and metadata instead of failing deep in a run.
"""

import os
import re
from dataclasses import dataclass

LANGUAGES_ENV = "CA_LANGUAGES"
DEFAULT_LANGS = ("en", "fr", "it", "pt", "hi")  # the Community Alignment release's five
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")


def configured_languages(value: str | None) -> tuple[str, ...]:
    """The languages named by a $CA_LANGUAGES value (None or blank: the default five), in the order given."""
    if value is None or not value.strip():
        return DEFAULT_LANGS
    codes = [code.strip() for code in value.split(",") if code.strip()]
    bad = [code for code in codes if not _LANGUAGE_CODE.fullmatch(code)]
    if bad:
        raise ValueError(f"${LANGUAGES_ENV} holds {bad!r}: give lower-case ISO 639 codes separated by commas, e.g. en,fr,de")
    return tuple(dict.fromkeys(codes))


LANGS = configured_languages(os.environ.get(LANGUAGES_ENV))


@dataclass(frozen=True)
class Country:
    name: str
    lang: str
    trad_secular: float
    surv_self: float


# The release's five countries and their languages. Positions on the IW map are approximate readings of the WVS
# Inglehart–Welzel Cultural Map (World Values Survey wave 7, 2017–2022), rounded to 0.1; they seed the simulated
# annotators (see defs' annotation stage, defs/annotation/simulation.py).
COUNTRIES = (
    Country("united states", "en", -0.2, 1.4),
    Country("france", "fr", 0.7, 1.0),
    Country("italy", "it", 0.2, 0.6),
    Country("brazil", "pt", -1.0, 0.3),
    Country("india", "hi", -0.6, -0.5),
)

POSITIONS = ("a", "b", "c", "d")  # where a candidate sits in its set of four
# The order a set's answers were shown in: a permutation of the positions, shown_order[i] the answer shown (i+1)-th.
SHOWN_ORDER = r"^(?=.*a)(?=.*b)(?=.*c)(?=.*d)[abcd]{4}$"
SAMPLERS = ("nc", "iid", "multi_model")
UNKNOWN_SAMPLER = "unknown"  # sets read from human files, which do not say how their responses were sampled

MAX_TURNS = 4  # the Community Alignment release's maximum
TURNS = tuple(range(1, MAX_TURNS + 1))
HUMAN = "human"  # the schema of conversations read from human annotation files, all turns together


def turn_schema(turn: int) -> str:
    """Each turn's tables live in their own schema, so the turns show as separate boxes in the lineage graph."""
    if turn not in TURNS:
        raise ValueError(f"turn must be 1..{MAX_TURNS}, got {turn}")
    return f"turn_{turn}"


SOURCE_SCHEMAS = (*(turn_schema(t) for t in TURNS), HUMAN)  # what main's views union

# Two IW axes: `trad_secular` (traditional < 0 < secular-rational) and `surv_self` (survival < 0 < self-expression).
POLES = ("traditional", "secular_rational", "survival", "self_expression")
AXES = {"trad_secular": ("traditional", "secular_rational"), "surv_self": ("survival", "self_expression")}
VALUE_LABELS = (*POLES, "none")  # what a value judge says a text expresses
UNJUDGED = "unjudged"  # a text the judge gave no verdict on (unusable output, or no calibration for its language)


def conversation_problem(messages, turn: int) -> str | None:
    """What is wrong with the messages a turn's answers respond to, or None: turn n holds 2n - 1 messages
    alternating user and assistant, starting and ending with the user, none empty."""
    messages = list(messages) if messages is not None else []
    if len(messages) != 2 * turn - 1:
        return f"{len(messages)} messages at turn {turn}"
    for index, message in enumerate(messages):
        if message["role"] != ("user" if index % 2 == 0 else "assistant"):
            return f"message {index + 1} has role {message['role']}"
        if not (message["content"] or "").strip():
            return f"message {index + 1} is empty"
    return None
