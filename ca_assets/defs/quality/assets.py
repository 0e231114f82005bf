"""Quality control as its own stage: attention-check (gold) items and answers, per-annotator quality (position
bias, straight-lining, speed, attention checks, a score), and the quarantine of annotations that fail, with
reasons and, for human files, the file and line. Comparisons are built from the annotations that pass."""

import json

import dagster as dg
import numpy as np
import pandas as pd
from pydantic import Field

from ca_assets.core.checks import DUCKDB_POOL, schema_check, table_key
from ca_assets.core.duckdb import DuckDB
from ca_assets.core.ids import stable_seed
from ca_assets.core.partitions import SINGLE_RUN
from ca_assets.core.paths import PROMPTS_DIR, project_file
from ca_assets.core.sql import load_sql
from ca_assets.core.tables import write_table
from ca_assets.defs.annotation.simulation import answer_gold, seconds_to_choose
from ca_assets.defs.quality.rules import QualityRules, score_annotators
from ca_assets.defs.quality.schemas import AnnotatorQuality, GoldAnswers, GoldItems, QualityQuarantine
from ca_assets.models.language import identifiable_lang
from ca_assets.vocab import LANGS, POSITIONS

STAGE = "quality"


class GoldAnswersConfig(dg.Config):
    per_annotator: int = Field(default=3, ge=0, description="Attention-check items each simulated annotator answers.")
    seed: int = Field(default=0, description="Seed for which items and the answers.")


def gold_languages() -> list[str]:
    """The configured languages the project ships attention-check items for."""
    return [lang for lang in LANGS if (PROMPTS_DIR / "gold" / f"{lang}.jsonl").is_file()]


def read_gold_items() -> pd.DataFrame:
    rows = []
    for lang in gold_languages():
        for line in project_file(PROMPTS_DIR, f"gold/{lang}.jsonl").read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            rows.append(
                {"item_id": item["item_id"], "lang": lang, "prompt": item["prompt"],
                 **{f"response_{p}": text for p, text in zip(POSITIONS, item["responses"], strict=True)},
                 "correct_position": item["correct"]}
            )
    columns = ["item_id", "lang", "prompt", *(f"response_{p}" for p in POSITIONS), "correct_position"]
    return pd.DataFrame(rows, columns=columns)


@dg.asset(key=table_key("gold_items"), group_name=STAGE, kinds={"duckdb"}, pool=DUCKDB_POOL, backfill_policy=SINGLE_RUN)
def gold_items(context: dg.AssetExecutionContext, duckdb: DuckDB) -> dg.MaterializeResult:
    """Grain: one row per attention-check item (prompts/gold/<lang>.jsonl): a prompt and four responses, exactly
    one of them the right pick."""
    missing = [lang for lang in LANGS if lang not in gold_languages()]
    if missing:
        context.log.warning(f"no attention-check items in {missing} (prompts/gold/<lang>.jsonl): their annotators get none")
    return write_table(
        duckdb, STAGE, "gold_items", {"gold_rows": read_gold_items()}, languages_without_items=dg.MetadataValue.json(missing)
    )


@dg.asset(
    backfill_policy=SINGLE_RUN,
    key=table_key("gold_answers"),
    deps=[table_key("gold_items"), table_key("annotators"), table_key("task_results")],
    group_name=STAGE,
    kinds={"duckdb"},
    pool=DUCKDB_POOL,
)
def gold_answers(config: GoldAnswersConfig, duckdb: DuckDB) -> dg.MaterializeResult:
    """Grain: one row per (annotator, attention-check item) answered: people's, from their task results, and the
    simulated annotators'. Simulated annotators who read pick the right answer (bar a rare slip); careless ones
    click as they always do."""
    with duckdb.connect(read_only=True) as con:
        items = con.table("gold_items").df()
        people = con.sql(load_sql("annotation", "queries", "simulated_annotators")).df()
    rows = []
    for person in people.itertuples(index=False):
        mine = items[items["lang"] == person.assigned_lang]
        rng = np.random.default_rng(stable_seed("gold", person.annotator_id, config.seed))
        for item in mine.sample(n=min(config.per_annotator, len(mine)), random_state=rng).itertuples(index=False):
            pick = answer_gold(rng, item.correct_position, POSITIONS, bool(person.careless))
            words = sum(len(getattr(item, f"response_{p}").split()) for p in POSITIONS)
            rows.append({"annotator_id": person.annotator_id, "item_id": item.item_id, "chosen_position": pick,
                         "seconds": seconds_to_choose(rng, person.annotator_id, words, careless=bool(person.careless))})
    frame = pd.DataFrame(rows, columns=["annotator_id", "item_id", "chosen_position", "seconds"])
    return write_table(duckdb, STAGE, "gold_answers", {"answer_rows": frame})


@dg.asset(
    backfill_policy=SINGLE_RUN,
    key=table_key("annotator_quality"),
    deps=[table_key("annotations"), table_key("candidates"), table_key("annotators"), table_key("gold_answers")],
    group_name=STAGE,
    kinds={"duckdb"},
    pool=DUCKDB_POOL,
)
def annotator_quality(duckdb: DuckDB, quality_rules: QualityRules) -> dg.MaterializeResult:
    """Grain: one row per annotator with annotations or attention-check answers: choices per position, position
    bias (chi-square p-value), straight-lining share, attention-check accuracy, speed, flags, a quality score
    in [0, 1] and whether they passed. Annotators who fail have every annotation quarantined."""
    with duckdb.connect(read_only=True) as con:
        counts = con.sql(
            load_sql("quality", "queries", "annotator_quality_inputs"), params={"max_words_per_second": quality_rules.max_words_per_second}
        ).df()
    frame = score_annotators(counts, quality_rules)
    failed = frame[~frame["passed"]]
    return write_table(
        duckdb,
        STAGE,
        "annotator_quality",
        {"quality_rows": frame},
        failed=len(failed),
        flags=dg.MetadataValue.json(pd.Series([f for fs in frame["flags"] for f in fs], dtype=str).value_counts().to_dict()),
        mean_quality_score=float(frame["quality_score"].mean()) if len(frame) else 0.0,
    )


@dg.asset(
    backfill_policy=SINGLE_RUN,
    key=table_key("quality_quarantine"),
    deps=[
        table_key("annotator_quality"), table_key("annotations"), table_key("candidate_sets"), table_key("candidates"),
        table_key("annotation_files"),
    ],
    group_name=STAGE,
    kinds={"duckdb"},
    pool=DUCKDB_POOL,
)
def quality_quarantine(duckdb: DuckDB, quality_rules: QualityRules) -> dg.MaterializeResult:
    """Grain: one row per annotation that fails quality control (careless annotator, too fast, language mismatch,
    duplicate submission), with every reason, a detail, and the human file and line it came from. The rest
    are kept: annotations = kept + quarantined."""
    with duckdb.connect(read_only=True) as con:
        texts = con.sql(load_sql("quality", "queries", "turn_user_messages")).df()
        total = con.sql("select count(*) from annotations").fetchall()[0][0]
    # The language of what the user wrote this turn (prompt or follow-up); None when too short to tell. Detected
    # only when the rule is on (langid is most of this step's time at scale), once per text: pregenerated prompts
    # repeat across annotators.
    detected = pd.Series(pd.NA, index=texts.index, dtype="string")
    if quality_rules.check_language:
        found = {pair: identifiable_lang(*pair) for pair in set(zip(texts["text"], texts["lang"], strict=True))}
        detected = pd.Series([found[pair] for pair in zip(texts["text"], texts["lang"], strict=True)], index=texts.index, dtype="string")
    languages = pd.DataFrame({"set_id": texts["set_id"], "detected_lang": detected})
    result = write_table(
        duckdb,
        STAGE,
        "quality_quarantine",
        {"set_languages": languages},
        params={"max_words_per_second": quality_rules.max_words_per_second, "check_language": quality_rules.check_language},
    )
    with duckdb.connect(read_only=True) as con:
        reasons = dict(con.sql("select reason, count(*) from quality_quarantine group by reason order by reason").fetchall())
    quarantined = sum(reasons.values())
    return dg.MaterializeResult(
        asset_key=result.asset_key,
        metadata={**result.metadata, "annotations_in": total, "annotations_kept": total - quarantined,
                  "annotations_quarantined": quarantined, "reasons": dg.MetadataValue.json(reasons)},
    )


quality_checks = [
    schema_check("gold_items", GoldItems),
    schema_check("gold_answers", GoldAnswers),
    schema_check("annotator_quality", AnnotatorQuality),
    schema_check("quality_quarantine", QualityQuarantine),
]
