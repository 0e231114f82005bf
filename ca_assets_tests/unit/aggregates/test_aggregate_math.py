import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.spatial.distance import jensenshannon
from scipy.special import expit

from ca_assets.defs.aggregates.vote_math import borda, bradley_terry, entropy_bits, jensen_shannon, plurality, vote_shares


def bt_mle(votes: np.ndarray, prior: float) -> np.ndarray:
    """Independent Bradley–Terry maximum-likelihood fit: pairwise wins w_ij = v_i + prior (i != j), optimised
    over log-strengths with BFGS, the gauge fixed by a penalty on their sum; returned normalised to sum 1."""
    k = len(votes)
    wins = np.where(np.eye(k, dtype=bool), 0.0, (np.asarray(votes, dtype=float) + prior)[:, None])

    def loss(theta):
        diff = theta[:, None] - theta[None, :]
        nll = -(wins * (diff - np.logaddexp(0.0, diff))).sum() + theta.sum() ** 2
        pull = wins * (1 - expit(diff))  # d(-nll)/d theta_i from pair (i, j), and minus it for theta_j
        grad = -(pull.sum(axis=1) - pull.sum(axis=0)) + 2 * theta.sum()
        return nll, grad

    result = minimize(loss, np.zeros(k), jac=True, method="BFGS", options={"gtol": 1e-12, "maxiter": 10_000})
    strengths = np.exp(result.x - result.x.max())
    return strengths / strengths.sum()


def test_vote_shares_normalise_rows_and_give_nan_without_votes():
    shares = vote_shares(np.array([[1, 3, 0, 0], [0, 0, 0, 0]]))
    np.testing.assert_allclose(shares[0], [0.25, 0.75, 0, 0])
    assert shares.shape == (2, 4)
    assert np.isnan(shares[1]).all()


def test_entropy_bits_hand_values():
    votes = np.array([[1, 1, 1, 1], [4, 0, 0, 0], [2, 2, 0, 0], [0, 0, 0, 0], [3, 1, 0, 0]])
    h = entropy_bits(votes)
    assert h.shape == (5,)
    np.testing.assert_allclose(h[:3], [2.0, 0.0, 1.0], atol=1e-12)
    assert np.isnan(h[3])
    np.testing.assert_allclose(h[4], -(0.75 * np.log2(0.75) + 0.25 * np.log2(0.25)))


def test_borda_hand_values_and_points_per_annotator():
    points = borda(np.array([[1, 0, 0, 0], [1, 1, 0, 0], [0, 0, 0, 0], [0, 2, 0, 2]]))
    np.testing.assert_allclose(points[0], [3, 1, 1, 1])
    np.testing.assert_allclose(points[1], [2, 2, 1, 1])  # mean of [3, 1, 1, 1] and [1, 3, 1, 1]
    assert np.isnan(points[2]).all()
    np.testing.assert_allclose(points[3], [1, 2, 1, 2])
    np.testing.assert_allclose(points[[0, 1, 3]].sum(axis=1), 6.0)  # K(K-1)/2


def test_borda_orders_like_plurality_for_top1_choices():
    votes = np.random.default_rng(1).integers(0, 6, (200, 4))
    votes[votes.sum(axis=1) == 0, 0] = 1
    winner, _ = plurality(votes)
    np.testing.assert_array_equal(borda(votes).argmax(axis=1), winner)


@pytest.mark.parametrize("prior", [0.5, 2.0])
def test_bradley_terry_matches_independent_maximum_likelihood_fit(prior):
    rng = np.random.default_rng(7)
    cases = [rng.integers(0, 12, 4) for _ in range(8)] + [np.array([5, 0, 0, 0]), np.array([3, 3, 1, 0])]
    fitted = bradley_terry(np.array(cases), prior=prior)
    for votes, row in zip(cases, fitted, strict=True):
        np.testing.assert_allclose(row, bt_mle(votes, prior), atol=1e-5)


def test_bradley_terry_keeps_vote_order_and_unchosen_candidates_positive():
    votes = np.array([[7, 4, 1, 0], [0, 2, 9, 5], [1, 0, 0, 0]])
    strengths = bradley_terry(votes)
    more = votes[:, :, None] > votes[:, None, :]
    assert (strengths[:, :, None] > strengths[:, None, :])[more].all()
    np.testing.assert_allclose(strengths[2, 1:], strengths[2, 1])  # equal votes, equal strengths
    assert (strengths > 0).all()


def test_bradley_terry_uniform_without_votes_and_rows_sum_to_one():
    votes = np.vstack([np.zeros((1, 4)), np.full((1, 4), 3), np.random.default_rng(3).integers(0, 20, (50, 4))])
    strengths = bradley_terry(votes)
    assert strengths.shape == (52, 4)
    np.testing.assert_allclose(strengths[:2], 0.25)
    np.testing.assert_allclose(strengths.sum(axis=1), 1.0)
    np.testing.assert_allclose(bradley_terry(np.zeros((2, 4)), prior=0.0), 0.25)


def test_bradley_terry_without_prior_gives_unchosen_candidates_zero():
    # 0 and 1 both beat 2 and 3; between themselves 0 won 3 of 4, so the MLE ratio p0 : p1 is 3 : 1
    np.testing.assert_allclose(bradley_terry(np.array([[3, 1, 0, 0]]), prior=0.0)[0], [0.75, 0.25, 0, 0], atol=1e-7)


def test_bradley_terry_vectorised_equals_single_rows_across_chunks():
    votes = np.random.default_rng(11).integers(0, 15, (40, 4))
    votes[[3, 17]] = 0
    batch = bradley_terry(votes, chunk=7)
    single = np.vstack([bradley_terry(row[None, :]) for row in votes])
    np.testing.assert_allclose(batch, single, rtol=0, atol=1e-12)
    np.testing.assert_allclose(bradley_terry(votes), batch, rtol=0, atol=1e-12)


def test_bradley_terry_rejects_negative_prior_and_handles_no_groups():
    with pytest.raises(ValueError):
        bradley_terry(np.ones((1, 4)), prior=-1)
    assert bradley_terry(np.zeros((0, 4))).shape == (0, 4)


def test_jensen_shannon_hand_values():
    a, b, half = [1.0, 0, 0, 0], [0, 1.0, 0, 0], [0.5, 0.5, 0, 0]
    quarter = [0.25] * 4
    distributions = np.array([[a, a], [a, b], [quarter, quarter], [a, half]])
    jsd = jensen_shannon(distributions, np.ones((4, 2), dtype=bool))
    np.testing.assert_allclose(jsd[:3], [0.0, 1.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(jsd[3], jensenshannon(a, half, base=2) ** 2)  # scipy gives the square root


def test_jensen_shannon_ignores_absent_cohorts_and_needs_two_present():
    nan = [np.nan] * 4
    a, b, c = [1.0, 0, 0, 0], [0, 1.0, 0, 0], [0, 0, 0.5, 0.5]
    distributions = np.array([[a, b, nan], [a, b, c], [a, nan, nan], [a, b, c]])
    present = np.array([[True, True, False], [True, True, False], [True, False, False], [True, True, True]])
    jsd = jensen_shannon(distributions, present)
    np.testing.assert_allclose(jsd[:2], 1.0)
    assert np.isnan(jsd[2])
    mixture = np.array([1, 1, 0.5, 0.5]) / 3
    np.testing.assert_allclose(jsd[3], -(mixture * np.log2(mixture)).sum() - 1 / 3)


def test_jensen_shannon_reaches_log2_min_c_k():
    eye = np.eye(4)
    jsd = jensen_shannon(np.array([eye, eye[[0, 1, 2, 2]]]), np.array([[True] * 4, [True, True, True, False]]))
    np.testing.assert_allclose(jsd, [2.0, np.log2(3)])


def test_plurality_winner_ties_and_empty_rows():
    winner, tie = plurality(np.array([[3, 1, 0, 0], [2, 2, 0, 0], [0, 0, 0, 0], [0, 1, 1, 1], [0, 0, 0, 5]]))
    np.testing.assert_array_equal(winner, [0, 0, -1, 1, 3])
    np.testing.assert_array_equal(tie, [False, True, False, True, False])
    assert winner.dtype.kind == "i"
    assert tie.dtype == bool
