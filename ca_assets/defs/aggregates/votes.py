"""Aggregates of best-of-4 choices per item and cohort (the numbers come from vote_math).

Disagreement is kept as signal: besides the plurality winner, each item gets its choice entropy per cohort,
the Jensen–Shannon divergence between the countries that voted enough on it, and a `contested` flag with its
reason: `countries_disagree` (two or more countries whose favourites differ, JSD at least `contested_jsd`) or
`no_consensus` (enough annotators overall, entropy at least `no_consensus_entropy` bits).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ca_assets.defs.aggregates.vote_math import borda, bradley_terry, entropy_bits, jensen_shannon, vote_shares

ALL, UNKNOWN = "all", "unknown"  # cohort names that are not countries


@dataclass(frozen=True)
class ContestRules:
    min_country_votes: int = 3  # a country's distribution on an item counts from this many annotations
    contested_jsd: float = 0.1  # bits
    min_annotations: int = 5  # below this, an item cannot be `no_consensus`
    no_consensus_entropy: float = 1.5  # bits, of at most 2 for four answers
    bt_prior: float = 0.5  # pseudo-wins per ordered pair (keeps unchosen answers' strengths finite)


def aggregate(votes: pd.DataFrame, rules: ContestRules) -> pd.DataFrame:
    """votes: sql/aggregates/queries/aggregate_votes.sql's rows (item_id, cohort, annotations, answer_key, position, votes,
    ...), sorted by item, cohort and position. Returns them with the aggregate columns of sql/aggregates/aggregates.sql."""
    frame = votes.reset_index(drop=True).copy()
    frame["answers"] = frame.groupby(["item_id", "cohort"])["votes"].transform("size")
    for column in ("vote_share", "borda", "bt_strength", "entropy_bits"):
        frame[column] = np.nan
    frame["plurality"] = False
    for k, part in frame.groupby("answers"):  # items with a repeated answer have fewer than four
        counts = part["votes"].to_numpy(dtype=float).reshape(-1, k)
        index = part.index
        frame.loc[index, "vote_share"] = vote_shares(counts).ravel()
        frame.loc[index, "borda"] = borda(counts).ravel()
        frame.loc[index, "bt_strength"] = bradley_terry(counts, prior=rules.bt_prior).ravel()
        frame.loc[index, "entropy_bits"] = np.repeat(entropy_bits(counts), k)
        most = counts.max(axis=1, keepdims=True)
        frame.loc[index, "plurality"] = ((counts == most) & (most > 0)).ravel()  # ties: every tied answer
    items = _between_countries(frame, rules)
    frame = frame.drop(columns="answers").merge(items, on="item_id", how="left")
    frame["countries"] = frame["countries"].fillna(0).astype("int64")
    overall = frame[frame["cohort"] == ALL].drop_duplicates("item_id").set_index("item_id")
    spread = overall["entropy_bits"].reindex(frame["item_id"]).to_numpy()
    size = overall["annotations"].reindex(frame["item_id"]).to_numpy()
    no_consensus = (size >= rules.min_annotations) & (spread >= rules.no_consensus_entropy)
    disagree = frame["countries_disagree"].eq(True).to_numpy()  # items no two countries voted enough on: False
    frame["contested_reason"] = np.where(disagree, "countries_disagree", np.where(no_consensus, "no_consensus", None))
    frame["contested"] = disagree | no_consensus
    return frame.drop(columns="countries_disagree")


def _between_countries(frame: pd.DataFrame, rules: ContestRules) -> pd.DataFrame:
    """Per item: how many countries voted enough, their JSD (NaN below two) and whether their favourites differ."""
    counted = frame[~frame["cohort"].isin([ALL, UNKNOWN]) & (frame["annotations"] >= rules.min_country_votes)]
    parts = []
    for k, part in counted.groupby("answers"):
        shares = part["vote_share"].to_numpy().reshape(-1, k)
        rows = part.iloc[::k][["item_id", "cohort"]].reset_index(drop=True)
        item_codes, item_ids = pd.factorize(rows["item_id"])
        country_codes, countries = pd.factorize(rows["cohort"])
        distributions = np.full((len(item_ids), len(countries), k), np.nan)
        present = np.zeros((len(item_ids), len(countries)), dtype=bool)
        distributions[item_codes, country_codes] = shares
        present[item_codes, country_codes] = True
        favourites = pd.Series(shares.argmax(axis=1)).groupby(item_codes).nunique().reindex(range(len(item_ids)))
        jsd = jensen_shannon(distributions, present)
        parts.append(
            pd.DataFrame(
                {
                    "item_id": item_ids,
                    "countries": present.sum(axis=1),
                    "jsd_countries": jsd,
                    "countries_disagree": (favourites.to_numpy() > 1) & (jsd >= rules.contested_jsd),
                }
            )
        )
    empty = pd.DataFrame({"item_id": pd.Series(dtype=object), "countries": pd.Series(dtype="int64"),
                          "jsd_countries": pd.Series(dtype=float), "countries_disagree": pd.Series(dtype=bool)})  # fmt: skip
    return pd.concat(parts, ignore_index=True) if parts else empty
