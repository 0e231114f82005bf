"""The project's five languages and offline language identification (langid, restricted to them)."""

from functools import cache

import dagster as dg

from ca_assets.lib.partitions import range_arg, range_tags

LANGS = ("en", "fr", "it", "pt", "hi")
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
    identifier.set_languages(list(LANGS))  # only the five languages the project collects in
    return identifier


def detect_lang(text: str) -> str:
    return _identifier().classify(text)[0]


def identifiable_lang(text: str) -> str | None:
    """The detected language of a text long enough to tell, else None. The one rule that generation
    screening and set diversity share."""
    return detect_lang(text) if len(text) >= MIN_CHARS_FOR_LANGUAGE else None


# Every language in one run: `dg launch --partition-range` (make demo), and the run tags that do the same for an
# in-process run (dg.materialize).
ALL_LANGS_RANGE = range_arg(LANGS)
ALL_LANGS_TAGS = range_tags(LANGS)
