"""The whole conversation protocol in process: prompts through turn 4's annotations, the human files in the data
directory's inbox, and the main views over all of them, with their checks; one prompt per language, short answers,
one conversation per set and one per language going on at each later turn. The whole graph's launch uses the same
protocol (support/graph_launch.py); the task loop reruns it here after a person's results arrive."""

import json

import dagster as dg

from ca_assets.core.duckdb import DuckDB
from ca_assets.defs.annotation.assets import annotation_checks, annotators, assignments, turn_assets, turn_checks
from ca_assets.defs.annotation.tasks import annotation_tasks, task_checks
from ca_assets.defs.generation.assets import generation_assets, generation_checks
from ca_assets.defs.inbox.assets import inbox, inbox_checks
from ca_assets.defs.inbox.batches import INBOX, inbox_files
from ca_assets.defs.inbox.human import human_checks, human_conversations
from ca_assets.defs.prompts.assets import prompts
from ca_assets.defs.prompts.prompt_bank import PromptSources
from ca_assets.defs.quality import assets as quality
from ca_assets.defs.values.assets import calibration_set, candidate_values_by_source, values_checks
from ca_assets.models.embeddings import Embedder
from ca_assets.models.generation import Generator
from ca_assets.models.language import ALL_LANGS_TAGS
from ca_assets_tests.support.batch_run import batch_run
from ca_assets_tests.support.generation_run import SMALL_SAMPLING
from ca_assets_tests.support.union_views import view_assets

# One conversation per set, and one per language going on at each later turn.
SMALL_PROTOCOL = {
    "turn_1__generation": {"config": {"prompts_per_language": 1}},
    "main__annotators": {"config": {"per_country": 2}},
    "main__assignments": {"config": {"annotators_per_set": 1}},
    **{f"turn_{n}__user_turns": {"config": {"continue_share": 0.01}} for n in (2, 3, 4)},
}


def materialize_conversations(
    duckdb: DuckDB, generator: Generator, protocol: dict | None = None, export: bool = False
) -> dg.ExecuteInProcessResult:
    """The files in inbox/ (if any; a run of their batches), then prompts through turn 4's annotations and the
    main views over all turns for all five languages, with their checks; with `export`, the task export too, in
    the same run (read it back with `read_tasks`)."""
    if inbox_files(duckdb.subdir(INBOX)):
        ingested = dg.materialize([inbox, *inbox_checks], resources={"duckdb": duckdb}, **batch_run(duckdb))
        if not ingested.success:
            return ingested
    assets = [
        prompts, calibration_set, human_conversations, annotators, assignments, *generation_assets,
        *candidate_values_by_source, *turn_assets, *view_assets, *(EXPORTED if export else []),
    ]
    keys = {key for asset in assets for key in asset.keys}
    checks = [c for c in [*generation_checks, *turn_checks, *annotation_checks, *values_checks, *human_checks, *EXPORT_CHECKS]
              if all(k.asset_key in keys for k in c.check_keys)]
    return dg.materialize(
        [*assets, *checks],
        resources={"duckdb": duckdb, "prompt_sources": PromptSources(), "generator": generator, "judge_generator": generator,
                   "sampling": SMALL_SAMPLING, "embedder": Embedder()},
        run_config={"ops": protocol or SMALL_PROTOCOL},
        tags=ALL_LANGS_TAGS,
    )


# The task export and the attention checks it carries.
EXPORTED = [annotation_tasks, quality.gold_items, quality.gold_answers]
EXPORT_CHECKS = [c for c in [*task_checks, *quality.quality_checks] if next(iter(c.check_keys)).asset_key in {a.key for a in EXPORTED}]


def export_tasks(duckdb: DuckDB) -> list[dict]:
    """Materialize the task export (and the attention checks it carries) and read back tasks.jsonl."""
    result = dg.materialize([*EXPORTED, *EXPORT_CHECKS], resources={"duckdb": duckdb})
    assert result.success
    return read_tasks(duckdb)


def read_tasks(duckdb: DuckDB) -> list[dict]:
    lines = (duckdb.root / "exports" / "tasks" / "tasks.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]
