import dagster as dg
import pandas as pd
import pandera.pandas as pa
from pydantic import Field

from ca_assets.lib.checks import audit_check, schema_check, table_key
from ca_assets.lib.duckdb import DuckDB
from ca_assets.lib.generation import Generator, ResponseCache
from ca_assets.lib.ids import stable_id
from ca_assets.lib.samplers import POSITIONS, SAMPLERS, SamplingSettings, request_budget
from ca_assets.lib.sampling_run import BackendDown, SetJob, sample_many
from ca_assets.lib.schemas import Candidates, CandidateSets, GenerationQuarantine, GenerationRequests
from ca_assets.lib.sql import load_sql
from ca_assets.lib.tables import write_table

MODEL_POOL = "model"  # one model-serving step at a time: it takes every core (or the GPU)
TURN = 1


class GenerationConfig(dg.Config):
    samplers: list[str] = Field(
        default_factory=lambda: ["nc", "iid"],
        description="Samplers to run: nc, iid, multi_model (needs generator.multi_model: two or more models).",
    )
    prompts_per_language: int = Field(
        default=0, description="Use the first N prompts (by id) of each language; 0 uses the whole bank."
    )
    max_words: int = Field(default=60, description="Length asked of each answer, in words.")
    max_tokens: int = Field(default=160, description="Token budget per answer (an NC call gets 4x plus 64).")
    temperature: float = Field(default=1.0, description="Sampling temperature; the paper's iid baseline uses 1.0.")
    max_attempts: int = Field(default=3, description="Tries per answer before the set is quarantined.")
    seed: int = Field(default=0, description="Base seed; per-request seeds derive from it and the prompt.")
    check_language: bool = Field(
        default=True,
        description="Retry, then quarantine, answers whose detected language (langid, answers of 40+ characters) "
        "is not the prompt's. Turn off for code-switched prompts (e.g. Hinglish in Latin script).",
    )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            table_key("candidate_sets"),
            deps=[table_key("prompts")],
            group_name="generation",
            kinds={"duckdb", "llama_cpp", "vllm", "openai"},
            description="Grain: one row per (prompt, turn, sampler) with four usable answers. Carries model, "
            "sampling parameters, seeds, prompt-template name/version/hash, tokens and generation time.",
        ),
        dg.AssetSpec(
            table_key("candidates"),
            deps=[table_key("prompts")],
            group_name="generation",
            kinds={"duckdb", "llama_cpp", "vllm", "openai"},
            description="Grain: one row per answer in a candidate set, at position a–d.",
        ),
        dg.AssetSpec(
            table_key("generation_requests"),
            deps=[table_key("prompts")],
            group_name="generation",
            kinds={"duckdb"},
            description="Grain: one row per (prompt, turn, sampler) the generation run was asked to sample.",
        ),
        dg.AssetSpec(
            table_key("generation_quarantine"),
            deps=[table_key("prompts")],
            group_name="generation",
            kinds={"duckdb"},
            description="Grain: one row per (prompt, turn, sampler) whose output stayed unusable after every "
            "retry, with the last raw text and the reason.",
        ),
    ],
    pool=MODEL_POOL,
)
def generation(
    context: dg.AssetExecutionContext, config: GenerationConfig, duckdb: DuckDB, generator: Generator
):
    """Sample a candidate set of four answers per prompt and sampler (nc: one call, four divergent
    answers under a JSON schema; iid: four independent samples). Responses are cached on disk by request,
    so a rerun after a crash only sends what is missing."""
    unknown = set(config.samplers) - set(SAMPLERS)
    if unknown:
        raise dg.Failure(f"unknown samplers {sorted(unknown)}; choose from {list(SAMPLERS)}")
    if "multi_model" in config.samplers and len(generator.multi_model) < 2:
        raise dg.Failure("the multi_model sampler needs at least two models in the generator's multi_model list")
    with duckdb.connect(read_only=True) as con:
        prompt_rows = con.sql(load_sql("queries", "generation_prompts")).df()
    if config.prompts_per_language:
        prompt_rows = prompt_rows.groupby("lang", sort=True).head(config.prompts_per_language)

    settings = SamplingSettings(
        max_words=config.max_words,
        max_tokens=config.max_tokens,
        temperature=config.temperature,
        max_attempts=config.max_attempts,
        seed=config.seed,
        check_language=config.check_language,
    )
    cache = ResponseCache(duckdb.subdir("cache") / "generation")
    jobs = [(row, sampler) for row in prompt_rows.itertuples(index=False) for sampler in config.samplers]
    context.log.info(
        f"generating {len(jobs)} candidate sets ({len(prompt_rows)} prompts x {config.samplers}) "
        f"with {generator.backend}:{generator.model_name}"
    )

    try:
        outcomes = sample_many(
            generator, cache, [SetJob(row.prompt_id, row.lang, row.text, sampler) for row, sampler in jobs], settings,
            log=context.log.info,
        )
    except BackendDown as error:
        raise dg.Failure(str(error)) from error
    sets, candidates, quarantine = [], [], []
    for (row, sampler), outcome in zip(jobs, outcomes):
        if outcome.answers is None:
            quarantine.append(
                {
                    "prompt_id": row.prompt_id,
                    "turn": TURN,
                    "sampler": sampler,
                    "reason": outcome.reason,
                    "raw_text": outcome.raw,
                    "requests": outcome.requests,
                }
            )
            continue
        template = outcome.template
        # Everything that shapes the answers is in the id (the seeds of the requests that made them included:
        # a screening change can keep a different attempt), so a set generated differently never reuses an id
        # that annotations may already point at.
        identities = (
            [generator.for_model(m).model_identity for m in generator.multi_model]
            if sampler == "multi_model"
            else [generator.model_identity]
        )
        set_id = stable_id(
            "set", row.prompt_id, TURN, sampler, generator.backend, identities, template.sha,
            settings.temperature, settings.max_tokens, settings.max_words, outcome.seeds,
        )
        sets.append(
            {
                "set_id": set_id,
                "prompt_id": row.prompt_id,
                "lang": row.lang,
                "turn": TURN,
                "sampler": sampler,
                "backend": generator.backend,
                "model": "+".join(sorted(set(outcome.models))),
                "template_name": template.name,
                "template_version": template.version,
                "template_sha": template.sha,
                "temperature": settings.temperature,
                "max_tokens": request_budget(sampler, settings),
                "seeds": outcome.seeds,
                "requests": outcome.requests,
                "tokens_in": outcome.tokens_in,
                "tokens_out": outcome.tokens_out,
                "generation_seconds": outcome.seconds,
            }
        )
        for position, text, model in zip(POSITIONS, outcome.answers, outcome.models):
            candidates.append(
                {"candidate_id": stable_id("candidate", set_id, position), "set_id": set_id, "position": position,
                 "model": model, "text": text}
            )

    totals = {key: sum(getattr(o, key) for o in outcomes) for key in ("requests", "cache_hits", "retries", "tokens_in", "tokens_out")}
    # Speed of the requests actually sent this run (cache hits cost nothing and would inflate it).
    model_seconds = sum(o.fresh_seconds for o in outcomes)
    throughput = sum(o.fresh_tokens_out for o in outcomes) / model_seconds if model_seconds else 0.0
    run_metadata = {
        "requested_sets": len(jobs),
        "kept_sets": len(sets),
        "quarantined_sets": len(quarantine),
        **totals,
        "model_seconds": round(model_seconds, 2),
        "tokens_per_second": round(throughput, 1),
        "backend": generator.backend,
        "model": generator.model_name,
        "sampling": dg.MetadataValue.json(
            {"max_words": settings.max_words, "max_tokens": settings.max_tokens,
             "temperature": settings.temperature, "max_attempts": settings.max_attempts, "seed": settings.seed,
             "check_language": settings.check_language}
        ),
    }
    requests = pd.DataFrame([(row.prompt_id, TURN, sampler) for row, sampler in jobs], columns=["prompt_id", "turn", "sampler"])
    yield write_table(duckdb, "generation_requests", {"request_rows": requests})
    yield write_table(duckdb, "candidate_sets", {"set_rows": _frame(sets, CandidateSets)}, **run_metadata)
    yield write_table(duckdb, "candidates", {"candidate_rows": _frame(candidates, Candidates)})
    yield write_table(
        duckdb, "generation_quarantine", {"quarantine_rows": _frame(quarantine, GenerationQuarantine)},
        reasons=dg.MetadataValue.json(pd.Series([q["reason"] for q in quarantine]).value_counts().to_dict()),
    )


def _frame(rows: list[dict], model: type[pa.DataFrameModel]) -> pd.DataFrame:
    """A frame with the table's columns even when there are no rows, so the SQL still binds."""
    return pd.DataFrame(rows, columns=list(model.to_schema().columns))


generation_checks = [
    schema_check("candidate_sets", CandidateSets),
    schema_check("candidates", Candidates),
    schema_check("generation_quarantine", GenerationQuarantine),
    schema_check("generation_requests", GenerationRequests),
    audit_check(
        "candidate_sets",
        "generation_reconciles",
        "Requested = kept + quarantined: every requested (prompt, turn, sampler) is exactly one kept or "
        "quarantined set, and nothing else was kept or quarantined.",
    ),
    audit_check("candidates", "candidates_four_per_set", "Every candidate set has exactly one answer at a, b, c, d."),
]
