"""The language partitions and offline language identification (langid, restricted to the configured languages)."""

from functools import cache

import dagster as dg

from ca_assets.core.partitions import range_arg, range_tags
from ca_assets.vocab import LANGS

# Prompts and first-turn candidates are partitioned by language: one language can be regenerated (or
# backfilled from the UI) without touching the others' rows.
LANG_PARTITIONS = dg.StaticPartitionsDefinition(list(LANGS))
# Language identification on a few words is a guess (langid calls "You're right, I am" Italian): shorter
# texts are not judged.
MIN_CHARS_FOR_LANGUAGE = 40


@cache
def _identifier():
    import langid  # loads its model on import: only when a text is checked

    identifier = langid.langid.LanguageIdentifier.from_modelstring(langid.langid.model, norm_probs=True)
    # Only the languages the project collects in, of those langid knows (97 of them, en fr it pt hi among them).
    identifier.set_languages(list(detectable_languages()) or ["en"])
    return identifier


@cache
def detectable_languages() -> tuple[str, ...]:
    """The configured languages langid can tell apart; a text in any other configured language is never judged."""
    import langid

    known = set(langid.langid.LanguageIdentifier.from_modelstring(langid.langid.model).nb_classes)
    return tuple(lang for lang in LANGS if lang in known)


def detect_lang(text: str) -> str:
    return _identifier().classify(text)[0]


def identifiable_lang(text: str, expected: str | None = None) -> str | None:
    """The detected language of a text long enough to tell, else None; None as well when the text should be in
    `expected` and langid cannot recognise that language (it would name another one). The one rule that
    generation screening, set diversity and quality control share."""
    if len(text) < MIN_CHARS_FOR_LANGUAGE or (expected is not None and expected not in detectable_languages()):
        return None
    return detect_lang(text)


# Every language in one run: `dg launch --partition-range` (make demo), and the run tags that do the same for an
# in-process run (dg.materialize).
ALL_LANGS_RANGE = range_arg(LANGS)
ALL_LANGS_TAGS = range_tags(LANGS)
