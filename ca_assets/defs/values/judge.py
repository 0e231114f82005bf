"""Which Inglehart–Welzel (IW) value a text expresses: labels, the calibration set, and the offline judge.

Two axes: `trad_secular` (traditional < 0 < secular-rational) and `surv_self` (survival < 0 <
self-expression). A judge gives each text a score per axis and a label: one of the four poles, or `none`.

The offline judge (`PrototypeJudge`) embeds each pole's descriptions in the text's language
(prompts/judge/poles/iw_poles.v<version>.<lang>.json) into one prototype per pole. A text's raw axis score is
how much closer it sits to one pole's prototype than to the opposite one's. E5 similarities live in a narrow,
language-dependent band, so the judge is calibrated per language on the shipped calibration set
(prompts/judge/calibration/<lang>.jsonl): each axis is shifted and scaled so the two poles' examples sit at
-1 and +1 on average, and a margin below which a text is `none` is fitted. Scores are then absolute: a
text's score does not depend on what else is judged with it. (Pulling the prototypes toward the labelled
examples as well was measured and did not help: 5-way accuracy 0.72 against 0.74 without, cross-validated.)
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Protocol

import numpy as np
import pandas as pd

from ca_assets.core.paths import PROMPTS_DIR, project_file
from ca_assets.vocab import AXES, LANGS, POLES, UNJUDGED

POLES_VERSION = 2
CALIBRATION_FOLDS = 5  # cross-validation folds over topics, so an item is never judged by a fit that saw it


@cache
def pole_sentences(lang: str, version: int = POLES_VERSION) -> dict[str, list[str]]:
    path = project_file(PROMPTS_DIR, f"judge/poles/iw_poles.v{version}.{lang}.json")
    table = json.loads(path.read_text(encoding="utf-8"))
    missing = set(POLES) - set(table)
    if missing:
        raise ValueError(f"{path.name} lacks poles {sorted(missing)}")
    return {pole: list(table[pole]) for pole in POLES}


def calibrated_languages() -> list[str]:
    """The configured languages the project ships judge material for: a calibration set and pole descriptions."""
    return [
        lang for lang in LANGS
        if (PROMPTS_DIR / "judge" / "calibration" / f"{lang}.jsonl").is_file()
        and (PROMPTS_DIR / "judge" / "poles" / f"iw_poles.v{POLES_VERSION}.{lang}.json").is_file()
    ]  # fmt: skip


def read_calibration_set() -> pd.DataFrame:
    """The shipped calibration set: item_id, lang, topic, pole (a label), text; one file per calibrated language."""
    frames = [pd.DataFrame(columns=["item_id", "lang", "topic", "pole", "text"])]
    for lang in calibrated_languages():
        path = project_file(PROMPTS_DIR, f"judge/calibration/{lang}.jsonl")
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        frames.append(pd.DataFrame(rows).assign(lang=lang))
    return pd.concat(frames, ignore_index=True)[["item_id", "lang", "topic", "pole", "text"]]


Embed = Callable[[list[str]], np.ndarray]


class ValueJudge(Protocol):
    """The one interface both judges offer (PrototypeJudge here, LlmJudge in llm_judge.py)."""

    name: str  # recorded in candidate_values.judge and judge_calibration.judge

    def judge(self, texts: list[str], langs: list[str]) -> pd.DataFrame:
        """Per text, in order: trad_secular, surv_self (floats, null if unjudged) and label."""
        ...


@dataclass(frozen=True)
class LanguageCalibration:
    prototypes: np.ndarray  # (4, dim), POLES order, unit length
    offset: np.ndarray  # (2,) per axis, subtracted from the raw score
    scale: np.ndarray  # (2,) per axis, divides the shifted score
    none_below: float  # a text whose largest |axis score| is below this expresses no pole


def raw_axis_scores(vectors: np.ndarray, prototypes: np.ndarray) -> np.ndarray:
    """(n, 2): similarity to the second pole of each axis minus similarity to the first."""
    similarity = vectors @ prototypes.T
    return np.stack([similarity[:, 1] - similarity[:, 0], similarity[:, 3] - similarity[:, 2]], axis=1)


def labels_from_scores(scores: np.ndarray, none_below: float) -> list[str]:
    """The pole of the axis with the larger |score| (its sign picks the end), or `none` under the margin."""
    labels = []
    for trad_secular, surv_self in scores:
        axis, value = (0, trad_secular) if abs(trad_secular) >= abs(surv_self) else (1, surv_self)
        if abs(value) < none_below:
            labels.append("none")
        else:
            labels.append(POLES[2 * axis + (value > 0)])
    return labels


def _unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.linalg.norm(vectors, axis=-1, keepdims=True)


def fit_language(description_vectors: dict[str, np.ndarray], vectors: np.ndarray, labels: list[str]) -> LanguageCalibration:
    """Calibrate one language: prototypes from its pole descriptions' embeddings, axis offsets, scales and
    the `none` margin from its labelled examples."""
    labels_array = np.asarray(labels)
    prototypes = np.stack([_unit(description_vectors[pole].mean(axis=0)) for pole in POLES])
    raw = raw_axis_scores(vectors, prototypes)
    offset, scale = np.zeros(2), np.ones(2)
    for axis, (low, high) in enumerate(AXES.values()):
        low_mean, high_mean = raw[labels_array == low, axis].mean(), raw[labels_array == high, axis].mean()
        offset[axis] = (low_mean + high_mean) / 2
        scale[axis] = max((high_mean - low_mean) / 2, 1e-6)
    scores = (raw - offset) / scale
    margins = np.unique(np.abs(scores).max(axis=1))
    candidates = np.concatenate([[0.0], margins])
    accuracy = [np.mean(np.asarray(labels_from_scores(scores, m)) == labels_array) for m in candidates]
    return LanguageCalibration(prototypes, offset, scale, float(candidates[int(np.argmax(accuracy))]))


class PrototypeJudge:
    """The offline value judge: calibrated embedding prototypes, one set per language."""

    name = f"embedding_prototype.v{POLES_VERSION}"

    def __init__(self, embed: Embed, calibration: pd.DataFrame):
        self.embed = embed
        langs = sorted(calibration["lang"].unique())
        # Every text this needs in one call: one cache lookup, one batch for the encoder.
        sentences = [(lang, pole, s) for lang in langs for pole, group in pole_sentences(lang).items() for s in group]
        vectors = embed([s for _, _, s in sentences] + calibration["text"].tolist())
        described, examples = vectors[: len(sentences)], vectors[len(sentences) :]
        self.languages = {}
        for lang in langs:
            descriptions = {
                pole: described[[i for i, (of, p, _) in enumerate(sentences) if (of, p) == (lang, pole)]] for pole in POLES
            }
            rows = (calibration["lang"] == lang).to_numpy()
            self.languages[lang] = fit_language(descriptions, examples[rows], calibration["pole"][rows].tolist())

    def judge(self, texts: list[str], langs: list[str]) -> pd.DataFrame:
        """trad_secular, surv_self (about -1 and +1 at the calibration poles' means) and label, per text; a text in a
        language without calibration material is `unjudged`, and judge_raw says what is missing."""
        vectors = self.embed(texts)
        frame = pd.DataFrame(index=range(len(texts)), columns=["trad_secular", "surv_self", "label", "judge_raw"], dtype=object)
        langs_array = np.asarray(langs)
        for lang in set(langs):
            rows = np.flatnonzero(langs_array == lang)
            if lang not in self.languages:
                frame.loc[rows, "label"] = UNJUDGED
                frame.loc[rows, "judge_raw"] = (
                    f"no calibration material for {lang!r} (prompts/judge/calibration/{lang}.jsonl and "
                    f"prompts/judge/poles/iw_poles.v{POLES_VERSION}.{lang}.json); calibrated: {sorted(self.languages)}"
                )
                continue
            calibration = self.languages[lang]
            scores = (raw_axis_scores(vectors[rows], calibration.prototypes) - calibration.offset) / calibration.scale
            frame.loc[rows, "trad_secular"] = scores[:, 0]
            frame.loc[rows, "surv_self"] = scores[:, 1]
            frame.loc[rows, "label"] = labels_from_scores(scores, calibration.none_below)
        return frame.astype({"trad_secular": float, "surv_self": float, "label": str})


def topic_folds(calibration: pd.DataFrame, folds: int = CALIBRATION_FOLDS) -> list[np.ndarray]:
    """Boolean test masks: whole topics held out together, so a held-out item's topic was never seen."""
    topics = sorted(calibration["topic"].unique())
    return [calibration["topic"].isin(topics[k::folds]).to_numpy() for k in range(folds)]


def cross_validated_labels(embed: Embed, calibration: pd.DataFrame, folds: int = CALIBRATION_FOLDS) -> pd.DataFrame:
    """The prototype judge's verdict on every calibration item from a fit on the other folds."""
    verdicts = []
    for test in topic_folds(calibration, folds):
        judge = PrototypeJudge(embed, calibration[~test])
        held_out = calibration[test]
        verdict = judge.judge(held_out["text"].tolist(), held_out["lang"].tolist())
        verdicts.append(verdict.set_index(held_out.index))
    return pd.concat(verdicts).sort_index()


def accuracy_table(calibration: pd.DataFrame, verdicts: pd.DataFrame) -> pd.DataFrame:
    """Accuracy per language and measure: each axis (items labelled with one of its poles: is the score's
    sign right? chance 0.5) and the five-way label (chance: the most common label's share). `verdicts` is
    indexed like `calibration`."""
    rows = []
    joined = calibration.join(verdicts)
    for lang, items in [*joined.groupby("lang"), ("all", joined)]:
        for axis, (low, high) in AXES.items():
            on_axis = items[items["pole"].isin([low, high])]
            # A score of exactly 0 (or none, when unjudged) names neither end: wrong, not a coin flip.
            expected = np.where(on_axis["pole"] == high, 1.0, -1.0)
            correct = np.sign(on_axis[axis].astype(float)) == expected
            rows.append({"lang": lang, "measure": axis, "items": len(on_axis), "correct": int(correct.sum()), "chance": 0.5})
        correct = items["label"] == items["pole"]
        chance = items["pole"].value_counts(normalize=True).max()
        rows.append({"lang": lang, "measure": "label", "items": len(items), "correct": int(correct.sum()), "chance": chance})
    table = pd.DataFrame(rows)
    table["accuracy"] = table["correct"] / table["items"]
    return table
