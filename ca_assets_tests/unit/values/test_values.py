"""The offline value judge: labels from scores, calibration arithmetic, the shipped calibration set, and
(with the real multilingual encoder) its cross-validated accuracy against chance in every language."""

import json

import numpy as np
import pytest
from scipy.stats import binomtest

from ca_assets.core.paths import PROMPTS_DIR
from ca_assets.defs.values.judge import (
    accuracy_table,
    cross_validated_labels,
    fit_language,
    labels_from_scores,
    pole_sentences,
    read_calibration_set,
    topic_folds,
)
from ca_assets.models.embeddings import Embedder
from ca_assets.vocab import LANGS, POLES, VALUE_LABELS
from ca_assets_tests.support.calibration_embeddings import sha, vectors_by_sha


def test_label_is_the_stronger_axis_end_or_none_under_the_margin():
    scores = np.array([[-1.2, 0.3], [0.9, -0.2], [0.1, -0.8], [0.2, 1.5], [0.1, -0.2]])
    assert labels_from_scores(scores, none_below=0.5) == [*POLES, "none"]
    assert labels_from_scores(scores, none_below=0.0)[-1] == "survival"


def test_calibration_puts_each_axis_poles_examples_at_minus_and_plus_one():
    rng = np.random.default_rng(0)
    descriptions = {pole: np.eye(8)[[i]] for i, pole in enumerate(POLES)}  # one unit vector per pole
    labels = [pole for pole in POLES for _ in range(5)] + ["none"] * 5
    vectors = np.stack([np.eye(8)[POLES.index(p)] if p != "none" else np.eye(8)[6] for p in labels])
    vectors = vectors + rng.normal(0, 0.05, vectors.shape)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    calibration = fit_language(descriptions, vectors, labels)
    scores = (vectors @ calibration.prototypes.T)
    raw = np.stack([scores[:, 1] - scores[:, 0], scores[:, 3] - scores[:, 2]], axis=1)
    calibrated = (raw - calibration.offset) / calibration.scale
    labels_array = np.asarray(labels)
    assert calibrated[labels_array == "traditional", 0].mean() == pytest.approx(-1)
    assert calibrated[labels_array == "secular_rational", 0].mean() == pytest.approx(1)
    assert calibrated[labels_array == "survival", 1].mean() == pytest.approx(-1)
    assert labels_from_scores(calibrated, calibration.none_below) == labels


def test_calibration_set_covers_every_language_topic_and_label():
    items = read_calibration_set()
    assert set(items["lang"]) == set(LANGS)
    per_language = items.groupby("lang").size()
    assert (per_language >= 40).all(), per_language
    assert set(items["pole"]) == set(VALUE_LABELS)
    assert not items.duplicated(["lang", "item_id"]).any()
    assert (items.groupby(["lang", "pole"]).size() >= 8).all()


def test_pole_descriptions_exist_in_every_language_with_the_same_shape():
    shapes = {lang: {pole: len(sentences) for pole, sentences in pole_sentences(lang).items()} for lang in LANGS}
    assert all(shape == shapes["en"] for shape in shapes.values()), shapes
    for lang in LANGS:
        text = (PROMPTS_DIR / "judge" / "poles" / f"iw_poles.v2.{lang}.json").read_text(encoding="utf-8")
        assert set(json.loads(text)) == {"_comment", *POLES}


def test_folds_hold_out_whole_topics_and_cover_every_item():
    items = read_calibration_set()
    folds = topic_folds(items)
    assert sum(fold.sum() for fold in folds) == len(items)
    for fold in folds:
        assert not set(items[fold]["topic"]) & set(items[~fold]["topic"])


@pytest.fixture(scope="module")
def cross_validated(calibration_embeddings):
    items = read_calibration_set()
    embedder = Embedder()
    known = vectors_by_sha(calibration_embeddings)  # the real model's vectors, embedded once a session

    def embed(texts: list[str]) -> np.ndarray:
        new = [t for t in dict.fromkeys(texts) if sha(t) not in known]
        known.update(zip(map(sha, new), embedder.embed(new), strict=True))
        return np.stack([known[sha(t)] for t in texts])

    return accuracy_table(items, cross_validated_labels(embed, items))


@pytest.mark.parametrize("lang", LANGS)
def test_offline_judge_beats_chance_in_every_language(cross_validated, lang):
    """Held-out accuracy (topics never seen by the calibration) is above chance with p < 0.01 on both axes
    and on the five-way label."""
    rows = cross_validated[cross_validated["lang"] == lang]
    assert set(rows["measure"]) == {"trad_secular", "surv_self", "label"}
    for row in rows.itertuples():
        test = binomtest(row.correct, row.items, row.chance, alternative="greater")
        assert test.pvalue < 0.01, (lang, row.measure, row.correct, row.items, row.chance)
