"""Releases: the files trainers and analysts load, under <data>/releases/current/, after the hygiene steps (the
PII scan, the optional exclusion of annotator-written prompts) and with licence fields on every row.

Each file is an asset: TRL conversational preferences, the rich comparisons, annotators, candidate sets and
aggregates as Parquet (and JSONL on request), the public Community Alignment CSV layout, and a dataset card (README.md with
the `configs` Hugging Face `datasets` reads, so `load_dataset("<data>/releases/current", "trl_preferences")` works).
A run writes and checks them in a version folder of its own; `files/current` publishes that folder as a whole
(versions.py).
"""

from pathlib import Path

import dagster as dg
import duckdb as duckdb_module
import pandas as pd
import pyarrow.parquet as pq

from ca_assets.core.checks import DUCKDB_POOL, audit_check, check_result, schema_check, table_key
from ca_assets.core.duckdb import DuckDB
from ca_assets.core.partitions import SINGLE_RUN
from ca_assets.core.paths import written_beside
from ca_assets.core.sql import load_sql
from ca_assets.core.tables import write_table
from ca_assets.core.validate import parquet_source, validate_relation
from ca_assets.defs.aggregates.schemas import Aggregates
from ca_assets.defs.annotation.schemas import Annotators
from ca_assets.defs.release.card import card_problems, dataset_card
from ca_assets.defs.release.files import (
    CA_CSV,
    RELEASES_DIR,
    ReleaseSettings,
    pseudonymized,
    write_jsonl,
    write_parquet,
)
from ca_assets.defs.release.pii import MAYBE_PII, find_pii
from ca_assets.defs.release.schemas import CandidateSets, Comparisons, Exclusions, PiiFindings, TrlPreferences
from ca_assets.defs.release.versions import CURRENT, current_dir, publish_version, staging_dir
from ca_assets.formats.ca_csv import copy_ca_csv, read_ca_csv, split_rows

STAGE = "release"
RELEASE = "release"  # the schema of the release's tables
FILES_KEY = "files"  # the key prefix of the release files under <data>/releases/current/
CARD = "dataset_card"
# release file -> (Pandera model of its rows, what one row is)
FILES = {
    "trl_preferences": (TrlPreferences, "one released comparison in TRL's conversational preference format "
                        "(`prompt` messages, `chosen`, `rejected`, `margin`), for DPOTrainer and RewardTrainer"),
    "comparisons": (Comparisons, "one released comparison with the conversation so far, both answers, "
                    "annotator, country, source, explanation, sampler, item, margin and licences"),
    "annotators": (Annotators, "one annotator with a released comparison, with the release's demographic fields"),
    "candidate_sets": (CandidateSets, "one released set: the conversation so far and its four answers"),
    "aggregates": (Aggregates, "one (item, cohort, answer) of a released item: votes, Borda, Bradley–Terry, "
                   "entropy, JSD between countries, contested"),
}  # fmt: skip


def release_key(name: str) -> dg.AssetKey:
    """The key of a release file: files/<name>, for <data>/releases/current/<name>.<format>."""
    return dg.AssetKey([FILES_KEY, name])


def release_dir(context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext, duckdb: DuckDB) -> Path:
    """The run's version folder: its release files are written and checked there before `files/current` publishes it."""
    return staging_dir(duckdb.subdir(RELEASES_DIR), context.run.run_id)


@dg.asset(
    key=table_key("pii_findings", RELEASE),
    deps=[table_key("comparisons")],
    group_name=STAGE,
    kinds={"duckdb"},
    pool=DUCKDB_POOL,
    backfill_policy=SINGLE_RUN,
)
def pii_findings(context: dg.AssetExecutionContext, duckdb: DuckDB) -> dg.MaterializeResult:
    """Grain: one row per personal detail found (email, phone number, URL or file path naming a person) in a text
    a release would carry: conversation, set, field (prompt, response, explanation), kind and matched text."""
    with duckdb.connect(read_only=True) as con:  # only the texts that may hold one (MAYBE_PII, in SQL)
        texts = con.sql(load_sql("release", "queries", "release_texts"), params={"maybe_pii": MAYBE_PII}).df()
    matches = {text: find_pii(text) for text in texts["text"].unique()}  # a text repeats across sets: scan it once
    rows = [
        (row.conversation_id, row.set_id, row.field, match.kind, match.text)
        for row in texts.itertuples(index=False)
        for match in matches[row.text]
    ]
    frame = pd.DataFrame(rows, columns=["conversation_id", "set_id", "field", "kind", "matched"])
    context.log.info(f"pii_findings: scanned {len(matches)} distinct candidate texts, {len(frame)} findings")
    return write_table(
        duckdb,
        STAGE,
        "pii_findings",
        {"finding_rows": frame},
        schema=RELEASE,
        texts_scanned=len(matches),
        conversations_flagged=int(frame["conversation_id"].nunique()),
        by_kind=dg.MetadataValue.json(frame["kind"].value_counts().to_dict()),
    )


@dg.asset(
    backfill_policy=SINGLE_RUN,
    key=table_key("exclusions", RELEASE),
    deps=[table_key("comparisons"), table_key("pii_findings", RELEASE)],
    group_name=STAGE,
    kinds={"duckdb"},
    pool=DUCKDB_POOL,
)
def exclusions(duckdb: DuckDB, release: ReleaseSettings) -> dg.MaterializeResult:
    """Grain: one row per conversation the release leaves out, with its reasons (`pii`, `annotator_prompt`)."""
    params = {"exclude_pii": release.exclude_pii, "include_annotator_prompts": release.include_annotator_prompts}
    return write_table(duckdb, STAGE, "exclusions", params=params, schema=RELEASE)


@dg.asset(
    backfill_policy=SINGLE_RUN,
    key=table_key("comparisons", RELEASE),
    deps=[table_key("comparisons"), table_key("exclusions", RELEASE), table_key("aggregates")],
    group_name=STAGE,
    kinds={"duckdb"},
    pool=DUCKDB_POOL,
)
def comparisons(duckdb: DuckDB, release: ReleaseSettings) -> dg.MaterializeResult:
    """Grain: one row per comparison the release carries (none of an excluded conversation), with `margin` from the
    item's vote shares and the licences of its human-written and model-written text."""
    return write_table(duckdb, STAGE, "comparisons", params=release.licenses(), schema=RELEASE)


def build_release_file(name: str, description: str) -> dg.AssetsDefinition:
    deps = [table_key("comparisons", RELEASE), *([table_key(name)] if name in ("annotators", "aggregates") else [])]

    @dg.asset(
        backfill_policy=SINGLE_RUN,
        key=release_key(name),
        deps=deps,
        group_name=STAGE,
        kinds={"parquet", "json"},
        pool=DUCKDB_POOL,
        description=f"Grain: {description}. Files: <data>/releases/current/{name}.parquet (and {name}.jsonl with the "
        "release resource's `jsonl`), once `files/current` publishes the run's release.",
    )
    def release_file(context: dg.AssetExecutionContext, duckdb: DuckDB, release: ReleaseSettings) -> dg.MaterializeResult:
        folder = release_dir(context, duckdb)
        parquet, jsonl = folder / f"{name}.parquet", folder / f"{name}.jsonl"
        with duckdb.connect(read_only=True) as con:
            query, params = pseudonymized(con, load_sql("release", "files", name), release.id_key(duckdb.root))
            schema = write_parquet(con, query, parquet, release.licenses(), params)
        if release.jsonl:
            write_jsonl(parquet, jsonl)
        elif jsonl.exists():  # an earlier release's: it would no longer match the Parquet file beside it
            jsonl.unlink()
            context.log.info(f"removed {jsonl.name}: the release resource's `jsonl` is off")
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": pq.ParquetFile(parquet).metadata.num_rows,
                "parquet": dg.MetadataValue.path(str(parquet)),
                **({"jsonl": dg.MetadataValue.path(str(jsonl))} if release.jsonl else {}),
                "columns": dg.MetadataValue.json(schema.names),
            }
        )

    return release_file


def build_release_check(name: str, model) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=release_key(name),
        name="matches_schema",
        blocking=True,
        description=f"{name}.parquet reads back and its rows satisfy {model.__name__}; {name}.jsonl, when written, "
        "has as many lines.",
    )
    def release_check(context: dg.AssetCheckExecutionContext, duckdb: DuckDB) -> dg.AssetCheckResult:
        folder = release_dir(context, duckdb)
        jsonl = folder / f"{name}.jsonl"
        with duckdb_module.connect() as scratch:  # an in-memory database reads the file: no pandas copy of it
            rows, failures = validate_relation(scratch, parquet_source(str(folder / f"{name}.parquet")), model)
        if jsonl.exists():
            with jsonl.open(encoding="utf-8") as lines:
                jsonl_rows = sum(1 for _ in lines)
            if jsonl_rows != rows:
                return dg.AssetCheckResult(passed=False, metadata={"parquet_rows": rows, "jsonl_rows": jsonl_rows})
        return check_result(rows, failures)

    return release_check


release_files = [build_release_file(name, description) for name, (_, description) in FILES.items()]
release_file_checks = [build_release_check(name, model) for name, (model, _) in FILES.items()]


@dg.asset(
    backfill_policy=SINGLE_RUN,
    key=release_key(CA_CSV),
    deps=[table_key("comparisons", RELEASE), table_key("annotators"), table_key("human_turns")],
    group_name=STAGE,
    kinds={"csv"},
    pool=DUCKDB_POOL,
)
def community_alignment(context: dg.AssetExecutionContext, duckdb: DuckDB, release: ReleaseSettings) -> dg.MaterializeResult:
    """Grain: one released conversation in the public Community Alignment CSV layout (per turn: prompt, responses
    a–d, preferred response, feedback), so tools written for the public dataset read a release. File:
    <data>/releases/current/community_alignment.csv. Conversations with a turn kept out by quality control are left out."""
    path = release_dir(context, duckdb) / f"{CA_CSV}.csv"
    with duckdb.connect(read_only=True) as con, written_beside(path) as tmp:
        con.execute("set enable_progress_bar = false")  # no bar in the run's logs
        query, params = pseudonymized(con, load_sql("release", "files", CA_CSV), release.id_key(duckdb.root))
        rows = copy_ca_csv(con, query, tmp, params)
        released = con.sql(load_sql("release", "queries", "released_conversations")).fetchall()[0][0]
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": rows,
            "conversations_with_a_missing_turn": released - rows,
            "path": dg.MetadataValue.path(str(path)),
        }
    )


@dg.asset_check(
    asset=release_key(CA_CSV),
    name="matches_schema",
    blocking=True,
    description="The CSV reads back through the inbox's own reader and row checks without a single problem.",
)
def community_alignment_matches_schema(context: dg.AssetCheckExecutionContext, duckdb: DuckDB) -> dg.AssetCheckResult:
    rows = read_ca_csv(release_dir(context, duckdb) / f"{CA_CSV}.csv")
    with duckdb_module.connect() as scratch:  # an in-memory database: the row checks need SQL, not the project's file
        _, problems = split_rows(scratch, rows)
    return dg.AssetCheckResult(
        passed=problems.empty,
        metadata={
            "rows": len(rows),
            "problem_rows": len(problems),
            "problems": dg.MetadataValue.md(problems.head(20).astype(str).to_markdown(index=False) if len(problems) else "none"),
        },
    )


@dg.asset(
    backfill_policy=SINGLE_RUN,
    key=release_key(CARD),
    deps=[release_key(name) for name in (*FILES, CA_CSV)] + [table_key("exclusions", RELEASE)],
    group_name=STAGE,
    kinds={"markdown"},
    pool=DUCKDB_POOL,
)
def dataset_card_file(context: dg.AssetExecutionContext, duckdb: DuckDB, release: ReleaseSettings) -> dg.MaterializeResult:
    """Grain: one dataset card, <data>/releases/current/README.md: counts, languages, samplers, models, licences, what
    was left out and why, how the data was made, and the `configs` that Hugging Face `datasets` loads."""
    with duckdb.connect(read_only=True) as con:
        card = dataset_card(con, release, files=[*FILES, CA_CSV])
    path = release_dir(context, duckdb) / "README.md"
    with written_beside(path) as tmp:
        tmp.write_text(card, encoding="utf-8")
    return dg.MaterializeResult(
        metadata={"path": dg.MetadataValue.path(str(path)), "card": dg.MetadataValue.md(card.split("\n---\n", 1)[-1])}
    )


@dg.asset_check(
    asset=release_key(CARD),
    name="matches_schema",
    blocking=True,
    description="The card's YAML front matter parses, names a default config, and every config's data file exists.",
)
def dataset_card_matches_schema(context: dg.AssetCheckExecutionContext, duckdb: DuckDB) -> dg.AssetCheckResult:
    folder = release_dir(context, duckdb)
    problems = card_problems((folder / "README.md").read_text(encoding="utf-8"), folder)
    return dg.AssetCheckResult(passed=not problems, metadata={"problems": dg.MetadataValue.json(problems)})


PUBLISHED_FILES = [*(f"{name}.parquet" for name in FILES), f"{CA_CSV}.csv", "README.md"]


@dg.asset(
    backfill_policy=SINGLE_RUN,
    key=release_key(CURRENT),
    deps=[release_key(name) for name in (*FILES, CA_CSV, CARD)],
    group_name=STAGE,
    kinds={"folder"},
)
def current(context: dg.AssetExecutionContext, duckdb: DuckDB) -> dg.MaterializeResult:
    """Grain: the published release, <data>/releases/current: a symlink switched in one rename to the run's version
    folder, after every release file and the card passed their blocking checks there. A reader sees the old
    release or the new one, never a mix and never an unchecked file."""
    folder = release_dir(context, duckdb)
    missing = [name for name in PUBLISHED_FILES if not (folder / name).is_file()]
    if missing:
        raise dg.Failure(f"the release in {folder} lacks {', '.join(missing)}: materialize every files/ asset once")

    def finished(run_id: str) -> bool:
        run = context.instance.get_run_by_id(run_id)
        return run is not None and run.is_finished

    published, removed = publish_version(duckdb.subdir(RELEASES_DIR), context.run.run_id, finished)
    context.log.info(f"published {published} as {current_dir(duckdb.subdir(RELEASES_DIR))}; removed old versions: {removed or 'none'}")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(current_dir(duckdb.subdir(RELEASES_DIR)))),
            "version": published.name,
            "files": dg.MetadataValue.json(sorted(p.name for p in published.iterdir() if not p.name.startswith("."))),
            "removed_versions": dg.MetadataValue.json(removed),
        }
    )


@dg.asset_check(
    asset=release_key(CURRENT),
    name="matches_schema",
    blocking=True,
    description="releases/current resolves to this run's version folder, which holds every release file, and the "
    "card's configs name files that are there.",
)
def current_matches_schema(context: dg.AssetCheckExecutionContext, duckdb: DuckDB) -> dg.AssetCheckResult:
    published = current_dir(duckdb.subdir(RELEASES_DIR))
    problems = [f"{published} is not this run's version"] if published.resolve() != release_dir(context, duckdb).resolve() else []
    problems += [f"{name} is missing" for name in PUBLISHED_FILES if not (published / name).is_file()]
    if not problems:
        problems = card_problems((published / "README.md").read_text(encoding="utf-8"), published)
    return dg.AssetCheckResult(passed=not problems, metadata={"problems": dg.MetadataValue.json(problems)})


releases_checks = [
    schema_check("pii_findings", PiiFindings, RELEASE),
    schema_check("exclusions", Exclusions, RELEASE),
    schema_check("comparisons", Comparisons, RELEASE),
    audit_check(
        STAGE,
        "comparisons",
        "release_reconciles",
        "Comparisons = released + excluded: a conversation is released whole or listed in release.exclusions.",
        schema=RELEASE,
    ),
]
