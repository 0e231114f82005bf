"""The project's five languages and offline language identification (langid, restricted to them)."""

from functools import cache

LANGS = ("en", "fr", "it", "pt", "hi")


@cache
def _identifier():
    import langid  # loads its model on import: only when a text is checked

    identifier = langid.langid.LanguageIdentifier.from_modelstring(langid.langid.model, norm_probs=True)
    identifier.set_languages(list(LANGS))  # only the five languages the project collects in
    return identifier


def detect_lang(text: str) -> str:
    return _identifier().classify(text)[0]
