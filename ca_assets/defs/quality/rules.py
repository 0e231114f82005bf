"""Quality control rules: what makes an annotator careless, and each annotator's quality score.

Per annotator: attention-check (gold) accuracy, how concentrated their choices are on one position
(straight-lining), a chi-square test of their positions against uniform (position bias), and the share of
their choices made faster than anyone can read. The score is the mean of the components the annotator has
data for, each in [0, 1]; an annotator fails on attention checks or straight-lining, and then every one of
their annotations is quarantined (position bias and speed alone are reported, and speed is judged per
annotation)."""

import warnings

import dagster as dg
import numpy as np
import pandas as pd
from pydantic import Field
from scipy.stats import chisquare

from ca_assets.vocab import POSITIONS


class QualityRules(dg.ConfigurableResource):
    """The thresholds of quality control, shared by annotator_quality and quality_quarantine (resource
    `quality_rules`)."""

    min_gold_accuracy: float = Field(default=0.5, description="An annotator below this attention-check accuracy fails.")
    min_gold_answered: int = Field(default=2, description="Attention checks needed before accuracy can fail anyone.")
    straight_line_share: float = Field(
        default=0.8, description="An annotator choosing one position this often (over min_annotations or more) fails."
    )
    min_annotations: int = Field(default=5, description="Choices needed before position share and bias are judged.")
    position_bias_p: float = Field(default=0.001, description="Chi-square p-value under which position bias is flagged.")
    max_words_per_second: float = Field(
        default=10.0, description="A choice made faster than this over the four answers' words is too fast (reading is ~4/s)."
    )
    check_language: bool = Field(
        default=True,
        description="Quarantine turns whose user message is detected (langid) in another language than the annotator's. "
        "Romanized Hindi reads as English: turn this off for Hinglish-heavy files.",
    )


def score_annotators(counts: pd.DataFrame, rules: QualityRules) -> pd.DataFrame:
    """`counts`: one row per annotator with annotations, shown_1…shown_4 (choices per position shown), gold_answered, gold_correct,
    timed and too_fast. Returns it with the metrics, flags, quality_score and passed."""
    chosen = counts[[f"shown_{n}" for n in range(1, len(POSITIONS) + 1)]].to_numpy(dtype=float)
    n = chosen.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        max_share = np.where(n > 0, chosen.max(axis=1) / np.maximum(n, 1), np.nan)
        p_value = np.array([chisquare(row).pvalue if row.sum() >= rules.min_annotations else np.nan for row in chosen])
        answered = counts["gold_answered"]
        gold_accuracy = np.where(answered > 0, counts["gold_correct"] / answered.clip(lower=1), np.nan)
        too_fast_share = np.where(counts["timed"] > 0, counts["too_fast"] / counts["timed"].clip(lower=1), np.nan)
    enough = n >= rules.min_annotations
    spread = np.where(enough, 1 - (max_share - 1 / len(POSITIONS)) / (1 - 1 / len(POSITIONS)), np.nan)
    components = np.vstack([gold_accuracy, spread, 1 - too_fast_share])
    with warnings.catch_warnings():  # an annotator with no component at all gets no score, not a warning
        warnings.simplefilter("ignore", RuntimeWarning)
        score = np.nanmean(components, axis=0)
    failed_gold = (counts["gold_answered"] >= rules.min_gold_answered) & (gold_accuracy < rules.min_gold_accuracy)
    straight = enough & (max_share >= rules.straight_line_share)
    biased = ~np.isnan(p_value) & (p_value < rules.position_bias_p)
    fast = ~np.isnan(too_fast_share) & (too_fast_share > 0.5)
    flags = [
        [name for name, hit in (("failed_attention_checks", g), ("straight_lining", s), ("position_bias", b), ("fast", f)) if hit]
        for g, s, b, f in zip(failed_gold, straight, biased, fast, strict=True)
    ]
    return counts.assign(
        max_position_share=max_share,
        position_p_value=p_value,
        gold_accuracy=gold_accuracy,
        too_fast_share=too_fast_share,
        quality_score=score,
        flags=flags,
        passed=~(failed_gold | straight),
    )
