"""Pandera models, one per table, named in PascalCase after the table. Each becomes a blocking asset check.

Every model is strict: a column the model does not declare fails the check, so nothing ships unnoticed (a release
file built with `select *` included)."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from ca_assets.lib.ca_csv import ROW_PROBLEMS
from ca_assets.lib.demographics import AGES, EDUCATION_LEVELS, GENDERS, POLITICAL
from ca_assets.lib.pii import PII_KINDS
from ca_assets.lib.prompt_bank import PROBLEMS as PROMPT_PROBLEMS
from ca_assets.lib.task_results import RESULT_PROBLEMS, TASK_RESULTS_FORMAT
from ca_assets.lib.trl import trl_row_problems
from ca_assets.lib.turns import conversation_problem
from ca_assets.vocab import AXES, COUNTRIES, LANGS, MAX_TURNS, POLES, POSITIONS, SAMPLERS, UNKNOWN_SAMPLER, VALUE_LABELS

ID = {"str_length": {"min_value": 8, "max_value": 64}}


class Model(pa.DataFrameModel):
    class Config:
        strict = True


class AnnotatorFields(Model):
    """The public release's annotator fields, as a human file gives them (free text: null where it does not say)."""

    country: Series[str] = pa.Field(nullable=True)
    age: Series[str] = pa.Field(nullable=True)
    gender: Series[str] = pa.Field(nullable=True)
    education_level: Series[str] = pa.Field(nullable=True)
    ethnicity: Series[str] = pa.Field(nullable=True)
    political: Series[str] = pa.Field(nullable=True)


class Prompts(Model):
    prompt_id: Series[str] = pa.Field(unique=True, **ID)
    lang: Series[str] = pa.Field(isin=LANGS)
    topic: Series[str]
    text: Series[str] = pa.Field(str_length={"min_value": 1})
    source: Series[str]
    detected_lang: Series[str]
    file: Series[str] = pa.Field(str_length={"min_value": 1})  # bank/<lang>.jsonl or the user's file
    line: Series[int] = pa.Field(ge=1)


class PromptQuarantine(Model):
    file: Series[str] = pa.Field(str_length={"min_value": 1})
    line: Series[int] = pa.Field(ge=1)
    lang: Series[str] = pa.Field(nullable=True)  # as the row gave it: not necessarily a configured language
    reason: Series[str] = pa.Field(isin=PROMPT_PROBLEMS)
    detail: Series[str] = pa.Field(nullable=True)
    raw_row: Series[str]

    class Config:
        unique = ["file", "line"]


class CandidateSets(Model):
    set_id: Series[str] = pa.Field(unique=True, **ID)
    request_id: Series[str] = pa.Field(unique=True, **ID)
    prompt_id: Series[str] = pa.Field(**ID)
    conversation_id: Series[str] = pa.Field(nullable=True, **ID)  # null at turn 1: the set is shared
    lang: Series[str] = pa.Field(isin=LANGS)
    turn: Series[int] = pa.Field(ge=1, le=MAX_TURNS)
    sampler: Series[str] = pa.Field(isin=SAMPLERS)
    messages: Series[object]
    backend: Series[str]
    model: Series[str]
    template_name: Series[str]
    template_version: Series[int] = pa.Field(ge=1)
    template_sha: Series[str] = pa.Field(str_length={"min_value": 12, "max_value": 12})
    temperature: Series[float] = pa.Field(ge=0)
    max_tokens: Series[int] = pa.Field(ge=1)
    seeds: Series[object]
    requests: Series[int] = pa.Field(ge=1)
    tokens_in: Series[int] = pa.Field(ge=0)
    tokens_out: Series[int] = pa.Field(ge=0)
    generation_seconds: Series[float] = pa.Field(ge=0)

    @pa.dataframe_check
    def messages_end_with_user(cls, frame) -> Series[bool]:
        """What the answers respond to: alternating user/assistant turns, one user message per turn."""
        return frame.apply(lambda r: conversation_problem(r["messages"], r["turn"]) is None, axis=1)


class HumanCandidateSets(Model):
    set_id: Series[str] = pa.Field(unique=True, **ID)
    request_id: Series[str] = pa.Field(unique=True, **ID)
    prompt_id: Series[str] = pa.Field(**ID)
    conversation_id: Series[str] = pa.Field(**ID)
    lang: Series[str] = pa.Field(isin=LANGS)
    turn: Series[int] = pa.Field(ge=1, le=MAX_TURNS)
    sampler: Series[str] = pa.Field(isin=[UNKNOWN_SAMPLER])
    messages: Series[object]
    backend: Series[str] = pa.Field(isin=["file"])
    model: Series[str] = pa.Field(nullable=True)  # null: the files do not say which model wrote the responses
    file_sha: Series[str] = pa.Field(str_length={"min_value": 64, "max_value": 64})
    source_line: Series[int] = pa.Field(ge=2)

    class Config:
        unique = ["conversation_id", "turn"]

    @pa.dataframe_check
    def messages_end_with_user(cls, frame) -> Series[bool]:
        return frame.apply(lambda r: conversation_problem(r["messages"], r["turn"]) is None, axis=1)


class Candidates(Model):
    candidate_id: Series[str] = pa.Field(unique=True, **ID)
    set_id: Series[str] = pa.Field(**ID)
    position: Series[str] = pa.Field(isin=POSITIONS)
    model: Series[str] = pa.Field(str_length={"min_value": 1})  # differs within a set only for multi_model
    text: Series[str] = pa.Field(str_length={"min_value": 1})

    class Config:
        unique = ["set_id", "position"]


class GenerationRequests(Model):
    request_id: Series[str] = pa.Field(unique=True, **ID)
    prompt_id: Series[str] = pa.Field(**ID)
    conversation_id: Series[str] = pa.Field(nullable=True, **ID)
    turn: Series[int] = pa.Field(ge=1, le=MAX_TURNS)
    sampler: Series[str] = pa.Field(isin=SAMPLERS)


class GenerationQuarantine(Model):
    request_id: Series[str] = pa.Field(unique=True, **ID)
    prompt_id: Series[str] = pa.Field(**ID)
    conversation_id: Series[str] = pa.Field(nullable=True, **ID)
    turn: Series[int] = pa.Field(ge=1, le=MAX_TURNS)
    sampler: Series[str] = pa.Field(isin=SAMPLERS)
    reason: Series[str] = pa.Field(str_length={"min_value": 1})
    raw_text: Series[str] = pa.Field(nullable=True)
    requests: Series[int] = pa.Field(ge=1)


class CandidateEmbeddings(Model):
    candidate_id: Series[str] = pa.Field(unique=True, **ID)
    model: Series[str]
    dim: Series[int] = pa.Field(gt=0)
    embedding: Series[object]

    @pa.dataframe_check
    def embedding_has_dim(cls, frame) -> Series[bool]:
        return frame["embedding"].map(len) == frame["dim"]


class CalibrationSet(Model):
    item_id: Series[str]
    lang: Series[str] = pa.Field(isin=LANGS)
    topic: Series[str]
    pole: Series[str] = pa.Field(isin=VALUE_LABELS)
    text: Series[str] = pa.Field(str_length={"min_value": 1})

    class Config:
        unique = ["lang", "item_id"]


class JudgeCalibration(Model):
    judge: Series[str]
    lang: Series[str] = pa.Field(isin=[*LANGS, "all"])
    measure: Series[str] = pa.Field(isin=[*AXES, "label"])
    items: Series[int] = pa.Field(gt=0)
    correct: Series[int] = pa.Field(ge=0)
    accuracy: Series[float] = pa.Field(ge=0, le=1)
    chance: Series[float] = pa.Field(gt=0, lt=1)

    class Config:
        unique = ["judge", "lang", "measure"]


class CandidateValues(Model):
    candidate_id: Series[str] = pa.Field(unique=True, **ID)
    judge: Series[str]
    trad_secular: Series[float] = pa.Field(nullable=True)  # null only when unjudged
    surv_self: Series[float] = pa.Field(nullable=True)
    pole: Series[str] = pa.Field(isin=[*VALUE_LABELS, "unjudged"])
    judge_raw: Series[str] = pa.Field(nullable=True)

    @pa.dataframe_check
    def scored_unless_unjudged(cls, frame) -> Series[bool]:
        return (frame["pole"] == "unjudged") | (frame["trad_secular"].notna() & frame["surv_self"].notna())


class SetDiversity(Model):
    set_id: Series[str] = pa.Field(unique=True, **ID)
    sampler: Series[str] = pa.Field(isin=[*SAMPLERS, UNKNOWN_SAMPLER])
    lang: Series[str] = pa.Field(isin=LANGS)
    mean_pairwise_distance: Series[float] = pa.Field(ge=0, le=2)
    min_pairwise_distance: Series[float] = pa.Field(ge=0, le=2)
    distinct_1: Series[float] = pa.Field(ge=0, le=1)
    distinct_2: Series[float] = pa.Field(ge=0, le=1)
    poles_covered: Series[int] = pa.Field(ge=0, le=4)
    candidates: Series[int] = pa.Field(ge=1)
    answers_in_language: Series[int] = pa.Field(ge=0)
    homogeneous: Series[bool]


class SamplerReport(Model):
    sampler: Series[str] = pa.Field(isin=SAMPLERS)
    lang: Series[str] = pa.Field(isin=[*LANGS, "all"])
    requested: Series[int] = pa.Field(gt=0)
    kept: Series[int] = pa.Field(ge=0)
    quarantined: Series[int] = pa.Field(ge=0)
    quarantine_rate: Series[float] = pa.Field(ge=0, le=1)
    mean_pairwise_distance: Series[float] = pa.Field(nullable=True, ge=0, le=2)  # null when nothing was kept
    min_pairwise_distance: Series[float] = pa.Field(nullable=True, ge=0, le=2)
    distinct_2: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    poles_covered: Series[float] = pa.Field(nullable=True, ge=0, le=4)
    homogeneous_share: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    coverage_traditional: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    coverage_secular_rational: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    coverage_survival: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    coverage_self_expression: Series[float] = pa.Field(nullable=True, ge=0, le=1)

    class Config:
        unique = ["sampler", "lang"]

    @pa.dataframe_check
    def requests_reconcile(cls, frame) -> Series[bool]:
        return frame["requested"] == frame["kept"] + frame["quarantined"]


class Annotators(Model):
    annotator_id: Series[str] = pa.Field(unique=True)
    country: Series[str] = pa.Field(nullable=True, isin=[c.name for c in COUNTRIES])  # null: a file did not say
    assigned_lang: Series[str] = pa.Field(nullable=True, isin=LANGS)
    source: Series[str] = pa.Field(isin=["simulated", "human"])
    # The release's demographic fields; null where a human file does not give them.
    age: Series[str] = pa.Field(nullable=True, isin=AGES)
    gender: Series[str] = pa.Field(nullable=True, isin=GENDERS)
    education_level: Series[str] = pa.Field(nullable=True, isin=EDUCATION_LEVELS)
    ethnicity: Series[str] = pa.Field(nullable=True)  # country-specific categories in the release: not a closed list
    political: Series[str] = pa.Field(nullable=True, isin=POLITICAL)
    ideal_trad_secular: Series[float] = pa.Field(nullable=True)
    ideal_surv_self: Series[float] = pa.Field(nullable=True)
    position_bias: Series[float] = pa.Field(nullable=True)
    sharpness: Series[float] = pa.Field(nullable=True, gt=0)
    careless: Series[pd.BooleanDtype] = pa.Field(nullable=True, coerce=True)  # simulated only: the truth quality control estimates


class AnnotationFiles(Model):
    file_sha: Series[str] = pa.Field(unique=True, str_length={"min_value": 64, "max_value": 64})
    file_name: Series[str] = pa.Field(str_length={"min_value": 1})
    format: Series[str] = pa.Field(isin=["community_alignment_csv", TASK_RESULTS_FORMAT])
    rows_in: Series[int] = pa.Field(ge=0)
    rows_kept: Series[int] = pa.Field(ge=0)
    rows_quarantined: Series[int] = pa.Field(ge=0)
    turns_kept: Series[int] = pa.Field(ge=0)

    @pa.dataframe_check
    def rows_reconcile(cls, frame) -> Series[bool]:
        return frame["rows_in"] == frame["rows_kept"] + frame["rows_quarantined"]


class HumanTurns(AnnotatorFields):
    file_sha: Series[str]
    source_line: Series[int] = pa.Field(ge=2)  # line 1 is the header
    conversation_id: Series[str] = pa.Field(str_length={"min_value": 1})
    turn: Series[int] = pa.Field(ge=1, le=4)
    annotator_id: Series[str] = pa.Field(str_length={"min_value": 1})
    assigned_lang: Series[str] = pa.Field(isin=LANGS)
    is_pregenerated_first_prompt: Series[bool] = pa.Field(nullable=True)
    prompt: Series[str] = pa.Field(str_length={"min_value": 1})
    response_a: Series[str] = pa.Field(str_length={"min_value": 1})
    response_b: Series[str] = pa.Field(str_length={"min_value": 1})
    response_c: Series[str] = pa.Field(str_length={"min_value": 1})
    response_d: Series[str] = pa.Field(str_length={"min_value": 1})
    preferred: Series[str] = pa.Field(isin=[f"response_{p}" for p in POSITIONS])
    feedback: Series[str] = pa.Field(nullable=True)
    wave: Series[str] = pa.Field(nullable=True)
    in_balanced_subset: Series[pd.BooleanDtype] = pa.Field(nullable=True, coerce=True)
    in_balanced_subset_10: Series[pd.BooleanDtype] = pa.Field(nullable=True, coerce=True)

    class Config:
        unique = ["file_sha", "source_line", "turn"]


class AnnotationQuarantine(Model):
    file_sha: Series[str]
    file_name: Series[str]
    source_line: Series[int] = pa.Field(ge=1)  # a JSONL result can be on line 1
    conversation_id: Series[str] = pa.Field(nullable=True)
    reason: Series[str] = pa.Field(isin=[*ROW_PROBLEMS, *RESULT_PROBLEMS])
    reasons: Series[object]
    detail: Series[str] = pa.Field(nullable=True)
    raw_row: Series[str] = pa.Field(nullable=True)

    class Config:
        unique = ["file_sha", "source_line"]


class Assignments(Model):
    conversation_id: Series[str] = pa.Field(unique=True, **ID)
    annotator_id: Series[str]
    set_id: Series[str] = pa.Field(**ID)
    prompt_id: Series[str] = pa.Field(**ID)
    lang: Series[str] = pa.Field(isin=LANGS)
    country: Series[str] = pa.Field(isin=[c.name for c in COUNTRIES])
    sampler: Series[str] = pa.Field(isin=SAMPLERS)

    class Config:
        unique = ["annotator_id", "set_id"]


class UserTurns(Model):
    conversation_id: Series[str] = pa.Field(unique=True, **ID)
    turn: Series[int] = pa.Field(ge=2, le=MAX_TURNS)
    annotator_id: Series[str]
    prompt_id: Series[str] = pa.Field(**ID)
    lang: Series[str] = pa.Field(isin=LANGS)
    sampler: Series[str] = pa.Field(isin=SAMPLERS)
    history: Series[object]
    text: Series[str] = pa.Field(nullable=True, str_length={"min_value": 1})  # null: the simulator failed
    source: Series[str] = pa.Field(isin=["simulator", "human"])
    reason: Series[str] = pa.Field(nullable=True)
    raw_text: Series[str] = pa.Field(nullable=True)
    requests: Series[int] = pa.Field(ge=0)

    @pa.dataframe_check
    def written_or_explained(cls, frame) -> Series[bool]:
        return frame["text"].notna() != frame["reason"].notna()


class Annotations(Model):
    annotation_id: Series[str] = pa.Field(unique=True, **ID)
    conversation_id: Series[str] = pa.Field(**ID)
    turn: Series[int] = pa.Field(ge=1, le=MAX_TURNS)
    annotator_id: Series[str]
    set_id: Series[str] = pa.Field(**ID)
    chosen_position: Series[str] = pa.Field(isin=POSITIONS)
    source: Series[str] = pa.Field(isin=["simulated", "human"])
    explanation: Series[str] = pa.Field(nullable=True)
    seconds: Series[float] = pa.Field(nullable=True, ge=0)  # time to choose; null when a file does not say
    chooser: Series[str] = pa.Field(isin=["human", "utility", "llm_persona", "utility_after_llm_failed"])
    chooser_raw: Series[str] = pa.Field(nullable=True)
    file_sha: Series[str] = pa.Field(nullable=True)  # a person's annotation: the file and line it came from
    source_line: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1, coerce=True)

    class Config:
        unique = ["conversation_id", "turn"]

    @pa.dataframe_check
    def chooser_matches_source(cls, frame) -> Series[bool]:
        return (frame["source"] == "human") == (frame["chooser"] == "human")

    @pa.dataframe_check
    def people_traceable_to_file_and_line(cls, frame) -> Series[bool]:
        return (frame["source"] != "human") | (frame["file_sha"].notna() & frame["source_line"].notna())


class Comparisons(Model):
    comparison_id: Series[str] = pa.Field(unique=True, **ID)
    annotation_id: Series[str] = pa.Field(**ID)
    conversation_id: Series[str] = pa.Field(**ID)
    set_id: Series[str] = pa.Field(**ID)
    item_id: Series[str] = pa.Field(**ID)
    prompt_id: Series[str] = pa.Field(**ID)
    lang: Series[str] = pa.Field(isin=LANGS)
    turn: Series[int] = pa.Field(ge=1, le=MAX_TURNS)
    sampler: Series[str] = pa.Field(isin=[*SAMPLERS, UNKNOWN_SAMPLER])
    model: Series[str] = pa.Field(nullable=True)  # null for human files' sets
    annotator_id: Series[str]
    country: Series[str] = pa.Field(nullable=True)  # a human file may not say
    source: Series[str] = pa.Field(isin=["simulated", "human"])
    is_pregenerated_first_prompt: Series[pd.BooleanDtype] = pa.Field(nullable=True, coerce=True)  # null: a file did not say
    messages: Series[object]
    prompt_text: Series[str] = pa.Field(str_length={"min_value": 1})
    chosen_position: Series[str] = pa.Field(isin=POSITIONS)
    rejected_position: Series[str] = pa.Field(isin=POSITIONS)
    chosen_model: Series[str] = pa.Field(str_length={"min_value": 1})
    rejected_model: Series[str] = pa.Field(str_length={"min_value": 1})
    chosen_text: Series[str] = pa.Field(str_length={"min_value": 1})
    rejected_text: Series[str] = pa.Field(str_length={"min_value": 1})
    explanation: Series[str] = pa.Field(nullable=True)

    @pa.dataframe_check
    def chosen_differs_from_rejected(cls, frame) -> Series[bool]:
        return frame["chosen_position"] != frame["rejected_position"]


class Aggregates(Model):
    item_id: Series[str] = pa.Field(**ID)
    set_id: Series[str] = pa.Field(**ID)
    prompt_id: Series[str] = pa.Field(**ID)
    turn: Series[int] = pa.Field(ge=1, le=MAX_TURNS)
    lang: Series[str] = pa.Field(isin=LANGS)
    sampler: Series[str] = pa.Field(isin=[*SAMPLERS, UNKNOWN_SAMPLER])
    cohort: Series[str]
    annotations: Series[int] = pa.Field(ge=1)
    answer_key: Series[str] = pa.Field(**ID)
    candidate_id: Series[str] = pa.Field(**ID)
    position: Series[str] = pa.Field(isin=POSITIONS)
    votes: Series[int] = pa.Field(ge=0)
    vote_share: Series[float] = pa.Field(ge=0, le=1)
    borda: Series[float] = pa.Field(ge=0, le=3)
    bt_strength: Series[float] = pa.Field(gt=0, lt=1)
    plurality: Series[bool]
    entropy_bits: Series[float] = pa.Field(ge=0, le=2)
    countries: Series[int] = pa.Field(ge=0)
    jsd_countries: Series[float] = pa.Field(nullable=True, ge=0, le=2)  # null below two countries with enough votes
    contested: Series[bool]
    contested_reason: Series[str] = pa.Field(nullable=True, isin=["countries_disagree", "no_consensus"])

    class Config:
        unique = ["item_id", "cohort", "answer_key"]

    @pa.dataframe_check
    def shares_sum_to_one(cls, frame) -> Series[bool]:
        return frame.groupby(["item_id", "cohort"])["vote_share"].transform("sum").sub(1).abs() < 1e-9

    @pa.dataframe_check
    def contested_has_a_reason(cls, frame) -> Series[bool]:
        return frame["contested"] == frame["contested_reason"].notna()


class PreferenceEval(Model):
    sampler: Series[str] = pa.Field(isin=[*SAMPLERS, UNKNOWN_SAMPLER])
    model: Series[str] = pa.Field(isin=["pooled", "cohort"])
    cohort: Series[str]
    train_comparisons: Series[int] = pa.Field(ge=0)
    test_comparisons: Series[int] = pa.Field(ge=0)
    test_prompts: Series[int] = pa.Field(ge=0)
    accuracy: Series[float] = pa.Field(nullable=True, ge=0, le=1)  # null: too few held-out comparisons (see note)
    top1_accuracy: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    chance: Series[float] = pa.Field(gt=0, lt=1)
    note: Series[str] = pa.Field(nullable=True)

    class Config:
        unique = ["sampler", "model", "cohort"]


class PiiFindings(Model):
    conversation_id: Series[str] = pa.Field(**ID)
    set_id: Series[str] = pa.Field(**ID)
    field: Series[str] = pa.Field(isin=["prompt", "response", "explanation"])
    kind: Series[str] = pa.Field(isin=PII_KINDS)
    matched: Series[str] = pa.Field(str_length={"min_value": 1})


class ReleaseExclusions(Model):
    conversation_id: Series[str] = pa.Field(unique=True, **ID)
    reasons: Series[object]
    detail: Series[str]

    @pa.check("reasons")
    def known_reasons(cls, reasons: Series) -> Series[bool]:
        return reasons.map(lambda r: len(r) > 0 and set(r) <= {"pii", "annotator_prompt"})


class ReleaseComparisons(Comparisons):
    margin: Series[float] = pa.Field(ge=-1, le=1)
    human_text_license: Series[str] = pa.Field(str_length={"min_value": 1})
    model_text_license: Series[str] = pa.Field(str_length={"min_value": 1})


class ReleaseCandidateSets(Model):
    set_id: Series[str] = pa.Field(unique=True, **ID)
    item_id: Series[str] = pa.Field(**ID)
    prompt_id: Series[str] = pa.Field(**ID)
    lang: Series[str] = pa.Field(isin=LANGS)
    turn: Series[int] = pa.Field(ge=1, le=MAX_TURNS)
    sampler: Series[str] = pa.Field(isin=[*SAMPLERS, UNKNOWN_SAMPLER])
    conversation_id: Series[str] = pa.Field(nullable=True)  # null for a first-turn set shared by its annotators
    backend: Series[str]
    model: Series[str] = pa.Field(nullable=True)  # null for the human files' sets
    messages: Series[object]
    answers: Series[object]
    human_text_license: Series[str]
    model_text_license: Series[str]

    @pa.check("answers")
    def four_answers(cls, answers: Series) -> Series[bool]:
        return answers.map(lambda a: [x["position"] for x in a] == list(POSITIONS))


class CountryWinRates(Model):
    sampler: Series[str] = pa.Field(isin=[*SAMPLERS, UNKNOWN_SAMPLER])
    country: Series[str]
    pole: Series[str] = pa.Field(isin=POLES)
    comparisons: Series[int] = pa.Field(gt=0)
    wins: Series[int] = pa.Field(ge=0)
    win_rate: Series[float] = pa.Field(ge=0, le=1)

    class Config:
        unique = ["sampler", "country", "pole"]


class ContestedPrompts(Model):
    item_id: Series[str] = pa.Field(unique=True, **ID)
    prompt_id: Series[str] = pa.Field(**ID)
    lang: Series[str] = pa.Field(isin=LANGS)
    sampler: Series[str] = pa.Field(isin=[*SAMPLERS, UNKNOWN_SAMPLER])
    turn: Series[int] = pa.Field(ge=1, le=MAX_TURNS)
    contested_reason: Series[str] = pa.Field(isin=["countries_disagree", "no_consensus"])
    annotations: Series[int] = pa.Field(gt=1)
    entropy_bits: Series[float] = pa.Field(ge=0, le=2)
    jsd_countries: Series[float] = pa.Field(nullable=True, ge=0, le=2)
    country_favourites: Series[str] = pa.Field(nullable=True)
    prompt_text: Series[str] = pa.Field(str_length={"min_value": 1})


class AnnotatorAgreement(Model):
    annotator_id: Series[str] = pa.Field(unique=True)
    country: Series[str] = pa.Field(nullable=True)
    source: Series[str] = pa.Field(isin=["simulated", "human"])
    shared_items: Series[int] = pa.Field(gt=0)
    agreement_with_others: Series[float] = pa.Field(ge=0, le=1)
    quality_score: Series[float] = pa.Field(nullable=True, ge=0, le=1)


class TrlPreferences(Model):
    """The TRL export read back with pandas: message lists arrive as arrays of dicts."""

    prompt: Series[object]
    chosen: Series[object]
    rejected: Series[object]
    margin: Series[float] = pa.Field(ge=-1, le=1)
    comparison_id: Series[str] = pa.Field(unique=True)
    # Beside TRL's own columns, what a trainer filters or splits by.
    prompt_id: Series[str] = pa.Field(**ID)
    lang: Series[str] = pa.Field(isin=LANGS)
    turn: Series[int] = pa.Field(ge=1, le=MAX_TURNS)
    sampler: Series[str] = pa.Field(isin=[*SAMPLERS, UNKNOWN_SAMPLER])
    annotator_id: Series[str]
    country: Series[str] = pa.Field(nullable=True)
    human_text_license: Series[str] = pa.Field(str_length={"min_value": 1})
    model_text_license: Series[str] = pa.Field(str_length={"min_value": 1})

    @pa.dataframe_check
    def trl_conversational_shape(cls, frame) -> Series[bool]:
        return pd.Series(
            [not trl_row_problems(p, c, r) for p, c, r in zip(frame["prompt"], frame["chosen"], frame["rejected"], strict=True)],
            index=frame.index,
        )


class GoldItems(Model):
    item_id: Series[str] = pa.Field(unique=True)
    lang: Series[str] = pa.Field(isin=LANGS)
    prompt: Series[str] = pa.Field(str_length={"min_value": 1})
    response_a: Series[str] = pa.Field(str_length={"min_value": 1})
    response_b: Series[str] = pa.Field(str_length={"min_value": 1})
    response_c: Series[str] = pa.Field(str_length={"min_value": 1})
    response_d: Series[str] = pa.Field(str_length={"min_value": 1})
    correct_position: Series[str] = pa.Field(isin=POSITIONS)


class GoldAnswers(Model):
    annotator_id: Series[str]
    item_id: Series[str]
    source: Series[str] = pa.Field(isin=["simulated", "human"])
    chosen_position: Series[str] = pa.Field(isin=POSITIONS)
    correct: Series[bool]
    seconds: Series[float] = pa.Field(nullable=True, ge=0)

    class Config:
        unique = ["annotator_id", "item_id"]


QUALITY_FLAGS = ("failed_attention_checks", "straight_lining", "position_bias", "fast")
QUALITY_REASONS = ("careless_annotator", "too_fast", "language_mismatch", "duplicate_submission")


class AnnotatorQuality(Model):
    annotator_id: Series[str] = pa.Field(unique=True)
    country: Series[str] = pa.Field(nullable=True)
    source: Series[str] = pa.Field(isin=["simulated", "human"])
    annotations: Series[int] = pa.Field(ge=0)
    chosen_a: Series[int] = pa.Field(ge=0)
    chosen_b: Series[int] = pa.Field(ge=0)
    chosen_c: Series[int] = pa.Field(ge=0)
    chosen_d: Series[int] = pa.Field(ge=0)
    timed: Series[int] = pa.Field(ge=0)  # choices with a recorded time
    too_fast: Series[int] = pa.Field(ge=0)
    median_seconds: Series[float] = pa.Field(nullable=True, ge=0)
    max_position_share: Series[float] = pa.Field(nullable=True, ge=0.25, le=1)
    position_p_value: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    gold_answered: Series[int] = pa.Field(ge=0)
    gold_correct: Series[int] = pa.Field(ge=0)
    gold_accuracy: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    too_fast_share: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    quality_score: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    flags: Series[object]
    passed: Series[bool]

    @pa.dataframe_check
    def choices_add_up(cls, frame) -> Series[bool]:
        return frame[[f"chosen_{p}" for p in POSITIONS]].sum(axis=1) == frame["annotations"]

    @pa.dataframe_check
    def known_flags(cls, frame) -> Series[bool]:
        return frame["flags"].map(lambda flags: set(flags) <= set(QUALITY_FLAGS))


class QualityQuarantine(Model):
    annotation_id: Series[str] = pa.Field(unique=True, **ID)
    annotator_id: Series[str]
    reason: Series[str] = pa.Field(isin=QUALITY_REASONS)
    reasons: Series[object]
    detail: Series[str] = pa.Field(nullable=True)
    source: Series[str] = pa.Field(isin=["simulated", "human"])
    file_sha: Series[str] = pa.Field(nullable=True)
    source_line: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1, coerce=True)

    @pa.dataframe_check
    def file_and_line_for_human_rows(cls, frame) -> Series[bool]:
        return (frame["source"] != "human") | (frame["file_sha"].notna() & frame["source_line"].notna())


class TaskResults(AnnotatorFields):
    file_sha: Series[str] = pa.Field(str_length={"min_value": 64, "max_value": 64})
    source_line: Series[int] = pa.Field(ge=1)
    task_id: Series[str] = pa.Field(str_length={"min_value": 1})
    annotator_id: Series[str] = pa.Field(str_length={"min_value": 1})
    chosen_position: Series[str] = pa.Field(isin=POSITIONS)
    explanation: Series[str] = pa.Field(nullable=True)
    seconds: Series[float] = pa.Field(nullable=True, ge=0)
    next_message: Series[str] = pa.Field(nullable=True)
    assigned_lang: Series[str] = pa.Field(nullable=True)

    class Config:
        unique = ["file_sha", "source_line"]


class AnnotationTasks(Model):
    task_id: Series[str] = pa.Field(unique=True)
    kind: Series[str] = pa.Field(isin=["set", "gold"])
    set_id: Series[str] = pa.Field(nullable=True)  # null for an attention check
    item_id: Series[str] = pa.Field(nullable=True)  # an attention check's item
    conversation_id: Series[str] = pa.Field(nullable=True)  # a later turn's conversation
    annotator_id: Series[str] = pa.Field(nullable=True)  # set when only that annotator may answer
    lang: Series[str] = pa.Field(isin=LANGS)
    turn: Series[int] = pa.Field(ge=1, le=MAX_TURNS)
    history: Series[object]
    prompt: Series[str] = pa.Field(str_length={"min_value": 1})
    response_a: Series[str] = pa.Field(str_length={"min_value": 1})
    response_b: Series[str] = pa.Field(str_length={"min_value": 1})
    response_c: Series[str] = pa.Field(str_length={"min_value": 1})
    response_d: Series[str] = pa.Field(str_length={"min_value": 1})
    candidate_id_a: Series[str] = pa.Field(nullable=True)  # null for an attention check
    candidate_id_b: Series[str] = pa.Field(nullable=True)
    candidate_id_c: Series[str] = pa.Field(nullable=True)
    candidate_id_d: Series[str] = pa.Field(nullable=True)

    @pa.dataframe_check
    def sets_carry_candidate_ids(cls, frame) -> Series[bool]:
        return (frame["kind"] != "set") | frame[[f"candidate_id_{p}" for p in POSITIONS]].notna().all(axis=1)
