import numpy as np

from ca_assets.core.ids import stable_id, stable_seed
from ca_assets.defs.annotation.simulation import choose, simulate_annotators
from ca_assets.vocab import COUNTRIES

POINTS = np.array([[-2.0, -2.0], [2.0, 2.0], [-2.0, 2.0], [2.0, -2.0]])


def _shares(ideal, bias=0.0, sharpness=1.0, draws=2000):
    rng = np.random.default_rng(0)
    picks = [choose(ideal, POINTS, bias, sharpness, rng) for _ in range(draws)]
    return np.bincount(picks, minlength=4) / draws


def test_annotator_mostly_chooses_the_candidate_nearest_their_values():
    shares = _shares((1.8, 1.9))
    assert shares.argmax() == 1 and shares[1] > 0.9


def test_position_bias_raises_the_share_of_position_a():
    # Two equidistant candidates (a and b) from an ideal at the origin: bias alone separates them.
    assert _shares((0.0, 0.0), bias=1.0)[0] > _shares((0.0, 0.0), bias=0.0)[0] + 0.1


def test_sharper_annotators_are_more_consistent():
    assert _shares((1.0, 1.0), sharpness=0.05)[1] < _shares((1.0, 1.0), sharpness=2.0)[1]


def test_simulated_annotators_are_reproducible_and_cover_every_country():
    first, again = simulate_annotators(3, seed=7), simulate_annotators(3, seed=7)
    assert first == again
    assert {row["country"] for row in first} == {c.name for c in COUNTRIES}
    assert len({row["annotator_id"] for row in first}) == 15
    assert simulate_annotators(3, seed=8)[0]["annotator_id"] != first[0]["annotator_id"]


def test_stable_ids_separate_parts():
    assert stable_id("a", "bc") != stable_id("ab", "c")
    assert stable_id("x", 1) == stable_id("x", 1)
    assert 0 <= stable_seed("x") < 2**31


def test_simulated_annotators_carry_the_release_demographics():
    from ca_assets.formats.demographics import AGES, EDUCATION_LEVELS, GENDERS, POLITICAL, POLITICAL_LEANINGS

    people = simulate_annotators(60, seed=1)
    assert {p["age"] for p in people} == set(AGES)
    assert {p["gender"] for p in people} <= set(GENDERS)
    assert {p["education_level"] for p in people} <= set(EDUCATION_LEVELS)
    assert {p["political"] for p in people} <= set(POLITICAL)
    # leaning follows the ideal point: left-leaning annotators are more secular than right-leaning ones
    left = [p["ideal_trad_secular"] for p in people if p["political"] in POLITICAL_LEANINGS[:2]]
    right = [p["ideal_trad_secular"] for p in people if p["political"] in POLITICAL_LEANINGS[3:]]
    assert np.mean(left) > np.mean(right) + 0.5


def test_demographics_do_not_move_ideal_points():
    """Drawn after the choice-model parameters: an annotator's first draws are still its ideal point."""
    from ca_assets.defs.annotation.simulation import WITHIN_COUNTRY_SD

    person, country = simulate_annotators(1, seed=0)[0], COUNTRIES[0]
    rng = np.random.default_rng(stable_seed("annotator", country.name, 0, 0))
    assert person["ideal_trad_secular"] == rng.normal(country.trad_secular, WITHIN_COUNTRY_SD)
    assert person["ideal_surv_self"] == rng.normal(country.surv_self, WITHIN_COUNTRY_SD)
