"""Pandera models of the release stage's tables, one per table, named in PascalCase after it; each is a
blocking asset check (core/checks.py). Strict: see core/schema.py."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from ca_assets.core.schema import ID, Model
from ca_assets.defs.comparisons import schemas as comparisons
from ca_assets.defs.release.pii import PII_KINDS
from ca_assets.defs.release.trl import trl_row_problems
from ca_assets.vocab import (
    LANGS,
    MAX_TURNS,
    POSITIONS,
    SAMPLERS,
    UNKNOWN_SAMPLER,
)


class PiiFindings(Model):
    conversation_id: Series[str] = pa.Field(**ID, description="Conversation the personal detail was found in")
    set_id: Series[str] = pa.Field(**ID, description="Candidate set whose texts hold it")
    field: Series[str] = pa.Field(
        isin=["prompt", "response", "explanation"], description="Text it is in: prompt (a user turn), response or explanation"
    )
    kind: Series[str] = pa.Field(
        isin=PII_KINDS, description="Kind of detail: email, phone, personal_url (a URL or file path naming a person), card, iban, "
        "ip_address, a national id (us_ssn, aadhaar, pan, cpf, nir, codice_fiscale) or street_address"
    )
    matched: Series[str] = pa.Field(str_length={"min_value": 1}, description="The text the scan matched")


class Exclusions(Model):
    conversation_id: Series[str] = pa.Field(unique=True, **ID, description="Conversation the release leaves out")
    reasons: Series[object] = pa.Field(description="Every reason, sorted: pii and/or annotator_prompt")
    detail: Series[str] = pa.Field(
        description="Details joined by '; ': '<kind> in <field>' per PII finding, or that the annotator wrote the opening prompt"
    )

    @pa.check("reasons")
    def known_reasons(cls, reasons: Series) -> Series[bool]:
        return reasons.map(lambda r: len(r) > 0 and set(r) <= {"pii", "annotator_prompt"})


class Comparisons(comparisons.Comparisons):
    margin: Series[float] = pa.Field(
        ge=-1, le=1, description="Chosen answer's vote share minus the rejected one's, among everyone who saw the item"
    )
    human_text_license: Series[str] = pa.Field(
        str_length={"min_value": 1}, description="Licence of the human-written text: prompts, later user turns, explanations"
    )
    model_text_license: Series[str] = pa.Field(
        str_length={"min_value": 1},
        description="Licence of the answers: the model_text_license setting, or file_text_license for answers from human files",
    )


class CandidateSets(Model):
    set_id: Series[str] = pa.Field(unique=True, **ID, description="Released candidate set")
    item_id: Series[str] = pa.Field(**ID, description="Item the set shows (comparisons.item_id)")
    prompt_id: Series[str] = pa.Field(**ID, description="Id of the conversation's opening prompt")
    lang: Series[str] = pa.Field(isin=LANGS, description="Language of the set (ISO 639 code)")
    turn: Series[int] = pa.Field(ge=1, le=MAX_TURNS, description="Turn of the conversation the set answers (1–4)")
    sampler: Series[str] = pa.Field(
        isin=[*SAMPLERS, UNKNOWN_SAMPLER],
        description="How the set's answers were sampled: nc, iid, multi_model, or unknown for human files",
    )
    conversation_id: Series[str] = pa.Field(
        nullable=True, description="Conversation the set answers; null for a first-turn set shared by its annotators"
    )
    backend: Series[str] = pa.Field(description="Generation backend that wrote the answers; file for human files' sets")
    model: Series[str] = pa.Field(nullable=True, description="Model(s) that wrote the set, joined by '+'; null for human files' sets")
    messages: Series[object] = pa.Field(description="Conversation so far as {role, content} messages, ending with the user's turn")
    answers: Series[object] = pa.Field(description="The four answers as {position, model, text}, in position order a–d")
    human_text_license: Series[str] = pa.Field(description="Licence of the human-written text: prompts, later user turns, explanations")
    model_text_license: Series[str] = pa.Field(
        description="Licence of the answers: the model_text_license setting, or file_text_license for answers from human files"
    )

    @pa.check("answers")
    def four_answers(cls, answers: Series) -> Series[bool]:
        return answers.map(lambda a: [x["position"] for x in a] == list(POSITIONS))


class TrlPreferences(Model):
    """The TRL export read back with pandas: message lists arrive as arrays of dicts."""

    prompt: Series[object] = pa.Field(
        description="Conversation up to the annotated turn as {role, content} messages, ending with the user's"
    )
    chosen: Series[object] = pa.Field(description="The chosen answer, as one assistant message")
    rejected: Series[object] = pa.Field(description="The rejected answer, as one assistant message")
    margin: Series[float] = pa.Field(ge=-1, le=1, description="Chosen answer's vote share minus the rejected one's, for RewardTrainer")
    comparison_id: Series[str] = pa.Field(unique=True, description="Released comparison (comparisons.comparison_id)")
    # Beside TRL's own columns, what a trainer filters or splits by.
    prompt_id: Series[str] = pa.Field(**ID, description="Id of the conversation's opening prompt")
    lang: Series[str] = pa.Field(isin=LANGS, description="Language of the set (ISO 639 code)")
    turn: Series[int] = pa.Field(ge=1, le=MAX_TURNS, description="Turn of the conversation the choice was made at (1–4)")
    sampler: Series[str] = pa.Field(
        isin=[*SAMPLERS, UNKNOWN_SAMPLER],
        description="How the set's answers were sampled: nc, iid, multi_model, or unknown for human files",
    )
    annotator_id: Series[str] = pa.Field(description="Pseudonymous id of the annotator who chose")
    country: Series[str] = pa.Field(nullable=True, description="Annotator's country, lower case; null when a human file does not say")
    human_text_license: Series[str] = pa.Field(
        str_length={"min_value": 1}, description="Licence of the human-written text: prompts, later user turns, explanations"
    )
    model_text_license: Series[str] = pa.Field(
        str_length={"min_value": 1},
        description="Licence of the answers: the model_text_license setting, or file_text_license for answers from human files",
    )

    @pa.dataframe_check
    def trl_conversational_shape(cls, frame) -> Series[bool]:
        return pd.Series(
            [not trl_row_problems(p, c, r) for p, c, r in zip(frame["prompt"], frame["chosen"], frame["rejected"], strict=True)],
            index=frame.index,
        )
