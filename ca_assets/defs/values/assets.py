"""Values stage: embeddings, the IW value of each candidate (with the judge's calibration), per-set diversity
and the sampler report that compares nc, iid and multi_model."""

from typing import Literal

import dagster as dg
import pandas as pd
from pydantic import Field

from ca_assets.core.checks import DUCKDB_POOL, audit_check, schema_check, table_key
from ca_assets.core.duckdb import DuckDB, use_schema
from ca_assets.core.partitions import SINGLE_RUN
from ca_assets.core.plots import attach, coverage_bars, value_map
from ca_assets.core.sql import load_sql
from ca_assets.core.tables import write_table
from ca_assets.core.union_views import union_views
from ca_assets.defs.values.diversity import set_text_stats
from ca_assets.defs.values.judge import (
    Embed,
    PrototypeJudge,
    ValueJudge,
    accuracy_table,
    calibrated_languages,
    cross_validated_labels,
    read_calibration_set,
)
from ca_assets.defs.values.llm_judge import LlmJudge
from ca_assets.defs.values.schemas import (
    CalibrationSet,
    CandidateEmbeddings,
    CandidateValues,
    JudgeCalibration,
    SamplerReport,
    SetDiversity,
)
from ca_assets.models.embeddings import Embedder, embed_cached, ensure_cached
from ca_assets.models.generation import Generator, ResponseCache
from ca_assets.vocab import HUMAN, LANGS, SOURCE_SCHEMAS, VALUE_LABELS

STAGE = "values"
JUDGES = ("embedding", "llm")
PAPER_JUDGE = "GPT-4o in the paper: 85.8% (trad_secular) and 78.3% (surv_self) on its own labelled set"


def _cached(duckdb: DuckDB, embedder: Embedder, log) -> Embed:
    """The embedder through the cache, as the prototype judge takes it."""
    return lambda texts: embed_cached(duckdb, embedder, texts, log)


def _llm_judge(duckdb: DuckDB, generator: Generator, log) -> LlmJudge:
    return LlmJudge(generator, ResponseCache(duckdb.subdir("cache") / "value_judge"), log=log)


@dg.asset(key=table_key("calibration_set"), group_name=STAGE, kinds={"duckdb"}, pool=DUCKDB_POOL, backfill_policy=SINGLE_RUN)
def calibration_set(context: dg.AssetExecutionContext, duckdb: DuckDB) -> dg.MaterializeResult:
    """Grain: one row per labelled text of the shipped calibration set (prompts/judge/calibration/<lang>.jsonl,
    written for this project): 10 topics x 5 labels (four IW poles and none) per language."""
    rows = read_calibration_set()
    uncalibrated = [lang for lang in LANGS if lang not in calibrated_languages()]
    if uncalibrated:
        context.log.warning(
            f"no calibration material for {uncalibrated}: the embedding judge leaves their candidates unjudged (add "
            "prompts/judge/calibration/<lang>.jsonl and prompts/judge/poles/iw_poles.v2.<lang>.json, or use the llm judge)"
        )
    counts = rows.groupby(["lang", "pole"]).size().unstack(fill_value=0)
    return write_table(
        duckdb, STAGE, "calibration_set", {"calibration_rows": rows}, per_language=dg.MetadataValue.md(counts.to_markdown()),
        languages_without_calibration=dg.MetadataValue.json(uncalibrated),
    )


class JudgeCalibrationConfig(dg.Config):
    judges: list[str] = Field(
        default_factory=lambda: ["embedding"],
        description="Judges to score: embedding (offline, cross-validated over topics) and/or llm "
        "(the judge_generator resource).",
    )
    llm_items_per_language: int = Field(
        default=0, description="Score the LLM judge on the first N items of each language; 0 uses all."
    )


@dg.asset(
    backfill_policy=SINGLE_RUN,
    key=table_key("judge_calibration"),
    deps=[table_key("calibration_set")],
    group_name=STAGE,
    kinds={"duckdb", "numpy"},
    pool=DUCKDB_POOL,
)
def judge_calibration(
    context: dg.AssetExecutionContext,
    config: JudgeCalibrationConfig,
    duckdb: DuckDB,
    embedder: Embedder,
    judge_generator: Generator,
) -> dg.MaterializeResult:
    """Grain: one row per (judge, language, measure): the judge's accuracy against the calibration set's
    labels, per axis (sign of the score; chance 0.5) and for the five-way label. The embedding judge is
    scored cross-validated over topics (never on items its calibration saw)."""
    unknown = set(config.judges) - set(JUDGES)
    if unknown:
        raise dg.Failure(f"unknown judges {sorted(unknown)}; choose from {JUDGES}")
    with duckdb.connect(read_only=True) as con:
        calibration = con.table("calibration_set").df()
    tables = []
    if "embedding" in config.judges:
        verdicts = cross_validated_labels(_cached(duckdb, embedder, context.log.info), calibration)
        tables.append(accuracy_table(calibration, verdicts).assign(judge=PrototypeJudge.name))
    if "llm" in config.judges:
        items = calibration.groupby("lang").head(config.llm_items_per_language) if config.llm_items_per_language else calibration
        judge = _llm_judge(duckdb, judge_generator, context.log.info)
        verdicts = judge.judge(items["text"].tolist(), items["lang"].tolist()).set_index(items.index)
        tables.append(accuracy_table(items, verdicts).assign(judge=judge.name))
    accuracy = pd.concat(tables, ignore_index=True)
    summary = accuracy.pivot_table(index=["judge", "lang"], columns="measure", values="accuracy").round(3)
    return write_table(
        duckdb,
        STAGE,
        "judge_calibration",
        {"accuracy_rows": accuracy},
        accuracy=dg.MetadataValue.md(summary.to_markdown()),
        reference=PAPER_JUDGE,
    )


class ValuesConfig(dg.Config):
    judge: Literal["embedding", "llm"] = Field(
        default="embedding",
        description="embedding: calibrated embedding prototypes (offline). llm: the judge_generator resource "
        "with structured output.",
    )


@dg.asset(
    backfill_policy=SINGLE_RUN,
    key=table_key("candidate_embeddings"),
    deps=[table_key("candidates")],
    group_name=STAGE,
    kinds={"duckdb", "numpy"},
    pool=DUCKDB_POOL,
)
def candidate_embeddings(context: dg.AssetExecutionContext, duckdb: DuckDB, embedder: Embedder) -> dg.MaterializeResult:
    """Grain: one row per candidate: its unit-length sentence embedding. Each distinct text is embedded once
    per model and kept in the cache.embeddings table across runs."""
    with duckdb.connect(read_only=True) as con:
        texts = con.sql(load_sql("values", "queries", "candidate_texts")).df()
    stats = ensure_cached(duckdb, embedder, texts, context.log.info)
    seconds = stats["embed_seconds"]
    return write_table(
        duckdb,
        STAGE,
        "candidate_embeddings",
        params={"model": embedder.model_identity, "model_name": embedder.model_name},
        **stats,
        texts_per_second=round(stats["embedded"] / seconds, 1) if seconds else 0.0,
    )


def build_candidate_values(schema: str) -> dg.AssetsDefinition:
    """Value labels for one turn's candidates (or the human files'), so each turn's simulated annotators can
    choose as soon as their candidates are labelled."""
    whose = "the human files'" if schema == HUMAN else f"turn-{schema.removeprefix('turn_')}"

    @dg.asset(
        backfill_policy=SINGLE_RUN,
        key=table_key("candidate_values", schema),
        deps=[table_key("candidates", schema), table_key("calibration_set")],
        group_name=STAGE,
        kinds={"duckdb", "numpy"},
        pool=DUCKDB_POOL,
        description=f"Grain: one row per {whose} candidate: which Inglehart–Welzel pole it expresses (or none) "
        "and its score on the two axes, from the configured judge (see judge_calibration for how far to trust it).",
    )
    def candidate_values(
        context: dg.AssetExecutionContext,
        config: ValuesConfig,
        duckdb: DuckDB,
        embedder: Embedder,
        judge_generator: Generator,
    ) -> dg.MaterializeResult:
        with duckdb.connect(read_only=True) as con:
            use_schema(con, schema)
            rows = con.sql(load_sql("values", "queries", "candidates_to_judge")).df()
            calibration = con.table("calibration_set").df()
        judge: ValueJudge = (
            PrototypeJudge(_cached(duckdb, embedder, context.log.info), calibration)
            if config.judge == "embedding"
            else _llm_judge(duckdb, judge_generator, context.log.info)
        )
        verdicts = judge.judge(rows["text"].tolist(), rows["lang"].tolist())
        uncalibrated = sorted(set(rows["lang"]) - set(calibrated_languages())) if config.judge == "embedding" else []
        if uncalibrated:
            context.log.warning(f"no calibration material for {uncalibrated}: their candidates are unjudged (see calibration_set)")
        if "judge_raw" not in verdicts:
            verdicts = verdicts.assign(judge_raw=None)
        frame = pd.concat([rows[["candidate_id"]], verdicts.rename(columns={"label": "pole"})], axis=1).assign(judge=judge.name)
        return write_table(
            duckdb,
            STAGE,
            "candidate_values",
            {"value_rows": frame},
            schema=schema,
            judge=judge.name,
            poles=dg.MetadataValue.json({label: int((frame["pole"] == label).sum()) for label in (*VALUE_LABELS, "unjudged")}),
        )

    return candidate_values


candidate_values_by_source = [build_candidate_values(schema) for schema in SOURCE_SCHEMAS]
values_views = union_views(STAGE, {"candidate_values": (1, True)})  # main.candidate_values over every source


class DiversityConfig(dg.Config):
    homogeneous_below: float = Field(
        default=0.06,
        description="A set whose mean pairwise cosine distance is below this is flagged homogeneous (WARN check). "
        "Depends on the embedding model: E5's distances are compressed (see README).",
    )


@dg.asset(
    backfill_policy=SINGLE_RUN,
    key=table_key("set_diversity"),
    deps=[table_key("candidate_sets"), table_key("candidate_embeddings"), table_key("candidate_values")],
    group_name=STAGE,
    kinds={"duckdb"},
    pool=DUCKDB_POOL,
)
def set_diversity(config: DiversityConfig, duckdb: DuckDB) -> dg.MaterializeResult:
    """Grain: one row per candidate set: mean and minimum pairwise cosine distance of its four answers,
    distinct-1/2, IW poles covered, answers in the prompt's language, and a homogeneous flag."""
    with duckdb.connect(read_only=True) as con:
        texts = con.sql(load_sql("values", "queries", "set_texts")).df()
    return write_table(
        duckdb,
        STAGE,
        "set_diversity",
        {"set_text_stats": set_text_stats(texts)},
        params={"homogeneous_below": config.homogeneous_below},
    )


@dg.asset(
    backfill_policy=SINGLE_RUN,
    key=table_key("sampler_report"),
    deps=[
        table_key("set_diversity"),
        table_key("candidate_values"),
        table_key("generation_requests"),
        table_key("generation_quarantine"),
        table_key("judge_calibration"),
    ],
    group_name=STAGE,
    kinds={"duckdb", "matplotlib"},
    pool=DUCKDB_POOL,
)
def sampler_report(duckdb: DuckDB) -> dg.MaterializeResult:
    """Grain: one row per (sampler, language) and per sampler over all languages: coverage@4 of each IW pole,
    mean diversity and quarantine rate. Plots: the candidates on the value map, and the coverage bars."""
    result = write_table(duckdb, STAGE, "sampler_report")
    with duckdb.connect(read_only=True) as con:
        report = con.table("sampler_report").df()
        points = con.sql(load_sql("values", "queries", "value_map_points")).df()
        judges = con.sql(load_sql("values", "queries", "judge_accuracy_summary")).df()
    folder = duckdb.subdir("reports") / "sampler_report"
    overall = report[report["lang"] == "all"].drop(columns="lang").set_index("sampler").round(3)
    return dg.MaterializeResult(
        asset_key=result.asset_key,
        metadata={
            **result.metadata,
            "per_sampler": dg.MetadataValue.md(overall.T.to_markdown()),
            "judge_accuracy": dg.MetadataValue.md(judges.to_markdown(index=False)),
            **attach(value_map(points), folder / "value_map.png", "value_map"),
            **attach(coverage_bars(report), folder / "coverage.png", "coverage"),
        },
    )


values_checks = [
    schema_check("calibration_set", CalibrationSet),
    schema_check("judge_calibration", JudgeCalibration),
    audit_check(
        STAGE,
        "judge_calibration",
        "judge_calibration_beats_chance",
        "Every judge beats chance on every measure in every language of the calibration set.",
        dg.AssetCheckSeverity.WARN,
    ),
    schema_check("candidate_embeddings", CandidateEmbeddings),
    *(schema_check("candidate_values", CandidateValues, schema) for schema in SOURCE_SCHEMAS),
    schema_check("set_diversity", SetDiversity),
    audit_check(
        STAGE,
        "set_diversity",
        "set_diversity_four_in_language",
        "Every requested set has exactly 4 candidates in the prompt's language, or a quarantine entry saying why not.",
    ),
    audit_check(
        STAGE,
        "set_diversity",
        "set_diversity_homogeneous",
        "No candidate set is homogeneous (mean pairwise embedding distance under the configured threshold).",
        dg.AssetCheckSeverity.WARN,
    ),
    schema_check("sampler_report", SamplerReport),
]
