"""Plots attached to materializations: PNG bytes from matplotlib (headless), shown in the Dagster UI as
markdown images and saved under the data directory's reports/ folder."""

import base64
import io
from pathlib import Path

import dagster as dg
import matplotlib

matplotlib.use("Agg")  # no display: runs in Dagster's worker processes and CI

import matplotlib.pyplot as plt
import pandas as pd

from ca_assets.vocab import COUNTRIES, LANGS, POLES

SAMPLER_COLOURS = {"nc": "#d62728", "iid": "#1f77b4", "multi_model": "#2ca02c"}


def _png(figure: plt.Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def value_map(points: pd.DataFrame) -> bytes:
    """Candidates on the two IW axes, one colour per sampler, with the countries' mean positions that seed the
    simulated annotators for reference (both axes in the judge's calibrated units: ±1 is a typical
    calibration answer of that pole)."""
    figure, axis = plt.subplots(figsize=(7, 6))
    for sampler, rows in points.groupby("sampler"):
        axis.scatter(
            rows["trad_secular"], rows["surv_self"], s=14, alpha=0.55,
            color=SAMPLER_COLOURS.get(sampler, "grey"), label=f"{sampler} ({len(rows)} candidates)",
        )
    for country in COUNTRIES:
        axis.scatter(country.trad_secular, country.surv_self, marker="*", s=160, color="black", zorder=3)
        axis.annotate(country.name, (country.trad_secular, country.surv_self), xytext=(5, 5), textcoords="offset points")
    axis.axhline(0, color="grey", linewidth=0.6)
    axis.axvline(0, color="grey", linewidth=0.6)
    axis.set_xlabel("traditional  ←  trad_secular  →  secular-rational")
    axis.set_ylabel("survival  ←  surv_self  →  self-expression")
    axis.set_title("Candidates on the Inglehart–Welzel map (★ country means seeding simulated annotators)")
    axis.legend(loc="lower right", fontsize=8)
    return _png(figure)


def coverage_bars(report: pd.DataFrame) -> bytes:
    """coverage@4 per IW pole, one bar per sampler, one panel per language (and all languages)."""
    langs = [lang for lang in LANGS if lang in set(report["lang"])] + ["all"]
    samplers = list(report["sampler"].unique())
    figure, axes = plt.subplots(1, len(langs), figsize=(3.0 * len(langs), 3.6), sharey=True, squeeze=False)
    width = 0.8 / max(len(samplers), 1)
    for axis, lang in zip(axes[0], langs, strict=True):
        for index, sampler in enumerate(samplers):
            row = report[(report["lang"] == lang) & (report["sampler"] == sampler)]
            values = [float(row[f"coverage_{pole}"].iloc[0]) if len(row) else 0.0 for pole in POLES]
            axis.bar(
                [p + index * width for p in range(len(POLES))], [0 if pd.isna(v) else v for v in values], width,
                color=SAMPLER_COLOURS.get(sampler, "grey"), label=sampler,
            )
        kept = ", ".join(f"{r.sampler} {r.kept}" for r in report[report["lang"] == lang].itertuples())
        axis.set_title(f"{lang}\n(sets: {kept})", fontsize=9)
        axis.set_xticks([p + width * (len(samplers) - 1) / 2 for p in range(len(POLES))])
        axis.set_xticklabels(["trad", "secular", "survival", "self-exp"], rotation=45, fontsize=8)
        axis.set_ylim(0, 1)
    axes[0][0].set_ylabel("coverage@4 (share of sets)")
    axes[0][-1].legend(fontsize=8)
    figure.suptitle("coverage@4: sets with at least one candidate expressing each pole", y=1.1)  # above the panel titles
    return _png(figure)


def attach(png: bytes, path: Path, title: str) -> dict[str, dg.MetadataValue]:
    """Save the PNG and return metadata that shows it inline in the UI (markdown data URI) and names the file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png)
    encoded = base64.b64encode(png).decode("ascii")
    return {
        title: dg.MetadataValue.md(f"![{title}](data:image/png;base64,{encoded})"),
        f"{title}_file": dg.MetadataValue.path(str(path)),
    }


def eval_accuracy(report: pd.DataFrame) -> bytes:
    """Held-out pairwise accuracy per cohort, one bar per sampler for the cohort-conditioned model, a black tick for
    the pooled model on the same data, and chance (0.5) as a dashed line: bars above the ticks are preferences
    that differ between countries and that the sampler's data let a model learn."""
    cohorts = ["all", *sorted(set(report["cohort"]) - {"all"})]
    samplers = list(dict.fromkeys(report["sampler"]))
    figure, axis = plt.subplots(figsize=(max(6.0, 1.4 * len(cohorts)), 4.0))
    width = 0.8 / max(len(samplers), 1)
    for index, sampler in enumerate(samplers):
        rows = report[report["sampler"] == sampler].set_index(["model", "cohort"])["accuracy"]
        xs = [c + index * width for c in range(len(cohorts))]
        cohort_model = [rows.get(("cohort", c), float("nan")) for c in cohorts]
        pooled = [rows.get(("pooled", c), float("nan")) for c in cohorts]
        heights = [0 if pd.isna(v) else v for v in cohort_model]
        axis.bar(xs, heights, width, color=SAMPLER_COLOURS.get(sampler, "grey"), label=sampler)
        for x, value in zip(xs, cohort_model, strict=True):
            if pd.isna(value):  # too few held-out comparisons: say so rather than draw a zero
                axis.text(x, 0.02, "n/a", ha="center", fontsize=7, rotation=90)
        axis.scatter(xs, pooled, marker="_", s=220, color="black", zorder=3, label="pooled model" if index == 0 else None)
    axis.axhline(0.5, color="grey", linestyle="--", linewidth=0.8, label="chance")
    axis.set_xticks([c + width * (len(samplers) - 1) / 2 for c in range(len(cohorts))])
    axis.set_xticklabels(cohorts, rotation=30, fontsize=8)
    axis.set_ylim(0, 1)
    axis.set_ylabel("held-out pairwise accuracy")
    axis.set_title("Can each sampler's data teach per-country preferences? (bars: cohort model; ticks: pooled)")
    axis.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return _png(figure)
