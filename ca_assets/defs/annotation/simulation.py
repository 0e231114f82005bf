"""Simulated annotators: an ideal point on the two Inglehart–Welzel (IW) axes and a noisy choice rule.

Country means are approximate positions read off the WVS Inglehart–Welzel Cultural Map (World Values Survey
wave 7, 2017–2022; worldvaluessurvey.org), rounded to 0.1. They only seed the simulation: individuals
within a country vary more than countries do, hence the wide within-country spread.
Axes: `trad_secular` (traditional < 0 < secular-rational), `surv_self` (survival < 0 < self-expression).
"""

import hashlib
import json
import random
from functools import cache

import numpy as np

from ca_assets.core.ids import stable_id, stable_seed
from ca_assets.core.paths import PROMPTS_DIR, project_file
from ca_assets.formats.demographics import (
    AGES,
    EDUCATION_LEVELS,
    ETHNICITIES,
    GENDERS,
    POLITICAL_LEANINGS,
    POLITICAL_OPT_OUTS,
)
from ca_assets.vocab import COUNTRIES, POSITIONS

WITHIN_COUNTRY_SD = 0.8


def simulate_annotators(per_country: int, seed: int, careless_share: float = 0.0, langs=None) -> list[dict]:
    """`per_country` pseudonymous annotators per country (of the countries whose language is in `langs`, by default
    every country), each with an ideal point, a preference for
    position a (annotation tools see this bias), a choice sharpness, and the release's demographic fields.
    Political leaning follows the ideal point loosely (more traditional, more right-leaning) so cohort
    analyses by leaning have something to find; the other fields are drawn uniformly. A `careless_share` of
    annotators click without reading (see `choose`), so quality control has someone real to find."""
    rows = []
    for country in COUNTRIES:
        if langs is not None and country.lang not in langs:
            continue  # a country whose language this deployment does not collect in
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
            rows[-1]["careless"] = bool(rng.random() < careless_share)  # drawn last: earlier fields never move
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


CARELESS_FIRST_SHARE = 0.8  # a careless annotator clicks the first answer this often, else any at random
CARELESS_SPEEDUP = 0.25  # and takes a quarter of the time a reader would


def shown_order(annotator_id: str, set_id: str) -> str:
    """The order a set's answers are shown to an annotator, seeded per (annotator, set): a reload, a rerun and the
    live app show the same. Every source stores it, so quality control judges position bias on what people saw
    (a set's generation order can carry its content: an nc set's first answer may lean one way)."""
    order = list(POSITIONS)
    random.Random(stable_seed("shown_order", annotator_id, set_id)).shuffle(order)
    return "".join(order)


def export_order(task_id: str) -> str:
    """The order the task export asks a tool to show a task's answers in (the annotator is not known when a file
    is exported): what a result that does not say its order is taken to have shown. The SQL of the export computes
    the same (sql/annotation/annotation_tasks.sql: positions sorted by sha256 of task id and position)."""
    return "".join(sorted(POSITIONS, key=lambda p: hashlib.sha256(f"{task_id}:{p}".encode()).hexdigest() + p))


def choose(
    ideal: tuple[float, float],
    positions: np.ndarray,
    position_bias: float,
    sharpness: float,
    rng: np.random.Generator,
    careless: bool = False,
) -> int:
    """Index of the chosen candidate under a random-utility (logit) model.

    utility_k = -sharpness * squared distance(ideal, candidate_k) + position_bias * [k == 0] + Gumbel noise;
    the argmax of Gumbel-perturbed utilities is a draw from the softmax over utilities. A careless annotator
    ignores the answers: the first one mostly, otherwise any.
    """
    if careless:
        return 0 if rng.random() < CARELESS_FIRST_SHARE else int(rng.integers(len(positions)))
    distances = ((positions - np.asarray(ideal)) ** 2).sum(axis=1)
    utility = -sharpness * distances
    utility[0] += position_bias
    return int(np.argmax(utility + rng.gumbel(size=len(utility))))


@cache
def _explanations(lang: str) -> dict[str, list[str]]:
    """prompts/explanations/<lang>.json: short reasons per IW pole (and `none`), written for this project."""
    return json.loads(project_file(PROMPTS_DIR, f"explanations/{lang}.json").read_text(encoding="utf-8"))


def explanation(rng: np.random.Generator, lang: str, pole: str | None) -> str:
    """A short explanation in the annotator's language of why they chose an answer holding `pole` (a generic
    one when the judge found no pole or gave no verdict)."""
    options = _explanations(lang).get(pole or "none") or _explanations(lang)["none"]
    return options[int(rng.integers(len(options)))]


READING_WORDS_PER_SECOND = 4.0


def seconds_to_choose(rng: np.random.Generator, annotator_id: str, words: int, careless: bool = False) -> float:
    """Time to read four answers and choose: words at the annotator's own pace (log-normal around four words
    per second), plus a few seconds to decide, with noise; a careless annotator does not read."""
    pace = READING_WORDS_PER_SECOND * float(np.exp(np.random.default_rng(stable_seed("pace", annotator_id)).normal(0, 0.3)))
    seconds = (words / pace + 3.0) * np.exp(rng.normal(0, 0.25))
    return round(float(seconds * (CARELESS_SPEEDUP if careless else 1.0)), 2)


ATTENTIVE_GOLD_ACCURACY = 0.95  # a reading annotator still slips now and then


def answer_gold(rng: np.random.Generator, correct: str, positions: tuple[str, ...], careless: bool) -> str:
    """An attention-check answer: a reader picks the right one (bar a rare slip); a careless annotator clicks
    as they always do (mostly the first answer)."""
    if careless:
        return positions[choose((0.0, 0.0), np.zeros((len(positions), 2)), 0.0, 0.0, rng, careless=True)]
    if rng.random() < ATTENTIVE_GOLD_ACCURACY:
        return correct
    return positions[int(rng.integers(len(positions)))]
