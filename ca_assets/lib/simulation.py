"""Simulated annotators: an ideal point on the two Inglehart–Welzel (IW) axes and a noisy choice rule.

Country means are approximate positions read off the WVS Inglehart–Welzel Cultural Map (World Values Survey
wave 7, 2017–2022; worldvaluessurvey.org), rounded to 0.1. They only seed the simulation: individuals
within a country vary more than countries do, hence the wide within-country spread.
Axes: `trad_secular` (traditional < 0 < secular-rational), `surv_self` (survival < 0 < self-expression).
"""

from dataclasses import dataclass

import numpy as np

from ca_assets.lib.demographics import (
    AGES,
    EDUCATION_LEVELS,
    ETHNICITIES,
    GENDERS,
    POLITICAL_LEANINGS,
    POLITICAL_OPT_OUTS,
)
from ca_assets.lib.ids import stable_id, stable_seed


@dataclass(frozen=True)
class Country:
    name: str
    lang: str
    trad_secular: float
    surv_self: float


COUNTRIES = (
    Country("united states", "en", -0.2, 1.4),
    Country("france", "fr", 0.7, 1.0),
    Country("italy", "it", 0.2, 0.6),
    Country("brazil", "pt", -1.0, 0.3),
    Country("india", "hi", -0.6, -0.5),
)
WITHIN_COUNTRY_SD = 0.8


def simulate_annotators(per_country: int, seed: int) -> list[dict]:
    """`per_country` pseudonymous annotators per country, each with an ideal point, a preference for
    position a (annotation tools see this bias), a choice sharpness, and the release's demographic fields.
    Political leaning follows the ideal point loosely (more traditional, more right-leaning) so cohort
    analyses by leaning have something to find; the other fields are drawn uniformly."""
    rows = []
    for country in COUNTRIES:
        for index in range(per_country):
            rng = np.random.default_rng(stable_seed("annotator", country.name, index, seed))
            rows.append(
                {
                    "annotator_id": "sim-" + stable_id(country.name, index, seed, length=10),
                    "country": country.name,
                    "assigned_lang": country.lang,
                    "source": "simulated",
                    "ideal_trad_secular": float(rng.normal(country.trad_secular, WITHIN_COUNTRY_SD)),
                    "ideal_surv_self": float(rng.normal(country.surv_self, WITHIN_COUNTRY_SD)),
                    "position_bias": float(rng.uniform(0.0, 0.5)),
                    "sharpness": float(rng.uniform(0.5, 2.0)),
                }
            )
            rows[-1].update(_demographics(rng, rows[-1]["ideal_trad_secular"]))
    return rows


def _demographics(rng: np.random.Generator, trad_secular: float) -> dict:
    """Drawn after the choice-model parameters, so adding fields never moves an annotator's ideal point."""
    if rng.random() < 0.1:
        political = POLITICAL_OPT_OUTS[int(rng.integers(len(POLITICAL_OPT_OUTS)))]
    else:
        leaning = round(2 - 1.2 * trad_secular + rng.normal(0, 0.8))  # secular → left, traditional → right
        political = POLITICAL_LEANINGS[int(np.clip(leaning, 0, len(POLITICAL_LEANINGS) - 1))]
    return {
        "age": AGES[int(rng.integers(len(AGES)))],
        "gender": GENDERS[int(rng.integers(len(GENDERS)))],
        "education_level": EDUCATION_LEVELS[int(rng.integers(len(EDUCATION_LEVELS)))],
        "ethnicity": ETHNICITIES[int(rng.integers(len(ETHNICITIES)))],
        "political": political,
    }


def choose(
    ideal: tuple[float, float],
    positions: np.ndarray,
    position_bias: float,
    sharpness: float,
    rng: np.random.Generator,
) -> int:
    """Index of the chosen candidate under a random-utility (logit) model.

    utility_k = -sharpness * squared distance(ideal, candidate_k) + position_bias * [k == 0] + Gumbel noise;
    the argmax of Gumbel-perturbed utilities is a draw from the softmax over utilities.
    """
    distances = ((positions - np.asarray(ideal)) ** 2).sum(axis=1)
    utility = -sharpness * distances
    utility[0] += position_bias
    return int(np.argmax(utility + rng.gumbel(size=len(utility))))
