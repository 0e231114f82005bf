"""Pandera models of the aggregates stage's tables, one per table, named in PascalCase after it; each is a
blocking asset check (core/checks.py). Strict: see core/schema.py."""

import pandera.pandas as pa
from pandera.typing import Series

from ca_assets.core.schema import ID, Model
from ca_assets.vocab import LANGS, MAX_TURNS, POSITIONS, SAMPLERS, UNKNOWN_SAMPLER


class Aggregates(Model):
    item_id: Series[str] = pa.Field(
        **ID, description="Item: what annotators saw (conversation so far and four answers), as comparisons.item_id"
    )
    set_id: Series[str] = pa.Field(**ID, description="The item's first set (lowest set_id), for joining back")
    prompt_id: Series[str] = pa.Field(**ID, description="Id of the conversation's opening prompt")
    turn: Series[int] = pa.Field(ge=1, le=MAX_TURNS, description="Turn of the conversation the item was shown at (1–4)")
    lang: Series[str] = pa.Field(isin=LANGS, description="Language of the item's set (ISO 639 code)")
    sampler: Series[str] = pa.Field(
        isin=[*SAMPLERS, UNKNOWN_SAMPLER],
        description="How the item's answers were sampled: nc, iid, multi_model, or unknown for human files",
    )
    cohort: Series[str] = pa.Field(description="Annotators counted: all, or one annotator country (unknown when a file does not say)")
    annotations: Series[int] = pa.Field(ge=1, description="Kept annotations of the item in this cohort")
    answer_key: Series[str] = pa.Field(**ID, description="The answer, named by a hash of its text (orders differ between sets)")
    candidate_id: Series[str] = pa.Field(**ID, description="The answer's candidate in the item's first set")
    position: Series[str] = pa.Field(isin=POSITIONS, description="The answer's position (a–d) in the item's first set")
    votes: Series[int] = pa.Field(ge=0, description="Annotations of this cohort choosing the answer")
    vote_share: Series[float] = pa.Field(ge=0, le=1, description="The answer's votes divided by the cohort's annotations of the item")
    borda: Series[float] = pa.Field(ge=0, le=3, description="Mean Borda points per annotator in the cohort: 3 when chosen, 1 when not")
    bt_strength: Series[float] = pa.Field(
        gt=0, lt=1, description="Bradley–Terry strength (bt_prior pseudo-wins per pair); sums to 1 over the item's answers per cohort"
    )
    plurality: Series[bool] = pa.Field(description="Whether the answer has the most votes in the cohort (ties: every tied answer)")
    entropy_bits: Series[float] = pa.Field(
        ge=0, le=2, description="Choice entropy of the cohort's votes, in bits (0 = unanimous, 2 = uniform over four)"
    )
    countries: Series[int] = pa.Field(ge=0, description="Countries with at least min_country_votes (default 3) annotations on the item")
    jsd_countries: Series[float] = pa.Field(
        nullable=True,
        ge=0,
        le=2,
        description="Jensen–Shannon divergence in bits between the vote shares of those countries; null below two",
    )
    contested: Series[bool] = pa.Field(description="Whether the item is contested; the same on every row of the item")
    contested_reason: Series[str] = pa.Field(
        nullable=True,
        isin=["countries_disagree", "no_consensus"],
        description=(
            "Why contested: countries_disagree (favourites differ, JSD ≥ contested_jsd) or "
            "no_consensus (entropy ≥ no_consensus_entropy); null when not contested"
        ),
    )

    class Config:
        unique = ["item_id", "cohort", "answer_key"]

    @pa.dataframe_check
    def shares_sum_to_one(cls, frame) -> Series[bool]:
        return frame.groupby(["item_id", "cohort"])["vote_share"].transform("sum").sub(1).abs() < 1e-9

    @pa.dataframe_check
    def contested_has_a_reason(cls, frame) -> Series[bool]:
        return frame["contested"] == frame["contested_reason"].notna()
