"""Pandera models of the prompts stage's tables, one per table, named in PascalCase after it; each is a
blocking asset check (core/checks.py). Strict: see core/schema.py."""

import pandera.pandas as pa
from pandera.typing import Series

from ca_assets.core.schema import ID, Model
from ca_assets.defs.prompts.prompt_bank import PROBLEMS as PROMPT_PROBLEMS
from ca_assets.vocab import LANGS, SAMPLERS


class Prompts(Model):
    prompt_id: Series[str] = pa.Field(
        unique=True, **ID,
        description="16-hex hash of the language and the normalised, case-folded text (and the writer, for a written opening)",
    )
    lang: Series[str] = pa.Field(isin=LANGS, description="Language the row declares, one of the configured languages")
    topic: Series[str] = pa.Field(description="Topic as the row gives it (e.g. family, work); empty when not given")
    text: Series[str] = pa.Field(str_length={"min_value": 1}, description="Prompt text, NFC-normalised, whitespace runs collapsed")
    source: Series[str] = pa.Field(
        description="Where the prompt comes from: the row's `source`, else its file; `annotator` for a written opening"
    )
    annotator_id: Series[str] = pa.Field(
        nullable=True,
        description="Who wrote it, for an opening written in the live annotation app (only they answer its set); else null",
    )
    sampler: Series[str] = pa.Field(
        nullable=True, isin=SAMPLERS,
        description="The sampler a written opening's set is sampled with (the app's); null for the others, sampled with "
        "every configured sampler",
    )
    detected_lang: Series[str] = pa.Field(description="Language code langid detects in the text")
    file: Series[str] = pa.Field(
        str_length={"min_value": 1},
        description="File first read from: bank/<lang>.jsonl, or the user's file relative to the data directory",
    )
    line: Series[int] = pa.Field(ge=1, description="Line of that file (Parquet: row number) the prompt was first read from, from 1")


class PromptQuarantine(Model):
    file: Series[str] = pa.Field(
        str_length={"min_value": 1},
        description="File the row was read from: bank/<lang>.jsonl, or the user's file relative to the data directory",
    )
    line: Series[int] = pa.Field(ge=1, description="Line of the file (Parquet: row number) the row is on, from 1")
    lang: Series[str] = pa.Field(
        nullable=True, description="Language as the row gave it, trimmed, not necessarily configured; null when empty"
    )
    reason: Series[str] = pa.Field(
        isin=PROMPT_PROBLEMS,
        description="Why it is not a prompt: empty_text, unknown_language, text_too_long, no_annotator or unknown_sampler "
        "(a written opening), duplicate",
    )
    detail: Series[str] = pa.Field(
        nullable=True, description="What is wrong, e.g. the length or the first copy's file:line; null for empty_text"
    )
    raw_row: Series[str] = pa.Field(
        description="The row as read: JSON object of its non-null text, lang, topic and source (an opening's: text, lang, "
        "annotator_id, sampler)"
    )

    class Config:
        unique = ["file", "line"]
