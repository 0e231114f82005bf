"""Pandera models of the inbox stage's tables, one per table, named in PascalCase after it; each is a
blocking asset check (core/checks.py). Strict: see core/schema.py."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from ca_assets.core.schema import ID, Model
from ca_assets.defs.inbox.task_results import RESULT_PROBLEMS, TASK_RESULTS_FORMAT
from ca_assets.formats.ca_csv import ROW_PROBLEMS
from ca_assets.vocab import (
    LANGS,
    MAX_TURNS,
    POSITIONS,
    SHOWN_ORDER,
    UNKNOWN_SAMPLER,
    conversation_problem,
)


class AnnotatorFields(Model):
    """The public release's annotator fields, as a human file gives them (free text: null where it does not say)."""

    country: Series[str] = pa.Field(nullable=True, description="Annotator's country, trimmed and lower-cased; null where not given")
    age: Series[str] = pa.Field(nullable=True, description="Annotator's age band as given (e.g. 18-34); null where not given")
    gender: Series[str] = pa.Field(nullable=True, description="Annotator's gender, trimmed and lower-cased; null where not given")
    education_level: Series[str] = pa.Field(nullable=True, description="Annotator's education level as given; null where not given")
    ethnicity: Series[str] = pa.Field(nullable=True, description="Annotator's ethnicity as given; null where not given")
    political: Series[str] = pa.Field(
        nullable=True, description="Annotator's political leaning as given (e.g. Moderate); null where not given"
    )


class CandidateSets(Model):
    set_id: Series[str] = pa.Field(unique=True, **ID, description="First 16 hex of sha256 of `<file_sha>:<source_line>:<turn>`")
    request_id: Series[str] = pa.Field(unique=True, **ID, description="Same as set_id: a human file's set was never requested")
    prompt_id: Series[str] = pa.Field(
        **ID, description="First 16 hex of sha256 of `<assigned_lang>:<first prompt>`: the conversation's first prompt"
    )
    conversation_id: Series[str] = pa.Field(
        **ID, description="First 16 hex of sha256 of `<file_sha>:<conversation_id>`, the file's conversation id"
    )
    lang: Series[str] = pa.Field(isin=LANGS, description="Language the annotator was assigned, one of the configured languages")
    turn: Series[int] = pa.Field(ge=1, le=MAX_TURNS, description="Conversation turn the set answers, 1–4")
    sampler: Series[str] = pa.Field(isin=[UNKNOWN_SAMPLER], description="Always unknown: the files do not say how answers were sampled")
    messages: Series[object] = pa.Field(
        description="Conversation up to this turn: earlier prompts and chosen responses, then this turn's prompt"
    )
    backend: Series[str] = pa.Field(isin=["file"], description="Always file: the set was read from a human file")
    model: Series[str] = pa.Field(nullable=True, description="Always null: the files do not say which model wrote the responses")
    file_sha: Series[str] = pa.Field(str_length={"min_value": 64, "max_value": 64}, description="sha256 of the source file's bytes, hex")
    source_line: Series[int] = pa.Field(ge=2, description="File line where the conversation's CSV record starts")

    class Config:
        unique = ["conversation_id", "turn"]

    @pa.dataframe_check
    def messages_end_with_user(cls, frame) -> Series[bool]:
        return frame.apply(lambda r: conversation_problem(r["messages"], r["turn"]) is None, axis=1)


class AnnotationFiles(Model):
    file_sha: Series[str] = pa.Field(
        unique=True, str_length={"min_value": 64, "max_value": 64}, description="sha256 of the file's bytes, hex"
    )
    file_name: Series[str] = pa.Field(str_length={"min_value": 1}, description="Name of the file in inbox/ when it was ingested")
    format: Series[str] = pa.Field(
        isin=["community_alignment_csv", TASK_RESULTS_FORMAT], description="File format: community_alignment_csv or task_results"
    )
    rows_in: Series[int] = pa.Field(ge=0, description="Rows read: CSV records or JSONL results")
    rows_kept: Series[int] = pa.Field(ge=0, description="Rows that passed the row checks")
    rows_quarantined: Series[int] = pa.Field(ge=0, description="Rows quarantined, one annotation_quarantine line each")
    turns_kept: Series[int] = pa.Field(ge=0, description="Turns (CSV) or results (task results) the kept rows hold")

    @pa.dataframe_check
    def rows_reconcile(cls, frame) -> Series[bool]:
        return frame["rows_in"] == frame["rows_kept"] + frame["rows_quarantined"]


class HumanTurns(AnnotatorFields):
    file_sha: Series[str] = pa.Field(description="sha256 of the source file's bytes, hex")
    source_line: Series[int] = pa.Field(ge=2, description="File line where the conversation's CSV record starts (line 1 is the header)")
    conversation_id: Series[str] = pa.Field(str_length={"min_value": 1}, description="Conversation id as the file gives it, trimmed")
    turn: Series[int] = pa.Field(ge=1, le=4, description="Turn of the conversation, 1–4")
    annotator_id: Series[str] = pa.Field(str_length={"min_value": 1}, description="Annotator id as the file gives it, trimmed")
    assigned_lang: Series[str] = pa.Field(isin=LANGS, description="Language the annotator was assigned, one of the configured languages")
    is_pregenerated_first_prompt: Series[bool] = pa.Field(
        nullable=True, description="Whether the first prompt was pregenerated, not written by the annotator; null where blank"
    )
    prompt: Series[str] = pa.Field(str_length={"min_value": 1}, description="The user's message at this turn, trimmed")
    response_a: Series[str] = pa.Field(str_length={"min_value": 1}, description="Response shown at position a, trimmed")
    response_b: Series[str] = pa.Field(str_length={"min_value": 1}, description="Response shown at position b, trimmed")
    response_c: Series[str] = pa.Field(str_length={"min_value": 1}, description="Response shown at position c, trimmed")
    response_d: Series[str] = pa.Field(str_length={"min_value": 1}, description="Response shown at position d, trimmed")
    preferred: Series[str] = pa.Field(
        isin=[f"response_{p}" for p in POSITIONS], description="Label of the preferred response: response_a … response_d"
    )
    feedback: Series[str] = pa.Field(
        nullable=True, description="Annotator's feedback on the turn, trimmed; null where blank or EMPTY STRING"
    )
    wave: Series[str] = pa.Field(nullable=True, description="The release's wave field as the file gives it; null where blank")
    in_balanced_subset: Series[pd.BooleanDtype] = pa.Field(
        nullable=True, coerce=True, description="The release's in_balanced_subset flag; null where blank or not a boolean"
    )
    in_balanced_subset_10: Series[pd.BooleanDtype] = pa.Field(
        nullable=True, coerce=True, description="The release's in_balanced_subset_10 flag; null where blank or not a boolean"
    )

    class Config:
        unique = ["file_sha", "source_line", "turn"]


class AnnotationQuarantine(Model):
    file_sha: Series[str] = pa.Field(description="sha256 of the source file's bytes, hex")
    file_name: Series[str] = pa.Field(description="Name of the source file in inbox/ when it was ingested")
    source_line: Series[int] = pa.Field(ge=1, description="File line of the row: where its CSV record starts, or its JSONL line")
    conversation_id: Series[str] = pa.Field(nullable=True, description="Conversation id as a CSV row gives it; null for task results")
    reason: Series[str] = pa.Field(
        isin=[*ROW_PROBLEMS, *RESULT_PROBLEMS], description="First of the row's reasons, in the problem order of its format"
    )
    reasons: Series[object] = pa.Field(description="Every reason the row is quarantined for, in that order, each once")
    detail: Series[str] = pa.Field(nullable=True, description="Detail of the first reason, e.g. the value at fault")
    raw_row: Series[str] = pa.Field(nullable=True, description="The row as the file had it: a JSON object of its cells")

    class Config:
        unique = ["file_sha", "source_line"]


class TaskResults(AnnotatorFields):
    file_sha: Series[str] = pa.Field(str_length={"min_value": 64, "max_value": 64}, description="sha256 of the source file's bytes, hex")
    source_line: Series[int] = pa.Field(ge=1, description="File line of the result: its JSONL line, or where its CSV record starts")
    task_id: Series[str] = pa.Field(str_length={"min_value": 1}, description="Exported task the result answers (annotation_tasks), trimmed")
    annotator_id: Series[str] = pa.Field(str_length={"min_value": 1}, description="Annotator who answered, trimmed")
    chosen_position: Series[str] = pa.Field(
        isin=POSITIONS, description="Position a–d of the chosen answer (lower-cased, any response_ prefix removed)"
    )
    explanation: Series[str] = pa.Field(nullable=True, description="Annotator's explanation of the choice; null where not given")
    seconds: Series[float] = pa.Field(nullable=True, ge=0, description="Seconds the annotator took to choose; null where not given")
    next_message: Series[str] = pa.Field(
        nullable=True, description="Annotator's next user message, opening the next turn; null where not given"
    )
    assigned_lang: Series[str] = pa.Field(
        nullable=True, description="Language the annotator was assigned, as given (not checked); null where not given"
    )
    shown_order: Series[str] = pa.Field(
        nullable=True, str_matches=SHOWN_ORDER, description="Order the tool showed the answers in (cadb: c first); null: the export's"
    )

    class Config:
        unique = ["file_sha", "source_line"]
