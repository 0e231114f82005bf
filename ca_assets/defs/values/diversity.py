"""Text statistics of a candidate set that embeddings do not give: lexical variety (distinct-n over the four
answers, Li et al. 2016) and how many answers are in the prompt's language."""

import string

import pandas as pd

from ca_assets.models.language import identifiable_lang

# Split on whitespace and trim punctuation: works for Devanagari too, where a regex \\w would cut words at
# vowel signs.
PUNCTUATION = string.punctuation + "।॥“”‘’«»…—–"


def words(text: str) -> list[str]:
    return [token for token in (raw.strip(PUNCTUATION) for raw in text.casefold().split()) if token]


def distinct_n(texts: list[str], n: int) -> float:
    """Distinct n-grams over all n-grams of the texts together: 1.0 when no n-gram repeats across answers."""
    grams = [tuple(tokens[i : i + n]) for tokens in map(words, texts) for i in range(len(tokens) - n + 1)]
    return len(set(grams)) / len(grams) if grams else 0.0


def set_text_stats(candidates: pd.DataFrame) -> pd.DataFrame:
    """Per set_id (frame columns set_id, text, lang): candidates, distinct_1, distinct_2, answers_in_language
    (answers too short to identify count as in language, as in generation screening)."""
    rows = []
    for set_id, group in candidates.groupby("set_id", sort=True):
        texts, lang = group["text"].tolist(), group["lang"].iloc[0]
        rows.append(
            {
                "set_id": set_id,
                "candidates": len(texts),
                "distinct_1": distinct_n(texts, 1),
                "distinct_2": distinct_n(texts, 2),
                "answers_in_language": sum(identifiable_lang(text, lang) in (None, lang) for text in texts),
            }
        )
    return pd.DataFrame(rows, columns=["set_id", "candidates", "distinct_1", "distinct_2", "answers_in_language"])
