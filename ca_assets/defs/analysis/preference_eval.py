"""Can this data teach a model heterogeneous (per-cohort) preferences? A held-out test, per sampler.

The Community Alignment paper asks whether its comparisons let a model learn preferences that differ between
annotator groups. This asks the same of our data in miniature: a pooled Bradley–Terry model (one preference for
everyone) against one with a per-cohort deviation, both linear in a small PCA of the candidate features, scored on
prompts neither model saw. Where the cohort model wins, the sampler's candidate sets expose cohort-specific signal.
"""

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

MODELS = ("pooled", "cohort")
UNKNOWN = "unknown"
COLUMNS = ["sampler", "model", "cohort", "train_comparisons", "test_comparisons", "test_prompts",
           "accuracy", "top1_accuracy", "chance", "note"]  # fmt: skip


@dataclass(frozen=True)
class EvalSettings:
    test_share: float = 0.3  # share of prompts held out
    seed: int = 0
    regularisation: float = 1.0  # sklearn LogisticRegression C
    components: int = 16  # PCA components of the candidate features; min(components, available) used
    min_test_comparisons: int = 5  # below this, a (sampler, cohort) accuracy is noise: reported as NaN
    unreduced: int = 0  # the last N feature columns skip the PCA (standardised only): e.g. the two IW axis scores,
    # which a PCA of 384 embedding dimensions would drown


def split_by_prompt(prompt_ids: pd.Series, test_share: float, seed: int, strata: pd.Series | None = None) -> pd.Series:
    """bool Series, True = held out. Per prompt, not per row, so all turns and annotators of a prompt land on the same
    side (no leakage through shared candidates). Within each stratum (e.g. language: simulated cohorts see only
    their language's prompts, so an unstratified split can leave a cohort nothing to test on) the prompts are
    ranked by sha256(seed, prompt_id), not Python's salted hash, and the first round(test_share x n) are held
    out, at least one and at most n - 1 of a stratum with two or more: reruns, other processes and reordered input
    give the same split."""
    prompts = pd.DataFrame({"prompt": prompt_ids, "stratum": "" if strata is None else strata}).drop_duplicates("prompt")
    prompts["rank"] = [hashlib.sha256(f"{seed}\x1f{p}".encode()).hexdigest() for p in prompts["prompt"]]
    prompts = prompts.sort_values(["stratum", "rank", "prompt"])
    position = prompts.groupby("stratum").cumcount()
    size = prompts.groupby("stratum")["prompt"].transform("size")
    held_count = (size * test_share).round()
    if 0 < test_share < 1:
        held_count = held_count.clip(lower=(size >= 2).astype(int), upper=size - 1)
    held = dict(zip(prompts["prompt"], position < held_count, strict=True))
    return pd.Series(prompt_ids.map(held).astype(bool).to_numpy(), index=prompt_ids.index, name="held_out")


def _labels(values: pd.Series) -> np.ndarray:
    """Missing cohort or sampler -> 'unknown', so such rows are still counted and scored, not dropped."""
    return values.astype(object).where(values.notna(), UNKNOWN).astype(str).to_numpy()


def _design(delta: np.ndarray, cohorts: np.ndarray, levels: list[str]) -> np.ndarray:
    """[Δ, Δ ⊗ onehot(cohort)]: shared weights plus a per-cohort deviation. A cohort absent from training has
    no column, so its rows get the shared weights only."""
    onehot = (cohorts[:, None] == np.array(levels, dtype=object)[None, :]).astype(delta.dtype)
    return np.hstack([delta, (delta[:, :, None] * onehot[:, None, :]).reshape(len(delta), -1)])


def _fit_margins(x_train: np.ndarray, x_test: np.ndarray, settings: EvalSettings) -> np.ndarray:
    """Bradley–Terry with features: P(chosen ≻ rejected) = σ(w·Δ). Each pair is also added reversed with label 0
    and there is no intercept, so the model cannot learn 'the first side wins'; the margin w·Δ > 0 means chosen
    is scored above rejected."""
    x = np.vstack([x_train, -x_train])
    y = np.r_[np.ones(len(x_train)), np.zeros(len(x_train))]
    model = LogisticRegression(C=settings.regularisation, fit_intercept=False, max_iter=1000).fit(x, y)
    return x_test @ model.coef_.ravel()


def _sampler_margins(train, test, chosen, rejected, cohorts, settings: EvalSettings) -> tuple[dict | None, str | None]:
    """Held-out margins of both models for one sampler, or (None, why) when there is nothing to fit or score."""
    if len(train) == 0:
        return None, "no training comparisons"
    if len(test) == 0:
        return None, "no held-out comparisons"
    if not np.any(chosen[train] != rejected[train]):
        return None, "chosen and rejected features identical in every training comparison: nothing to learn"
    # Features are fitted on this sampler's training candidates only, so nothing about held-out prompts leaks in.
    scaler = StandardScaler(copy=False)  # in place: the stack is the largest array here
    scaled = scaler.fit_transform(np.vstack([chosen[train], rejected[train]]))
    reduced = chosen.shape[1] - settings.unreduced  # columns that go through the PCA
    n = min(settings.components, 2 * len(train), reduced)
    pca = PCA(n, random_state=settings.seed).fit(scaled[:, :reduced]) if reduced > 0 else None

    def delta(rows: np.ndarray) -> np.ndarray:
        # f is affine, so f(c) - f(r) = P((c - r) / scale): the centring cancels and one projection suffices.
        d = (chosen[rows] - rejected[rows]) / scaler.scale_
        projected = d[:, :reduced] @ pca.components_.T if pca is not None else d[:, :0]
        return np.hstack([projected, d[:, reduced:]])

    d_train, d_test = delta(train), delta(test)
    levels = sorted(set(cohorts[train]))
    return {
        "pooled": _fit_margins(d_train, d_test, settings),
        "cohort": _fit_margins(_design(d_train, cohorts[train], levels), _design(d_test, cohorts[test], levels), settings),
    }, None


def evaluate(comparisons: pd.DataFrame, chosen: np.ndarray, rejected: np.ndarray, settings: EvalSettings) -> pd.DataFrame:
    """Per (sampler, model, cohort) plus cohort 'all': held-out pairwise accuracy (chance 0.5) and top-1 accuracy
    per annotation (chosen outscores all its rejected; chance 1/4 for best-of-4). `comparisons` has columns
    sampler, cohort, prompt_id, annotation_id (and `lang`, if given, to hold out prompts of every language),
    row-aligned with the (n, d) feature matrices `chosen`/`rejected`.
    Never raises for small data: accuracies are NaN with a `note` saying why (note is None exactly when they are
    computed)."""
    frame = comparisons.reset_index(drop=True)
    chosen, rejected = np.asarray(chosen), np.asarray(rejected)
    samplers, cohorts = _labels(frame["sampler"]), _labels(frame["cohort"])
    prompts, annotations = frame["prompt_id"].to_numpy(), frame["annotation_id"].to_numpy()
    strata = frame.get("lang")
    held = split_by_prompt(frame["prompt_id"], settings.test_share, settings.seed, strata).to_numpy()
    rows = []
    for sampler in sorted(set(samplers)):
        idx = np.flatnonzero(samplers == sampler)
        train, test = idx[~held[idx]], idx[held[idx]]
        margins, sampler_note = _sampler_margins(train, test, chosen, rejected, cohorts, settings)
        for model in MODELS:
            correct = None if margins is None else margins[model] > 0  # a tie is not "scored above"
            for cohort in ["all", *sorted(set(cohorts[idx]))]:
                in_test = np.ones(len(test), bool) if cohort == "all" else cohorts[test] == cohort
                n_test, note, accuracy, top1 = int(in_test.sum()), sampler_note, np.nan, np.nan
                if note is None and n_test < settings.min_test_comparisons:
                    note = f"fewer than {settings.min_test_comparisons} held-out comparisons"
                if note is None:
                    accuracy = float(correct[in_test].mean())
                    top1 = float(pd.Series(correct[in_test]).groupby(annotations[test][in_test]).all().mean())
                rows.append({
                    "sampler": sampler, "model": model, "cohort": cohort,
                    "train_comparisons": int(len(train) if cohort == "all" else (cohorts[train] == cohort).sum()),
                    "test_comparisons": n_test, "test_prompts": int(pd.unique(prompts[test][in_test]).size),
                    "accuracy": accuracy, "top1_accuracy": top1, "chance": 0.5, "note": note,
                })  # fmt: skip
    counts = dict.fromkeys(["train_comparisons", "test_comparisons", "test_prompts"], "int64")
    return pd.DataFrame(rows, columns=COLUMNS).astype(counts | dict.fromkeys(["accuracy", "top1_accuracy", "chance"], "float64"))


def heterogeneity_gain(report: pd.DataFrame) -> pd.DataFrame:
    """Per (sampler, cohort): cohort-model accuracy minus pooled accuracy; > 0 means per-cohort preferences were
    learnable from this sampler's data. NaN wherever either accuracy is NaN."""
    wide = report.set_index(["sampler", "cohort", "model"])[["accuracy", "top1_accuracy"]].unstack("model")
    return pd.DataFrame({
        "pooled_accuracy": wide[("accuracy", "pooled")], "cohort_accuracy": wide[("accuracy", "cohort")],
        "gain": wide[("accuracy", "cohort")] - wide[("accuracy", "pooled")],
        "top1_gain": wide[("top1_accuracy", "cohort")] - wide[("top1_accuracy", "pooled")],
    }).reset_index()  # fmt: skip
