"""Vectorised aggregation of best-of-K votes: one row per group (an item, or an item within a country cohort).

Every function takes `(G, K)` vote counts (K = 4 candidates a–d here, but only the array shapes fix it) and
works on all groups at once with numpy, so a few hundred thousand groups aggregate in seconds without a Python
loop per item. A group with no votes never raises: it gives NaN (shares, entropy, Borda), uniform strengths
(Bradley–Terry) or winner -1 (plurality), so callers can filter afterwards instead of special-casing.
"""

import numpy as np


def vote_shares(votes: np.ndarray) -> np.ndarray:
    """(G, K) counts -> (G, K) shares; a row with no votes gives NaN shares (0/0), not a fake uniform split."""
    votes = np.asarray(votes, dtype=float)
    totals = votes.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, votes / totals, np.nan)


def _entropy(shares: np.ndarray) -> np.ndarray:
    """Shannon entropy in bits along the last axis with 0*log0 = 0; NaN shares propagate to NaN."""
    with np.errstate(invalid="ignore", divide="ignore"):
        terms = np.where(shares > 0, shares * np.log2(np.where(shares > 0, shares, 1.0)), 0.0)
    return 0.0 - np.where(np.isnan(shares), np.nan, terms).sum(axis=-1)  # 0.0 - x: a unanimous item is 0, not -0


def entropy_bits(votes: np.ndarray) -> np.ndarray:
    """(G, K) -> (G,) Shannon entropy of the vote shares in bits (0 = unanimous, log2 K = uniform); NaN for no votes.

    Measures how much annotators of one item disagree, on a scale that does not depend on the number of votes.
    """
    return _entropy(vote_shares(votes))


def borda(votes: np.ndarray) -> np.ndarray:
    """(G, K) -> (G, K) mean Borda points per annotator for best-of-K choices treated as partial rankings.

    The chosen candidate gets K-1 points; the K-1 unchosen ones are tied for the remaining ranks and share their
    points equally, (K-2)/2 each, so points sum to K(K-1)/2 per annotator. NaN rows for no votes. With top-1
    choices Borda orders exactly like plurality; it is here so ranked inputs can use the same column.
    """
    votes = np.asarray(votes, dtype=float)
    k = votes.shape[-1]
    totals = votes.sum(axis=-1, keepdims=True)
    points = votes * (k - 1) + (totals - votes) * (k - 2) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, points / totals, np.nan)


def bradley_terry(
    votes: np.ndarray, prior: float = 0.5, iterations: int = 200, tol: float = 1e-9, chunk: int = 8192
) -> np.ndarray:
    """(G, K) -> (G, K) Bradley–Terry strengths (each row sums to 1), fitted by Hunter's (2004) MM algorithm.

    Pairwise expansion of best-of-K choices: an annotation choosing i is a win of i over each other candidate j,
    so wins w_ij = v_i and comparisons n_ij = v_i + v_j. `prior` adds that many pseudo-wins to each ordered pair,
    so candidates nobody chose keep a finite, positive strength (the MLE would be 0) and rows with no votes give
    uniform 1/K. MM update p_i <- W_i / sum_j n_ij / (p_i + p_j), renormalised: it raises the likelihood at every
    step and needs no step size. A group stops moving once its max change < tol (so its result does not depend
    on which other groups share the batch); all stop after `iterations`. Groups are fitted `chunk` at a time in
    (K, chunk) layout: small, contiguous temporaries are several times faster than one (G, K, K) pass.
    """
    if prior < 0:
        raise ValueError(f"prior must be >= 0, got {prior}")
    votes = np.asarray(votes, dtype=float)
    g, k = votes.shape
    first, second = np.triu_indices(k, 1)  # each unordered pair once
    incidence = np.zeros((k, len(first)))  # candidate x pair, sums pair terms into per-candidate denominators
    incidence[first, np.arange(len(first))] = incidence[second, np.arange(len(first))] = 1.0
    strengths = np.empty((g, k))
    for start in range(0, g, chunk):
        a = votes[start : start + chunk].T + prior  # (K, n) wins of i over each j incl. pseudo-wins: w_ij = a_i
        wins, comparisons = (k - 1) * a, a[first] + a[second]  # W_i and n_ij = a_i + a_j
        p = np.full(a.shape, 1.0 / k)
        done = a.sum(axis=0) == 0  # prior = 0 and no votes: nothing to fit, stays uniform
        for _ in range(iterations):
            if done.all():
                break
            ratio = np.divide(comparisons, p[first] + p[second], out=np.zeros_like(comparisons), where=comparisons > 0)
            with np.errstate(invalid="ignore", divide="ignore"):
                new = wins / (incidence @ ratio)
                new /= new.sum(axis=0)
            change = np.abs(new - p).max(axis=0)
            p = np.where(done, p, new)
            done |= change < tol
        strengths[start : start + chunk] = p.T
    return strengths


def jensen_shannon(distributions: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Generalised Jensen–Shannon divergence in bits among cohorts, per group: how much country cohorts disagree.

    distributions: (G, C, K) vote shares per cohort (rows of absent cohorts may hold NaN); present: (G, C) bool,
    which cohorts count for that group (e.g. enough votes). JSD = H(mean of the present distributions) - mean of
    their entropies, equal weights so a large cohort does not drown a small one. Groups with fewer than 2 present
    cohorts give NaN. Range [0, log2(min(C, K))].
    """
    present = np.asarray(present, dtype=bool)
    dist = np.where(present[..., None], np.asarray(distributions, dtype=float), 0.0)
    count = present.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mixture = dist.sum(axis=1) / count[:, None]
        mean_entropy = np.where(present, _entropy(dist), 0.0).sum(axis=1) / count
    jsd = np.maximum(_entropy(mixture) - mean_entropy, 0.0)  # clip float rounding just below 0
    return np.where(count >= 2, jsd, np.nan)


def plurality(votes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(G, K) -> (winner index (G,) int, tie (G,) bool).

    The winner is the index with most votes, the lowest index among tied ones (deterministic, so reruns agree),
    and `tie` says whether another candidate has as many votes, so callers can drop or flag ambiguous items.
    No votes: winner -1, tie False.
    """
    votes = np.asarray(votes)
    top = votes.max(axis=-1, keepdims=True)
    empty = votes.sum(axis=-1) == 0
    winner = np.where(empty, -1, votes.argmax(axis=-1))
    tie = ~empty & ((votes == top).sum(axis=-1) > 1)
    return winner, tie
