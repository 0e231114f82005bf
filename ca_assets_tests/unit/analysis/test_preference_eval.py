"""Tests of the held-out per-cohort preference evaluation, on synthetic annotators whose true preferences we set."""

import numpy as np
import pandas as pd
import pytest

from ca_assets.defs.analysis.preference_eval import EvalSettings, evaluate, heterogeneity_gain, split_by_prompt

SETTINGS = EvalSettings()
SHARED, CONTESTED = np.eye(6)[0], np.eye(6)[1]


def simulate(weights: dict, prompts: int = 400, sampler: str = "nc", seed: int = 1, noise: float = 0.3):
    """Per prompt four random candidates; one annotator per cohort picks the best under its own linear utility
    (plus Gumbel noise, i.e. a Bradley–Terry/Plackett–Luce choice) and the choice expands to 3 comparisons."""
    rng = np.random.default_rng(seed)
    rows, chosen, rejected = [], [], []
    for prompt in range(prompts):
        candidates = rng.normal(size=(4, len(SHARED)))
        for cohort, weight in weights.items():
            best = int(np.argmax(candidates @ weight + rng.gumbel(scale=noise, size=4)))
            for other in (i for i in range(4) if i != best):
                rows.append({"sampler": sampler, "cohort": cohort, "prompt_id": f"{sampler}-{prompt}",
                             "annotation_id": f"{sampler}-{prompt}-{cohort}"})  # fmt: skip
                chosen.append(candidates[best])
                rejected.append(candidates[other])
    return pd.DataFrame(rows), np.array(chosen), np.array(rejected)


def by_cohort(report: pd.DataFrame, model: str) -> pd.Series:
    return report[report["model"] == model].set_index("cohort")["accuracy"]


def test_opposite_cohorts_are_learned_only_by_the_cohort_model():
    """Sampler nc: a shared direction plus a contested one. Sampler iid: the contested direction alone, where one
    preference for everyone can do no better than chance."""
    nc = simulate({"france": SHARED + 3 * CONTESTED, "india": SHARED - 3 * CONTESTED})
    iid = simulate({"france": 3 * CONTESTED, "india": -3 * CONTESTED}, sampler="iid", seed=2)
    frame = pd.concat([nc[0], iid[0]], ignore_index=True)
    chosen, rejected = np.vstack([nc[1], iid[1]]), np.vstack([nc[2], iid[2]])
    report = evaluate(frame, chosen, rejected, SETTINGS)
    for sampler in ("nc", "iid"):
        part = report[report["sampler"] == sampler]
        cohort, pooled = by_cohort(part, "cohort"), by_cohort(part, "pooled")
        assert (cohort[["france", "india", "all"]] > 0.8).all(), report
        assert (pooled[["france", "india"]] < 0.7).all(), report  # it can only learn the shared direction
        gain = heterogeneity_gain(part).set_index("cohort")
        assert (gain.loc[["france", "india", "all"], "gain"] > 0.2).all(), gain
    assert abs(by_cohort(report[report["sampler"] == "iid"], "pooled")["all"] - 0.5) < 0.08, report
    assert report["note"].isna().all()
    assert set(report["chance"]) == {0.5}


def test_agreeing_cohorts_gain_nothing_from_the_cohort_model():
    weight = 2 * SHARED + CONTESTED
    frame, chosen, rejected = simulate({"france": weight, "india": weight})
    report = evaluate(frame, chosen, rejected, SETTINGS)
    assert (report["accuracy"] > 0.8).all(), report
    assert heterogeneity_gain(report)["gain"].abs().max() < 0.03


def test_split_keeps_prompts_whole_is_deterministic_and_near_the_share():
    prompts = pd.Series([f"p{i}" for i in range(1000) for _ in range(3)])  # 3 comparisons (turns, annotators) each
    held = split_by_prompt(prompts, 0.3, seed=0)
    assert held.dtype == bool
    assert (held.groupby(prompts).nunique() == 1).all()
    assert 0.25 < held.groupby(prompts).first().mean() < 0.35
    pd.testing.assert_series_equal(held, split_by_prompt(prompts, 0.3, seed=0))
    shuffled = prompts.sample(frac=1, random_state=3)
    pd.testing.assert_series_equal(split_by_prompt(shuffled, 0.3, seed=0), held.loc[shuffled.index])
    assert not held.equals(split_by_prompt(prompts, 0.3, seed=1))
    assert not split_by_prompt(prompts, 0.0, seed=0).any() and split_by_prompt(prompts, 1.0, seed=0).all()


def test_top1_accuracy_is_per_annotation():
    """One feature, the larger value always wins in training. Every held-out prompt has one annotation that picks
    the best (3/3 pairs right) and one that picks the second best (2/3 right): pairwise accuracy 5/6, top-1 1/2
    (0 if it were per prompt, 1 if 'any pair right' sufficed)."""
    prompt_ids = pd.Series([f"p{i}" for i in range(80)])
    held = split_by_prompt(prompt_ids, SETTINGS.test_share, SETTINGS.seed)
    rows, chosen, rejected = [], [], []
    for prompt, is_test in zip(prompt_ids, held, strict=True):
        for annotation, best in (("a", 3), ("b", 2 if is_test else 3)):
            for other in (v for v in range(4) if v != best):
                rows.append({"sampler": "iid", "cohort": "italy", "prompt_id": prompt, "annotation_id": prompt + annotation})
                chosen.append([best])
                rejected.append([other])
    report = evaluate(pd.DataFrame(rows), np.array(chosen, float), np.array(rejected, float), SETTINGS)
    assert report["accuracy"].to_numpy() == pytest.approx(5 / 6)
    assert report["top1_accuracy"].to_numpy() == pytest.approx(0.5)
    assert (report["test_prompts"] == held.sum()).all()
    assert (report["test_comparisons"] == held.sum() * 6).all()


def test_small_and_degenerate_inputs_give_nan_with_a_note():
    frame, chosen, rejected = simulate({"france": 3 * SHARED, None: 3 * SHARED}, prompts=60)  # None: cohort unknown
    test_prompts = [p for p, h in zip(frame["prompt_id"], split_by_prompt(frame["prompt_id"], 0.3, 0), strict=True) if h]
    extra = [("brazil", test_prompts[0]), ("brazil", test_prompts[1]), ("india", test_prompts[2])]  # test side only
    tiny = [("iid", "france", "lonely", "a1")] * 3 + [("multi_model", "france", f"m{i}", f"m{i}") for i in range(30)]
    rows = [{"sampler": "nc", "cohort": c, "prompt_id": p, "annotation_id": f"{c}-{p}"} for c, p in extra for _ in range(3)]
    rows += [dict(zip(("sampler", "cohort", "prompt_id", "annotation_id"), row, strict=True)) for row in tiny]
    frame = pd.concat([frame, pd.DataFrame(rows)], ignore_index=True)
    rng = np.random.default_rng(0)
    more = rng.normal(size=(len(rows), len(SHARED)))
    chosen, rejected = np.vstack([chosen, more + SHARED]), np.vstack([rejected, more])
    rejected[-30:] = chosen[-30:]  # multi_model: identical candidates, nothing to learn
    report = evaluate(frame, chosen, rejected, SETTINGS).set_index(["sampler", "model", "cohort"]).sort_index()

    iid = report.loc["iid"]  # 3 comparisons of one prompt: all on one side
    assert iid["accuracy"].isna().all() and iid["top1_accuracy"].isna().all()
    assert iid["note"].str.startswith("no ").all()
    assert report.loc["multi_model", "note"].str.contains("identical").all()
    assert report.loc["multi_model", "accuracy"].isna().all()

    nc = report.loc["nc"]
    assert nc.loc[("cohort", "unknown"), "accuracy"] > 0.8 and nc.loc[("cohort", "unknown"), "note"] is None
    brazil = nc.loc[("cohort", "brazil")]  # never in training: scored with the shared weights only
    assert brazil["train_comparisons"] == 0 and brazil["test_comparisons"] == 6 and brazil["accuracy"] > 0.5
    india = nc.loc[("cohort", "india")]  # 3 held-out comparisons < min_test_comparisons
    assert np.isnan(india["accuracy"]) and np.isnan(india["top1_accuracy"]) and "fewer than 5" in india["note"]
    assert nc.loc[("pooled", "all"), "note"] is None


def test_empty_input_gives_an_empty_report():
    empty = pd.DataFrame(columns=["sampler", "cohort", "prompt_id", "annotation_id"])
    report = evaluate(empty, np.zeros((0, 4)), np.zeros((0, 4)), SETTINGS)
    assert report.empty and report["accuracy"].dtype == float and report["test_comparisons"].dtype == "int64"


def test_results_are_identical_across_runs():
    frame, chosen, rejected = simulate({"france": SHARED + CONTESTED, "india": SHARED - CONTESTED}, prompts=150)
    pd.testing.assert_frame_equal(evaluate(frame, chosen, rejected, SETTINGS), evaluate(frame, chosen, rejected, SETTINGS))


def test_unreduced_columns_keep_a_signal_the_pca_would_drown():
    """The utility lives in one feature beside 30 louder noise features: through a 2-component PCA it is lost;
    kept out of the PCA (as the IW axis scores are), it is learned."""
    frame, chosen, rejected = simulate({"france": 3 * SHARED, "india": 3 * SHARED}, prompts=300)
    rng = np.random.default_rng(3)
    loud_c, loud_r = rng.normal(scale=10, size=(len(chosen), 30)), rng.normal(scale=10, size=(len(chosen), 30))
    chosen, rejected = np.hstack([loud_c, chosen[:, :1]]), np.hstack([loud_r, rejected[:, :1]])
    drowned = evaluate(frame, chosen, rejected, EvalSettings(components=2))
    kept = evaluate(frame, chosen, rejected, EvalSettings(components=2, unreduced=1))
    assert by_cohort(drowned, "pooled")["all"] < 0.65 < 0.85 < by_cohort(kept, "pooled")["all"]


def test_split_holds_out_prompts_of_every_language():
    prompts = pd.Series([f"{lang}-{i}" for lang in ("en", "fr", "it", "pt", "hi") for i in range(4) for _ in range(3)])
    langs = prompts.str[:2]
    held = split_by_prompt(prompts, 0.3, seed=0, strata=langs)
    per_lang = prompts[held].drop_duplicates().str[:2].value_counts()
    assert per_lang.to_dict() == dict.fromkeys(("en", "fr", "it", "pt", "hi"), 1)  # round(0.3 x 4) = 1 each
    assert held.groupby(prompts).nunique().eq(1).all()  # a prompt is never split
