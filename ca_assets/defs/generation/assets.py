"""Generation, once per turn: candidate sets of four answers for each request of that turn.

Turn 1 samples the prompt bank (every prompt x every configured sampler); turn n > 1 samples each conversation
that goes on, with its history, using the sampler its first turn used. Each turn writes its own tables in
schema turn_<n>; main's views (core/union_views.py, declared at the end of this module) union them."""

from pathlib import Path
from typing import NamedTuple

import dagster as dg
import pandas as pd
import pandera.pandas as pa
from pydantic import Field

from ca_assets.core import handoff
from ca_assets.core.checks import DUCKDB_POOL, MODEL_POOL, audit_check, schema_check, table_key
from ca_assets.core.duckdb import DuckDB, use_schema
from ca_assets.core.partitions import SINGLE_RUN
from ca_assets.core.sql import load_sql
from ca_assets.core.tables import Write, as_outputs, write_tables
from ca_assets.core.union_views import union_views
from ca_assets.defs.generation.sampling_run import BackendDown, SetJob, sample_many
from ca_assets.defs.generation.schemas import Candidates, CandidateSets, GenerationQuarantine, GenerationRequests
from ca_assets.defs.generation.sets import kept_rows, quarantine_row, request_id, sample_key
from ca_assets.models.generation import Generator, ResponseCache
from ca_assets.models.language import LANG_PARTITIONS
from ca_assets.models.samplers import TEMPLATE_VERSION, SamplingSettings, template_name
from ca_assets.models.templates import has_template, template_file
from ca_assets.vocab import SAMPLERS, TURNS, turn_schema

STAGE = "generation"


OF_RUN_PROMPTS = "prompt_id not in (select prompt_id from main.prompts where not list_contains($langs, lang))"
OF_RUN_SETS = "set_id not in (select set_id from candidate_sets where not list_contains($langs, lang))"


class GenerationConfig(dg.Config):
    samplers: list[str] = Field(
        default_factory=lambda: ["nc", "iid"],
        description="Samplers to run on the first turn (later turns keep their conversation's): nc, iid, "
        "multi_model (needs generator.multi_model: two or more models).",
    )
    prompts_per_language: int = Field(
        default=0, description="Use the first N prompts (by id) of each language; 0 uses the whole bank."
    )


def _requests_first_turn(con, config: GenerationConfig, generator: Generator, langs: list[str]) -> pd.DataFrame:
    unknown = set(config.samplers) - set(SAMPLERS)
    if unknown:
        raise dg.Failure(f"unknown samplers {sorted(unknown)}; choose from {list(SAMPLERS)}")
    if "multi_model" in config.samplers and len(generator.multi_model) < 2:
        raise dg.Failure("the multi_model sampler needs at least two models in the generator's multi_model list")
    prompts = con.sql(load_sql("generation", "queries", "generation_prompts")).df()
    prompts = prompts[prompts["lang"].isin(langs)]
    # An opening a person wrote live is sampled with the sampler the app used for it, whatever the bank's are:
    # the person has seen that set (a cache hit here), and no one else answers its prompt.
    written = prompts[prompts["annotator_id"].notna()]
    prompts = prompts[prompts["annotator_id"].isna()]
    if config.prompts_per_language:
        prompts = prompts.groupby("lang", sort=True).head(config.prompts_per_language)
    pairs = [(p, sampler) for p in prompts.itertuples(index=False) for sampler in config.samplers]
    pairs += [(p, p.sampler) for p in written.itertuples(index=False)]
    rows = [
        {"prompt_id": p.prompt_id, "lang": p.lang, "sampler": sampler, "conversation_id": None, "key": sample_key(p.prompt_id, 1, None),
         "messages": [{"role": "user", "content": p.text}]}
        for p, sampler in pairs
    ]
    return pd.DataFrame(rows, columns=["prompt_id", "lang", "sampler", "conversation_id", "key", "messages"])


def _english_instructions(requests: pd.DataFrame) -> set[tuple[str, str]]:
    """(language, missing template file) for each language of the requests that has no instructions of its own."""
    pairs = set(zip(requests["lang"], requests["sampler"].map(template_name), strict=True))
    return {
        (lang, template_file(name, TEMPLATE_VERSION, lang))
        for lang, name in pairs
        if not has_template(name, TEMPLATE_VERSION, lang)
    }


def _requests_later_turn(con, turn: int) -> pd.DataFrame:
    """Every conversation whose user turn exists: its history plus the new message, under its own sampler."""
    rows = con.sql(load_sql("generation", "queries", "conversation_requests")).df()
    pairs = zip(rows["prompt_id"], rows["conversation_id"], strict=True)
    rows["key"] = [sample_key(prompt, turn, conversation) for prompt, conversation in pairs]
    return rows


class Plan(NamedTuple):
    """What the plan op hands to sample and write: the turn's requests, read from DuckDB."""

    requests: pd.DataFrame
    langs: list[str]  # turn 1: the run's language partitions (the rows it replaces); later turns: []
    cache: str  # the response cache's folder, so the sample op need not take the DuckDB resource


class Sampled(NamedTuple):
    """What the sample op hands to write: the tables' rows and the run's figures."""

    sets: pd.DataFrame
    candidates: pd.DataFrame
    quarantine: pd.DataFrame
    run_metadata: dict
    english: list[str]


DESCRIBED = {
    "candidate_sets": "Grain: one row per requested (prompt, sampler) at turn 1, per conversation later, with four "
    "usable answers. Carries the messages answered, model, sampling parameters, seeds, prompt-template "
    "name/version/hash, tokens and generation time.",
    "candidates": "Grain: one row per answer in a candidate set, at position a–d.",
    "generation_requests": "Grain: one row per candidate set this turn's generation was asked for.",
    "generation_quarantine": "Grain: one row per requested set whose output stayed unusable after every retry, with "
    "the last raw text and the reason.",
}
MODEL_KINDS = {"duckdb", "llama_cpp", "vllm", "openai"}


def _plan(context, duckdb: DuckDB, turn: int, requests: pd.DataFrame, langs: list[str]) -> Plan:
    handoff.prune(duckdb.root)
    requests["turn"] = turn
    requests["request_id"] = [
        request_id(r.prompt_id, turn, r.sampler, r.conversation_id) for r in requests.itertuples(index=False)
    ]
    context.log.info(f"turn {turn}: {len(requests)} candidate sets to generate")
    return Plan(requests, langs, str(duckdb.subdir("cache") / "generation"))


def _sample(context, turn: int, plan: Plan, generator: Generator, sampling: SamplingSettings) -> Sampled:
    requests = plan.requests
    english = _english_instructions(requests)
    if english:
        context.log.warning(
            f"turn {turn}: no sampler instructions in {sorted({lang for lang, _ in english})} ("
            + ", ".join(f"prompts/{name}" for _, name in sorted(english))
            + "): their sets use the English ones, which ask for answers in the language of the user's message"
        )
    context.log.info(
        f"turn {turn}: generating {len(requests)} candidate sets with {generator.backend}:{generator.model_name}"
    )
    jobs = [
        SetJob(r.key, r.lang, tuple((m["role"], m["content"]) for m in r.messages), r.sampler)
        for r in requests.itertuples(index=False)
    ]
    try:
        outcomes = sample_many(generator, ResponseCache(Path(plan.cache)), jobs, sampling, log=context.log.info)
    except BackendDown as error:
        raise dg.Failure(str(error)) from error
    sets, candidates, quarantine = [], [], []
    for row, outcome in zip(requests.itertuples(index=False), outcomes, strict=True):
        if outcome.answers is None:
            quarantine.append(quarantine_row(row, outcome))
            continue
        set_row, candidate_rows = kept_rows(generator, sampling, row, outcome)
        sets.append(set_row)
        candidates.extend(candidate_rows)

    counted = ("requests", "cache_hits", "retries", "tokens_in", "tokens_out")
    totals = {key: sum(getattr(o, key) for o in outcomes) for key in counted}
    # Speed of the requests actually sent this run (cache hits cost nothing and would inflate it).
    model_seconds = sum(o.fresh_seconds for o in outcomes)
    throughput = sum(o.fresh_tokens_out for o in outcomes) / model_seconds if model_seconds else 0.0
    run_metadata = {
        "requested_sets": len(requests),
        "kept_sets": len(sets),
        "quarantined_sets": len(quarantine),
        **totals,
        "model_seconds": round(model_seconds, 2),
        "tokens_per_second": round(throughput, 1),
        "backend": generator.backend,
        "model": generator.model_name,
        "sampling": sampling.model_dump(),
    }
    return Sampled(
        _frame(sets, CandidateSets), _frame(candidates, Candidates), _frame(quarantine, GenerationQuarantine),
        run_metadata, sorted({lang for lang, _ in english}),
    )


def _write(context, duckdb: DuckDB, schema: str, plan: Plan, sampled: Sampled):
    request_rows = plan.requests[list(GenerationRequests.to_schema().columns)]
    # Turn 1 is partitioned by language: only the run's languages' rows are replaced. Rows of a prompt no
    # longer in main.prompts count as the run's, so a prompt dropped from the bank leaves no orphans.
    by_prompt = by_set = {}
    if plan.langs:
        by_prompt = {"replace_where": OF_RUN_PROMPTS, "where_params": {"langs": plan.langs}}
        by_set = {"replace_where": OF_RUN_SETS, "where_params": {"langs": plan.langs}}
    run_metadata = {
        **sampled.run_metadata,
        "sampling": dg.MetadataValue.json(sampled.run_metadata["sampling"]),
        "english_instructions_for": dg.MetadataValue.json(sampled.english),
    }
    reasons = sampled.quarantine["reason"].astype(str).value_counts().to_dict()
    written = write_tables(duckdb, STAGE, [  # one transaction: never a set without its candidates
        Write("generation_requests", {"request_rows": request_rows}, schema=schema, **by_prompt),
        Write("candidate_sets", {"set_rows": sampled.sets}, schema=schema, **by_prompt, extra=run_metadata),
        Write("candidates", {"candidate_rows": sampled.candidates}, schema=schema, **by_set),
        Write("generation_quarantine", {"quarantine_rows": sampled.quarantine}, schema=schema,
              **by_prompt, extra={"reasons": dg.MetadataValue.json(reasons)}),
    ])  # fmt: skip
    handoff.finish(duckdb.root, context.run)
    yield from as_outputs(written)


def build_generation(turn: int) -> tuple[dg.AssetsDefinition, list[dg.AssetChecksDefinition]]:
    """A turn's generation as three ops, so that each holds the pool of what it touches: plan (reads DuckDB, `duckdb`
    pool) → sample (runs the model, `model` pool, never opens the file) → write (one transaction, `duckdb` pool)."""
    schema = turn_schema(turn)
    name = f"{schema}__generation"
    upstream = table_key("prompts") if turn == 1 else table_key("user_turns", schema)

    if turn == 1:

        @dg.op(name=f"{name}_plan", pool=DUCKDB_POOL, ins={"upstream": dg.In(dg.Nothing)})
        def plan(context: dg.OpExecutionContext, config: GenerationConfig, duckdb: DuckDB, generator: Generator) -> Plan:
            """Read the prompt bank: one request per prompt of the run's languages and sampler."""
            langs = list(context.partition_keys)
            with duckdb.connect(read_only=True) as con:
                requests = _requests_first_turn(con, config, generator, langs)
            return _plan(context, duckdb, turn, requests, langs)
    else:

        @dg.op(name=f"{name}_plan", pool=DUCKDB_POOL, ins={"upstream": dg.In(dg.Nothing)})
        def plan(context: dg.OpExecutionContext, duckdb: DuckDB) -> Plan:
            """Read the conversations that go on: one request each, with its history and its first turn's sampler."""
            with duckdb.connect(read_only=True) as con:
                use_schema(con, schema)
                requests = _requests_later_turn(con, turn)
            return _plan(context, duckdb, turn, requests, [])

    @dg.op(name=f"{name}_sample", pool=MODEL_POOL)
    def sample(context: dg.OpExecutionContext, plan: Plan, generator: Generator, sampling: SamplingSettings) -> Sampled:
        """Sample every request's set of four with the model (cached by request); no DuckDB."""
        return _sample(context, turn, plan, generator, sampling)

    @dg.op(name=f"{name}_write", pool=DUCKDB_POOL, out={table: dg.Out(dg.Nothing) for table in DESCRIBED})
    def write(context: dg.OpExecutionContext, plan: Plan, sampled: Sampled, duckdb: DuckDB):
        """Write the turn's four tables in one transaction."""
        yield from _write(context, duckdb, schema, plan, sampled)

    def compose(upstream):
        planned = plan.alias("plan")(upstream)
        written = write.alias("write")(planned, sample.alias("sample")(planned))
        return {table: getattr(written, table) for table in DESCRIBED}

    compose.__doc__ = (
        "Sample a candidate set of four answers per prompt and sampler (nc: one call, four divergent answers under "
        "a JSON schema; iid: four independent samples)."
        if turn == 1
        else f"Sample turn {turn}: a candidate set per conversation that goes on, answering its whole history."
    ) + " Responses are cached on disk by request, so a rerun after a crash only sends what is missing."
    outs = {
        table: dg.AssetOut(
            key=table_key(table, schema), dagster_type=dg.Nothing, description=text,
            kinds=MODEL_KINDS if table in ("candidate_sets", "candidates") else {"duckdb"},
        )
        for table, text in DESCRIBED.items()
    }
    # One run generates any range of languages (a backfill of all five is one run, one model load).
    partitioned = {"partitions_def": LANG_PARTITIONS} if turn == 1 else {}
    # Run config keeps the shape of one step: ops: {turn_1__generation: {config: {samplers: ...}}}.
    config = (
        dg.ConfigMapping(config_fn=lambda c: {"plan": {"config": c}}, config_schema=GenerationConfig.to_config_schema())
        if turn == 1
        else None
    )
    asset = dg.graph_multi_asset(
        name=name, outs=outs, ins={"upstream": dg.AssetIn(key=upstream, dagster_type=dg.Nothing)}, group_name=STAGE,
        backfill_policy=SINGLE_RUN, config=config, **partitioned,
    )(compose)
    checks = [
        schema_check("candidate_sets", CandidateSets, schema),
        schema_check("candidates", Candidates, schema),
        schema_check("generation_quarantine", GenerationQuarantine, schema),
        schema_check("generation_requests", GenerationRequests, schema),
        audit_check(
            STAGE,
            "candidate_sets",
            "generation_reconciles",
            "Requested = kept + quarantined: every requested set is exactly one kept or quarantined set, and nothing "
            "else was kept or quarantined.",
            schema=schema,
        ),
        audit_check(
            STAGE,
            "candidates", "candidates_four_per_set", "Every candidate set has exactly one answer at a, b, c, d.", schema=schema
        ),
    ]
    return asset, checks


def _frame(rows: list[dict], model: type[pa.DataFrameModel]) -> pd.DataFrame:
    """A frame with the table's columns even when there are no rows, so the SQL still binds."""
    return pd.DataFrame(rows, columns=list(model.to_schema().columns))


_built = [build_generation(turn) for turn in TURNS]
generation_assets = [asset for asset, _ in _built]
generation_checks = [check for _, checks in _built for check in checks]
del _built  # the definitions loader collects module attributes: each definition must appear once
# main.<table>: every turn's (and the human files') rows under one name
generation_views = union_views(
    STAGE,
    {"generation_requests": (1, False), "candidate_sets": (1, True), "candidates": (1, True), "generation_quarantine": (1, False)},
)
