"""Pandera models of the annotation stage's tables, one per table, named in PascalCase after it; each is a
blocking asset check (core/checks.py). Strict: see core/schema.py."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from ca_assets.core.schema import ID, Model
from ca_assets.formats.demographics import AGES, EDUCATION_LEVELS, GENDERS, POLITICAL
from ca_assets.vocab import (
    COUNTRIES,
    LANGS,
    MAX_TURNS,
    POSITIONS,
    SAMPLERS,
    SHOWN_ORDER,
)


class Annotators(Model):
    annotator_id: Series[str] = pa.Field(unique=True, description="Pseudonymous annotator id (sim-… for simulated annotators)")
    country: Series[str] = pa.Field(  # null: a file did not say
        nullable=True, isin=[c.name for c in COUNTRIES], description="Annotator's country, lower case; null when no file gives it"
    )
    assigned_lang: Series[str] = pa.Field(
        nullable=True, isin=LANGS, description="Language the annotator annotates in; null when no file gives it"
    )
    source: Series[str] = pa.Field(isin=["simulated", "human"], description="simulated, or human (from an ingested file)")
    # The release's demographic fields; null where a human file does not give them.
    age: Series[str] = pa.Field(nullable=True, isin=AGES, description="Age band: 18-34, 35-45, 46-54 or 55+; null when no file gives it")
    gender: Series[str] = pa.Field(nullable=True, isin=GENDERS, description="Gender as the release records it; null when no file gives it")
    education_level: Series[str] = pa.Field(
        nullable=True, isin=EDUCATION_LEVELS, description="Education level in the release's categories; null when no file gives it"
    )
    ethnicity: Series[str] = pa.Field(  # country-specific categories in the release: not a closed list
        nullable=True, description="Ethnicity as the release records it (country-specific); null when no file gives it"
    )
    political: Series[str] = pa.Field(
        nullable=True,
        isin=POLITICAL,
        description="Political leaning (very left to very right) or a release opt-out; null when no file gives it",
    )
    ideal_trad_secular: Series[float] = pa.Field(
        nullable=True,
        description="Simulated annotator's ideal point on the traditional (<0) – secular-rational (>0) axis; null for people",
    )
    ideal_surv_self: Series[float] = pa.Field(
        nullable=True,
        description="Simulated annotator's ideal point on the survival (<0) – self-expression (>0) axis; null for people",
    )
    position_bias: Series[float] = pa.Field(
        nullable=True, description="Simulated annotator's extra utility for the answer at position a; null for people"
    )
    sharpness: Series[float] = pa.Field(
        nullable=True, gt=0, description="Simulated annotator's weight on squared value distance in the choice; null for people"
    )
    careless: Series[pd.BooleanDtype] = pa.Field(  # simulated only: the truth quality control estimates
        nullable=True, coerce=True, description="Simulated annotator clicks without reading; null for people"
    )


class Assignments(Model):
    conversation_id: Series[str] = pa.Field(unique=True, **ID, description="Conversation the assignment starts")
    annotator_id: Series[str] = pa.Field(description="Simulated annotator shown the set")
    set_id: Series[str] = pa.Field(**ID, description="First-turn candidate set shown")
    prompt_id: Series[str] = pa.Field(**ID, description="Prompt the set answers")
    lang: Series[str] = pa.Field(isin=LANGS, description="Language of the set, and of the annotator's cohort")
    country: Series[str] = pa.Field(isin=[c.name for c in COUNTRIES], description="Annotator's country, lower case")
    sampler: Series[str] = pa.Field(isin=SAMPLERS, description="Sampler that generated the set")

    class Config:
        unique = ["annotator_id", "set_id"]


class UserTurns(Model):
    conversation_id: Series[str] = pa.Field(unique=True, **ID, description="Conversation that goes on to this turn")
    turn: Series[int] = pa.Field(ge=2, le=MAX_TURNS, description="Turn the user's next message opens (2–4)")
    annotator_id: Series[str] = pa.Field(description="Annotator of the conversation")
    prompt_id: Series[str] = pa.Field(**ID, description="Prompt the conversation started from")
    lang: Series[str] = pa.Field(isin=LANGS, description="Language of the conversation")
    sampler: Series[str] = pa.Field(isin=SAMPLERS, description="Sampler that generated the previous turn's set")
    history: Series[object] = pa.Field(
        description="Conversation so far as role/content messages, ending with the chosen answer"
    )
    text: Series[str] = pa.Field(  # null: the simulator failed
        nullable=True, str_length={"min_value": 1}, description="The user's next message; null when the simulator wrote no usable one"
    )
    source: Series[str] = pa.Field(
        isin=["simulator", "human"], description="Who wrote the message: simulator, or human (a task result)"
    )
    reason: Series[str] = pa.Field(nullable=True, description="Why the simulator wrote no usable message; null when text is set")
    raw_text: Series[str] = pa.Field(
        nullable=True, description="Simulator's last raw output (or error) when it wrote no usable message"
    )
    requests: Series[int] = pa.Field(ge=0, description="Generation requests made for the message (0 for a person's)")

    @pa.dataframe_check
    def written_or_explained(cls, frame) -> Series[bool]:
        return frame["text"].notna() != frame["reason"].notna()


class Annotations(Model):
    annotation_id: Series[str] = pa.Field(unique=True, **ID, description="Stable id of the annotation")
    conversation_id: Series[str] = pa.Field(**ID, description="Conversation the annotation belongs to")
    turn: Series[int] = pa.Field(ge=1, le=MAX_TURNS, description="Turn of the conversation (1–4)")
    annotator_id: Series[str] = pa.Field(description="Annotator who chose")
    set_id: Series[str] = pa.Field(**ID, description="Candidate set shown at this turn")
    chosen_position: Series[str] = pa.Field(isin=POSITIONS, description="Position a–d of the chosen answer in its set")
    shown_order: Series[str] = pa.Field(
        str_matches=SHOWN_ORDER,
        description="Order the annotator saw the answers in (cadb: c first), seeded per (annotator, set); abcd for a CA file",
    )
    shown_position: Series[int] = pa.Field(
        ge=1, le=4, description="Where the chosen answer was shown, 1–4: what position bias is judged on"
    )
    source: Series[str] = pa.Field(isin=["simulated", "human"], description="simulated, or human (from an ingested file)")
    explanation: Series[str] = pa.Field(nullable=True, description="Annotator's written reason for the choice; null when none")
    seconds: Series[float] = pa.Field(  # time to choose; null when a file does not say
        nullable=True, ge=0, description="Seconds the annotator took to choose; null when the file does not say"
    )
    chooser: Series[str] = pa.Field(
        isin=["human", "utility", "llm_persona", "utility_after_llm_failed"],
        description="Who chose: human, utility, llm_persona, or utility_after_llm_failed",
    )
    chooser_raw: Series[str] = pa.Field(
        nullable=True, description="Persona model's last output when it failed (utility_after_llm_failed); otherwise null"
    )
    file_sha: Series[str] = pa.Field(  # a person's annotation: the file and line it came from
        nullable=True, description="SHA-256 of the content of the human file it came from; null for simulated ones"
    )
    source_line: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=1, coerce=True, description="Line of that file the annotation came from; null for simulated ones"
    )

    class Config:
        unique = ["conversation_id", "turn"]

    @pa.dataframe_check
    def shown_position_is_the_chosen_answers(cls, frame) -> Series[bool]:
        return pd.Series(
            [order[p - 1] == c
             for order, p, c in zip(frame["shown_order"], frame["shown_position"], frame["chosen_position"], strict=True)],
            index=frame.index, dtype=bool,
        )  # fmt: skip

    @pa.dataframe_check
    def chooser_matches_source(cls, frame) -> Series[bool]:
        return (frame["source"] == "human") == (frame["chooser"] == "human")

    @pa.dataframe_check
    def people_traceable_to_file_and_line(cls, frame) -> Series[bool]:
        return (frame["source"] != "human") | (frame["file_sha"].notna() & frame["source_line"].notna())


class AnnotationTasks(Model):
    task_id: Series[str] = pa.Field(unique=True, description="Task id: the set's set_id, or the attention check's item_id")
    kind: Series[str] = pa.Field(isin=["set", "gold"], description="set (a candidate set) or gold (an attention-check item)")
    set_id: Series[str] = pa.Field(  # null for an attention check
        nullable=True, description="Candidate set to choose from; null for an attention check"
    )
    item_id: Series[str] = pa.Field(  # an attention check's item
        nullable=True, description="Attention-check item; null for a set task"
    )
    conversation_id: Series[str] = pa.Field(  # a later turn's conversation
        nullable=True, description="Conversation a later-turn set continues; null at turn 1 and for attention checks"
    )
    annotator_id: Series[str] = pa.Field(  # set when only that annotator may answer
        nullable=True, description="Only annotator who may answer; null when any annotator of the language may"
    )
    prompt_id: Series[str] = pa.Field(  # what a live app needs to ask for the next turn's set as the pipeline will
        nullable=True, description="Prompt the conversation opened with; null for an attention check"
    )
    sampler: Series[str] = pa.Field(
        nullable=True, description="Sampler of the conversation's sets (its first turn's); null for an attention check"
    )
    lang: Series[str] = pa.Field(isin=LANGS, description="Language of the task")
    turn: Series[int] = pa.Field(ge=1, le=MAX_TURNS, description="Turn the task's answers respond to (1 for attention checks)")
    history: Series[object] = pa.Field(
        description="Conversation before this turn's user message, as role/content messages (empty at turn 1)"
    )
    prompt: Series[str] = pa.Field(str_length={"min_value": 1}, description="This turn's user message")
    response_a: Series[str] = pa.Field(str_length={"min_value": 1}, description="Response at position a")
    response_b: Series[str] = pa.Field(str_length={"min_value": 1}, description="Response at position b")
    response_c: Series[str] = pa.Field(str_length={"min_value": 1}, description="Response at position c")
    response_d: Series[str] = pa.Field(str_length={"min_value": 1}, description="Response at position d")
    candidate_id_a: Series[str] = pa.Field(  # null for an attention check
        nullable=True, description="Candidate id of the response at position a; null for an attention check"
    )
    candidate_id_b: Series[str] = pa.Field(
        nullable=True, description="Candidate id of the response at position b; null for an attention check"
    )
    candidate_id_c: Series[str] = pa.Field(
        nullable=True, description="Candidate id of the response at position c; null for an attention check"
    )
    candidate_id_d: Series[str] = pa.Field(
        nullable=True, description="Candidate id of the response at position d; null for an attention check"
    )

    shown_order: Series[str] = pa.Field(
        str_matches=SHOWN_ORDER,
        description="Order to show the responses in (cadb: response_c first), seeded per task; "
        "a result that does not say its own is taken to have shown this",
    )

    @pa.dataframe_check
    def sets_carry_candidate_ids(cls, frame) -> Series[bool]:
        return (frame["kind"] != "set") | frame[[f"candidate_id_{p}" for p in POSITIONS]].notna().all(axis=1)
