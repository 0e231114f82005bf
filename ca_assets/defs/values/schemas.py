"""Pandera models of the values stage's tables, one per table, named in PascalCase after it; each is a
blocking asset check (core/checks.py). Strict: see core/schema.py."""

import pandera.pandas as pa
from pandera.typing import Series

from ca_assets.core.schema import ID, Model
from ca_assets.vocab import AXES, LANGS, SAMPLERS, UNKNOWN_SAMPLER, VALUE_LABELS


class CandidateEmbeddings(Model):
    candidate_id: Series[str] = pa.Field(unique=True, **ID, description="Candidate whose text is embedded")
    model: Series[str] = pa.Field(description="Name of the sentence-embedding model")
    dim: Series[int] = pa.Field(gt=0, description="Number of dimensions of the embedding")
    embedding: Series[object] = pa.Field(description="Unit-length sentence embedding of the candidate's text (list of floats)")

    @pa.dataframe_check
    def embedding_has_dim(cls, frame) -> Series[bool]:
        return frame["embedding"].map(len) == frame["dim"]


class CalibrationSet(Model):
    item_id: Series[str] = pa.Field(description="Item id within its language: <topic>.<pole>")
    lang: Series[str] = pa.Field(isin=LANGS, description="Language the text is written in")
    topic: Series[str] = pa.Field(description="Everyday topic of the text (one of 10, e.g. elder_care)")
    pole: Series[str] = pa.Field(isin=VALUE_LABELS, description="Label the text was written for: one of the four IW poles or none")
    text: Series[str] = pa.Field(str_length={"min_value": 1}, description="The labelled advice-style answer")

    class Config:
        unique = ["lang", "item_id"]


class JudgeCalibration(Model):
    judge: Series[str] = pa.Field(description="Judge scored, by name and version (e.g. embedding_prototype.v2)")
    lang: Series[str] = pa.Field(isin=[*LANGS, "all"], description="Language of the items scored, or all")
    measure: Series[str] = pa.Field(
        isin=[*AXES, "label"], description="trad_secular or surv_self (sign of the axis score), or label (five-way)"
    )
    items: Series[int] = pa.Field(gt=0, description="Calibration items the measure is scored on")
    correct: Series[int] = pa.Field(ge=0, description="Items the judge got right")
    accuracy: Series[float] = pa.Field(ge=0, le=1, description="Share of items the judge got right: correct / items")
    chance: Series[float] = pa.Field(
        gt=0, lt=1, description="Accuracy by chance: 0.5 per axis, the commonest label's share for label"
    )

    class Config:
        unique = ["judge", "lang", "measure"]


class CandidateValues(Model):
    candidate_id: Series[str] = pa.Field(unique=True, **ID, description="Candidate judged")
    judge: Series[str] = pa.Field(description="Judge that scored the candidate, by name and version")
    trad_secular: Series[float] = pa.Field(  # null only when unjudged
        nullable=True, description="Score on the traditional (<0) – secular-rational (>0) axis; null when unjudged"
    )
    surv_self: Series[float] = pa.Field(
        nullable=True, description="Score on the survival (<0) – self-expression (>0) axis; null when unjudged"
    )
    pole: Series[str] = pa.Field(
        isin=[*VALUE_LABELS, "unjudged"], description="Label: one of the four IW poles, none, or unjudged"
    )
    judge_raw: Series[str] = pa.Field(
        nullable=True, description="LLM judge's raw output when it gave no usable verdict; otherwise null"
    )

    @pa.dataframe_check
    def scored_unless_unjudged(cls, frame) -> Series[bool]:
        return (frame["pole"] == "unjudged") | (frame["trad_secular"].notna() & frame["surv_self"].notna())


class SetDiversity(Model):
    set_id: Series[str] = pa.Field(unique=True, **ID, description="Candidate set measured")
    sampler: Series[str] = pa.Field(
        isin=[*SAMPLERS, UNKNOWN_SAMPLER], description="Sampler that generated the set (unknown for human files' sets)"
    )
    lang: Series[str] = pa.Field(isin=LANGS, description="Language of the set's prompt")
    mean_pairwise_distance: Series[float] = pa.Field(
        ge=0, le=2, description="Mean cosine distance between the four answers' embeddings over the 6 pairs"
    )
    min_pairwise_distance: Series[float] = pa.Field(
        ge=0, le=2, description="Smallest cosine distance between two of the answers' embeddings"
    )
    distinct_1: Series[float] = pa.Field(ge=0, le=1, description="Distinct unigrams over all unigrams of the four answers")
    distinct_2: Series[float] = pa.Field(ge=0, le=1, description="Distinct bigrams over all bigrams of the four answers")
    poles_covered: Series[int] = pa.Field(ge=0, le=4, description="Number of IW poles (0–4) among the answers' labels")
    candidates: Series[int] = pa.Field(ge=1, description="Number of answers in the set")
    answers_in_language: Series[int] = pa.Field(
        ge=0, description="Answers in the prompt's language (too short to identify counts as in it)"
    )
    homogeneous: Series[bool] = pa.Field(description="Mean pairwise distance is under the homogeneous_below threshold")


class SamplerReport(Model):
    sampler: Series[str] = pa.Field(isin=SAMPLERS, description="Sampler the sets were requested from")
    lang: Series[str] = pa.Field(isin=[*LANGS, "all"], description="Language of the prompts, or all")
    requested: Series[int] = pa.Field(gt=0, description="Candidate sets requested")
    kept: Series[int] = pa.Field(ge=0, description="Requested sets kept as candidate sets")
    quarantined: Series[int] = pa.Field(ge=0, description="Requested sets quarantined as unusable")
    quarantine_rate: Series[float] = pa.Field(ge=0, le=1, description="Share of requested sets quarantined: quarantined / requested")
    mean_pairwise_distance: Series[float] = pa.Field(  # null when nothing was kept
        nullable=True, ge=0, le=2, description="Mean over kept sets of their mean pairwise cosine distance"
    )
    min_pairwise_distance: Series[float] = pa.Field(
        nullable=True, ge=0, le=2, description="Mean over kept sets of their minimum pairwise cosine distance"
    )
    distinct_2: Series[float] = pa.Field(nullable=True, ge=0, le=1, description="Mean distinct-2 of the kept sets")
    poles_covered: Series[float] = pa.Field(
        nullable=True, ge=0, le=4, description="Mean number of IW poles (0–4) a kept set covers"
    )
    homogeneous_share: Series[float] = pa.Field(
        nullable=True, ge=0, le=1, description="Share of kept sets flagged homogeneous"
    )
    coverage_traditional: Series[float] = pa.Field(
        nullable=True, ge=0, le=1, description="Coverage@4: share of kept sets with a candidate labelled traditional"
    )
    coverage_secular_rational: Series[float] = pa.Field(
        nullable=True, ge=0, le=1, description="Coverage@4: share of kept sets with a candidate labelled secular_rational"
    )
    coverage_survival: Series[float] = pa.Field(
        nullable=True, ge=0, le=1, description="Coverage@4: share of kept sets with a candidate labelled survival"
    )
    coverage_self_expression: Series[float] = pa.Field(
        nullable=True, ge=0, le=1, description="Coverage@4: share of kept sets with a candidate labelled self_expression"
    )

    class Config:
        unique = ["sampler", "lang"]

    @pa.dataframe_check
    def requests_reconcile(cls, frame) -> Series[bool]:
        return frame["requested"] == frame["kept"] + frame["quarantined"]
