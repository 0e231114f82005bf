"""Pandera models of the analysis stage's tables, one per table, named in PascalCase after it; each is a
blocking asset check (core/checks.py). Strict: see core/schema.py."""

import pandera.pandas as pa
from pandera.typing import Series

from ca_assets.core.schema import ID, Model
from ca_assets.vocab import LANGS, MAX_TURNS, POLES, SAMPLERS, UNKNOWN_SAMPLER


class PreferenceEval(Model):
    sampler: Series[str] = pa.Field(
        isin=[*SAMPLERS, UNKNOWN_SAMPLER],
        description="Sampler whose comparisons trained and tested the models: nc, iid, multi_model, or unknown for human files",
    )
    model: Series[str] = pa.Field(
        isin=["pooled", "cohort"],
        description="Preference model: pooled (one preference for everyone) or cohort (plus a per-country deviation)",
    )
    cohort: Series[str] = pa.Field(description="Annotators scored: all, or one country (unknown when a file does not say)")
    train_comparisons: Series[int] = pa.Field(ge=0, description="The sampler's comparisons of this cohort on the training prompts")
    test_comparisons: Series[int] = pa.Field(ge=0, description="The sampler's comparisons of this cohort on the held-out prompts")
    test_prompts: Series[int] = pa.Field(ge=0, description="Held-out prompts those test comparisons come from")
    accuracy: Series[float] = pa.Field(
        nullable=True, ge=0, le=1, description="Share of held-out comparisons where the model scores chosen above rejected; null: see note"
    )
    top1_accuracy: Series[float] = pa.Field(
        nullable=True,
        ge=0,
        le=1,
        description="Share of held-out annotations whose chosen answer outscores all three rejected (chance 0.25); null: see note",
    )
    chance: Series[float] = pa.Field(gt=0, lt=1, description="Chance level of the pairwise accuracy (0.5)")
    note: Series[str] = pa.Field(
        nullable=True, description="Why the accuracies are null (e.g. fewer than 5 held-out comparisons); null when computed"
    )

    class Config:
        unique = ["sampler", "model", "cohort"]


class CountryWinRates(Model):
    sampler: Series[str] = pa.Field(
        isin=[*SAMPLERS, UNKNOWN_SAMPLER],
        description="How the compared answers were sampled: nc, iid, multi_model, or unknown for human files",
    )
    country: Series[str] = pa.Field(description="Annotators' country, lower case; unknown when a file does not say")
    pole: Series[str] = pa.Field(
        isin=POLES, description="Inglehart–Welzel pole: traditional, secular_rational, survival or self_expression"
    )
    comparisons: Series[int] = pa.Field(gt=0, description="Comparisons where one answer's value label is this pole and the other's differs")
    wins: Series[int] = pa.Field(ge=0, description="Those comparisons in which the answer with this pole was chosen")
    win_rate: Series[float] = pa.Field(ge=0, le=1, description="Share won, wins / comparisons, to 3 decimals (0.5 = indifferent)")

    class Config:
        unique = ["sampler", "country", "pole"]


class ContestedPrompts(Model):
    item_id: Series[str] = pa.Field(unique=True, **ID, description="Contested item (aggregates.item_id)")
    prompt_id: Series[str] = pa.Field(**ID, description="Id of the conversation's opening prompt")
    lang: Series[str] = pa.Field(isin=LANGS, description="Language of the item's set (ISO 639 code)")
    sampler: Series[str] = pa.Field(
        isin=[*SAMPLERS, UNKNOWN_SAMPLER],
        description="How the item's answers were sampled: nc, iid, multi_model, or unknown for human files",
    )
    turn: Series[int] = pa.Field(ge=1, le=MAX_TURNS, description="Turn of the conversation the item was shown at (1–4)")
    contested_reason: Series[str] = pa.Field(
        isin=["countries_disagree", "no_consensus"],
        description=(
            "Why contested: countries_disagree (favourites differ, JSD ≥ contested_jsd) or no_consensus (entropy ≥ no_consensus_entropy)"
        ),
    )
    annotations: Series[int] = pa.Field(gt=1, description="Kept annotations of the item, all cohorts together")
    entropy_bits: Series[float] = pa.Field(
        ge=0, le=2, description="Choice entropy of all annotators' votes in bits, to 3 decimals (2 = uniform over four)"
    )
    jsd_countries: Series[float] = pa.Field(
        nullable=True, ge=0, le=2, description="Jensen–Shannon divergence between countries in bits, to 3 decimals; null below two"
    )
    country_favourites: Series[str] = pa.Field(
        nullable=True, description="Each country cohort's plurality answer position(s), as 'country: position, …'; null if none"
    )
    prompt_text: Series[str] = pa.Field(
        str_length={"min_value": 1}, description="Text of the user's last message, which the item's answers respond to"
    )


class AnnotatorAgreement(Model):
    annotator_id: Series[str] = pa.Field(unique=True, description="Pseudonymous annotator id")
    country: Series[str] = pa.Field(nullable=True, description="Annotator's country, lower case; null when no file gives one")
    source: Series[str] = pa.Field(isin=["simulated", "human"], description="Annotator source: simulated or human")
    shared_items: Series[int] = pa.Field(gt=0, description="The annotator's kept annotations of items others also annotated")
    agreement_with_others: Series[float] = pa.Field(
        ge=0,
        le=1,
        description="Mean share of the item's other annotators who chose the same answer, to 3 decimals (leave-one-out)",
    )
    quality_score: Series[float] = pa.Field(
        nullable=True, ge=0, le=1, description="The annotator's quality score from annotator_quality; null when none"
    )
