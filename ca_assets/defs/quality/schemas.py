"""Pandera models of the quality stage's tables, one per table, named in PascalCase after it; each is a
blocking asset check (core/checks.py). Strict: see core/schema.py."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from ca_assets.core.schema import ID, Model
from ca_assets.vocab import (
    LANGS,
    POSITIONS,
)


class GoldItems(Model):
    item_id: Series[str] = pa.Field(unique=True, description="Attention-check item id, as in prompts/gold/<lang>.jsonl")
    lang: Series[str] = pa.Field(isin=LANGS, description="Language of the item (ISO 639 code)")
    prompt: Series[str] = pa.Field(str_length={"min_value": 1}, description="Prompt shown with the four responses")
    response_a: Series[str] = pa.Field(str_length={"min_value": 1}, description="Response shown at position a")
    response_b: Series[str] = pa.Field(str_length={"min_value": 1}, description="Response shown at position b")
    response_c: Series[str] = pa.Field(str_length={"min_value": 1}, description="Response shown at position c")
    response_d: Series[str] = pa.Field(str_length={"min_value": 1}, description="Response shown at position d")
    correct_position: Series[str] = pa.Field(isin=POSITIONS, description="Position (a–d) of the one right response")


class GoldAnswers(Model):
    annotator_id: Series[str] = pa.Field(description="Pseudonymous id of the annotator who answered")
    item_id: Series[str] = pa.Field(description="Attention-check item answered (gold_items.item_id)")
    source: Series[str] = pa.Field(isin=["simulated", "human"], description="Answer source: simulated, or human (from task results)")
    chosen_position: Series[str] = pa.Field(isin=POSITIONS, description="Position (a–d) the annotator chose")
    correct: Series[bool] = pa.Field(description="Whether the chosen position is the item's correct one")
    seconds: Series[float] = pa.Field(nullable=True, ge=0, description="Seconds taken to answer; null when a task result gives none")

    class Config:
        unique = ["annotator_id", "item_id"]


QUALITY_FLAGS = ("failed_attention_checks", "straight_lining", "position_bias", "fast")


QUALITY_REASONS = ("careless_annotator", "too_fast", "language_mismatch", "duplicate_submission")


class AnnotatorQuality(Model):
    annotator_id: Series[str] = pa.Field(unique=True, description="Pseudonymous annotator id")
    country: Series[str] = pa.Field(nullable=True, description="Annotator's country, lower case; null when no file gives one")
    source: Series[str] = pa.Field(isin=["simulated", "human"], description="Annotator source: simulated or human")
    annotations: Series[int] = pa.Field(ge=0, description="Annotations (best-of-4 choices) the annotator made, all turns")
    shown_1: Series[int] = pa.Field(ge=0, description="Annotations choosing the answer shown first")
    shown_2: Series[int] = pa.Field(ge=0, description="Annotations choosing the answer shown second")
    shown_3: Series[int] = pa.Field(ge=0, description="Annotations choosing the answer shown third")
    shown_4: Series[int] = pa.Field(ge=0, description="Annotations choosing the answer shown fourth")
    timed: Series[int] = pa.Field(ge=0, description="Annotations with a recorded time")
    too_fast: Series[int] = pa.Field(
        ge=0, description="Annotations chosen faster than max_words_per_second (default 10) over the four answers' words"
    )
    median_seconds: Series[float] = pa.Field(nullable=True, ge=0, description="Median seconds per annotation; null when none is timed")
    max_position_share: Series[float] = pa.Field(
        nullable=True,
        ge=0.25,
        le=1,
        description="Most-chosen position's share of the annotations (straight-lining); null with no annotations",
    )
    position_p_value: Series[float] = pa.Field(
        nullable=True,
        ge=0,
        le=1,
        description="Chi-square p-value of the positions chosen against uniform; null below min_annotations (default 5)",
    )
    gold_answered: Series[int] = pa.Field(ge=0, description="Attention-check items answered")
    gold_correct: Series[int] = pa.Field(ge=0, description="Attention-check items answered right")
    gold_accuracy: Series[float] = pa.Field(
        nullable=True, ge=0, le=1, description="Attention-check accuracy, gold_correct / gold_answered; null when none answered"
    )
    too_fast_share: Series[float] = pa.Field(
        nullable=True, ge=0, le=1, description="Share of timed annotations that were too fast, too_fast / timed; null when none timed"
    )
    quality_score: Series[float] = pa.Field(
        nullable=True,
        ge=0,
        le=1,
        description=(
            "Mean of the components the annotator has data for (gold_accuracy, position spread from "
            "max_position_share, 1 - too_fast_share); null with none"
        ),
    )
    flags: Series[object] = pa.Field(description="List of flags raised: failed_attention_checks, straight_lining, position_bias, fast")
    passed: Series[bool] = pa.Field(description="False on failed attention checks or straight-lining: then every annotation is quarantined")

    @pa.dataframe_check
    def choices_add_up(cls, frame) -> Series[bool]:
        return frame[[f"shown_{n}" for n in range(1, len(POSITIONS) + 1)]].sum(axis=1) == frame["annotations"]

    @pa.dataframe_check
    def known_flags(cls, frame) -> Series[bool]:
        return frame["flags"].map(lambda flags: set(flags) <= set(QUALITY_FLAGS))


class QualityQuarantine(Model):
    annotation_id: Series[str] = pa.Field(unique=True, **ID, description="Annotation that failed quality control")
    annotator_id: Series[str] = pa.Field(description="Pseudonymous id of the annotator who made it")
    reason: Series[str] = pa.Field(
        isin=QUALITY_REASONS,
        description="First reason: careless_annotator, too_fast, language_mismatch or duplicate_submission",
    )
    reasons: Series[object] = pa.Field(description="Every reason that applies (reason is the first)")
    detail: Series[str] = pa.Field(
        nullable=True, description="Detail per reason, joined by '; ': annotator flags, words per second, languages compared"
    )
    source: Series[str] = pa.Field(isin=["simulated", "human"], description="Annotation source: simulated or human")
    file_sha: Series[str] = pa.Field(nullable=True, description="SHA-256 of the human file the annotation came from; null for simulated")
    source_line: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=1, coerce=True, description="Line of that file the annotation came from; null for simulated"
    )

    @pa.dataframe_check
    def file_and_line_for_human_rows(cls, frame) -> Series[bool]:
        return (frame["source"] != "human") | (frame["file_sha"].notna() & frame["source_line"].notna())
