"""Annotation: annotators, their assignments, and per turn the simulated choices and (from turn 2) the user's
next message. Each turn's tables live in schema turn_<n>, so the protocol reads as a chain in the lineage graph:
turn_1/annotations → turn_2/user_turns → turn_2 generation → turn_2/candidate_values → turn_2/annotations → …"""

import math
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Literal, NamedTuple

import dagster as dg
import numpy as np
import pandas as pd
from pydantic import Field

from ca_assets.core import handoff
from ca_assets.core.checks import DUCKDB_POOL, MODEL_POOL, audit_check, schema_check, table_key
from ca_assets.core.duckdb import DuckDB, use_schema
from ca_assets.core.ids import stable_id, stable_seed
from ca_assets.core.partitions import SINGLE_RUN
from ca_assets.core.sql import load_sql
from ca_assets.core.tables import write_table
from ca_assets.core.union_views import union_views
from ca_assets.defs.annotation.persona import persona_choice
from ca_assets.defs.annotation.schemas import Annotations, Annotators, Assignments, UserTurns
from ca_assets.defs.annotation.simulation import choose, explanation, export_order, seconds_to_choose, shown_order, simulate_annotators
from ca_assets.defs.annotation.user_simulator import next_user_message
from ca_assets.defs.generation.sets import person_conversation_id
from ca_assets.models.generation import Generator, ResponseCache
from ca_assets.models.samplers import SamplingSettings
from ca_assets.vocab import COUNTRIES, LANGS, POSITIONS, TURNS, turn_schema

STAGE = "annotation"


class AnnotatorsConfig(dg.Config):
    per_country: int = Field(default=12, description="Simulated annotators per country (5 countries).")
    seed: int = Field(default=0, description="Seed for the annotators' ideal points and biases.")
    careless_share: float = Field(
        default=0.1, ge=0, le=1,
        description="Share of simulated annotators who click without reading (mostly the first answer, fast, failing "
        "attention checks): what the quality stage must catch.",
    )


class AssignmentsConfig(dg.Config):
    annotators_per_set: int = Field(
        default=10,
        description="Annotators shown each first-turn candidate set, drawn from the cohort of the set's language "
        "(the release had > 2,500 prompts with >= 10 annotators). Each starts a conversation.",
    )


class UserTurnsConfig(dg.Config):
    continue_share: float = Field(
        default=0.6,
        ge=0,
        le=1,
        description="Share of each language's conversations that go on to this turn (rounded up, so a language "
        "with conversations keeps at least one). 0.6 gives ~2.2 turns on average; the release averaged 2.6.",
    )
    seed: int = Field(default=0, description="Seed for which conversations go on.")


class AnnotationsConfig(dg.Config):
    chooser: Literal["utility", "llm_persona"] = Field(
        default="utility",
        description="How simulated annotators choose. utility: the noisy value-distance model with position bias. "
        "llm_persona: the judge_generator model, told the annotator's demographics, picks and explains "
        "(falls back to utility, recorded, when its output stays unusable).",
    )
    seed: int = Field(default=0, description="Seed for the choice noise; each (annotator, set) derives its own.")
    explain_share: float = Field(
        default=0.44, ge=0, le=1, description="Share of choices that come with a written explanation (44% in the release)."
    )


@dg.asset(
    backfill_policy=SINGLE_RUN,
    key=table_key("annotators"),
    deps=[table_key("human_turns"), table_key("task_results")],
    group_name=STAGE,
    kinds={"duckdb"},
    pool=DUCKDB_POOL,
)
def annotators(config: AnnotatorsConfig, duckdb: DuckDB) -> dg.MaterializeResult:
    """Grain: one row per annotator (pseudonymous id) with country, assigned language and the release's
    demographic fields: the simulated ones, and the people of the ingested human files. Simulated annotators
    also carry an ideal point on the two Inglehart–Welzel axes, drawn around their country's position, a bias
    toward position a and a choice sharpness."""
    frame = pd.DataFrame(simulate_annotators(config.per_country, config.seed, config.careless_share, langs=LANGS))
    return write_table(
        duckdb,
        STAGE,
        "annotators",
        {"annotator_rows": frame},
        countries=dg.MetadataValue.json({c.name: c.lang for c in COUNTRIES}),
    )


@dg.asset(
    backfill_policy=SINGLE_RUN,
    key=table_key("assignments"),
    deps=[table_key("annotators"), table_key("candidate_sets", turn_schema(1))],
    group_name=STAGE,
    kinds={"duckdb"},
    pool=DUCKDB_POOL,
)
def assignments(context: dg.AssetExecutionContext, config: AssignmentsConfig, duckdb: DuckDB) -> dg.MaterializeResult:
    """Grain: one row per conversation: a simulated annotator shown a first-turn candidate set of their
    language. Each set gets `annotators_per_set` annotators, the least-loaded of the cohort first, so the work
    is balanced within each country (checked). Sets in a language no simulated country speaks get none: people
    annotate them (the task export)."""
    with duckdb.connect(read_only=True) as con:
        sets = con.sql(load_sql("annotation", "queries", "first_turn_sets")).df()
        people = con.sql(load_sql("annotation", "queries", "simulated_annotators")).df()
    unspoken = sorted(set(sets["lang"]) - set(people["assigned_lang"]))
    if unspoken:
        context.log.warning(
            f"no simulated annotators speak {unspoken} (the simulated countries are {[c.name for c in COUNTRIES]}): "
            f"their {int(sets['lang'].isin(unspoken).sum())} first-turn sets are left to people (exports/tasks/)"
        )
    load: Counter = Counter()
    rows = []
    for s in sets.itertuples(index=False):
        cohort = people[people["assigned_lang"] == s.lang]
        if cohort.empty:
            continue
        if len(cohort) < config.annotators_per_set:
            raise dg.Failure(
                f"annotators_per_set={config.annotators_per_set} but the {s.lang} cohort has {len(cohort)} simulated "
                "annotators: raise annotators.per_country or lower annotators_per_set"
            )
        ranked = sorted(cohort.itertuples(index=False), key=lambda p: (load[p.annotator_id], stable_id(s.set_id, p.annotator_id)))
        for person in ranked[: config.annotators_per_set]:
            load[person.annotator_id] += 1
            rows.append(
                {"conversation_id": stable_id("conversation", person.annotator_id, s.set_id), "annotator_id": person.annotator_id,
                 "set_id": s.set_id, "prompt_id": s.prompt_id, "lang": s.lang, "country": person.country, "sampler": s.sampler}
            )
    frame = pd.DataFrame(rows, columns=list(Assignments.to_schema().columns))
    return write_table(
        duckdb,
        STAGE,
        "assignments",
        {"assignment_rows": frame},
        per_country=dg.MetadataValue.json(frame["country"].value_counts().sort_index().to_dict()),
        annotators_per_set=config.annotators_per_set,
        languages_without_annotators=dg.MetadataValue.json(unspoken),
    )


class Continuing(NamedTuple):
    """What the user_turns plan hands to simulate and write: who goes on, read from DuckDB."""

    going_on: pd.DataFrame  # simulated conversations that go on: the user simulator writes their next message
    people: pd.DataFrame  # people's conversations with a next message in their task result
    conversations_before: int
    cache: str  # the user simulator's response cache


def build_user_turns(turn: int) -> tuple[dg.AssetsDefinition, list[dg.AssetChecksDefinition]]:
    """Turn n's user messages as three ops, each holding the pool of what it touches: plan (reads DuckDB, `duckdb`
    pool) → simulate (the user simulator's model, `model` pool, never opens the file) → write (`duckdb` pool)."""
    schema, previous = turn_schema(turn), turn_schema(turn - 1)
    name = f"{schema}__user_turns"

    upstream = {
        "annotations": table_key("annotations", previous), "candidates": table_key("candidates", previous),
        "candidate_sets": table_key("candidate_sets", previous), "task_results": table_key("task_results"),
    }

    @dg.op(name=f"{name}_plan", pool=DUCKDB_POOL, ins={dep: dg.In(dg.Nothing) for dep in upstream})
    def plan(context: dg.OpExecutionContext, config: UserTurnsConfig, duckdb: DuckDB) -> Continuing:
        """Read the previous turn's conversations and pick the ones that go on."""
        handoff.prune(duckdb.root)
        with duckdb.connect(read_only=True) as con:
            use_schema(con, previous)
            previous_turn = con.sql(load_sql("annotation", "queries", "conversations_to_continue")).df()
        annotated = previous_turn[previous_turn["source"] == "simulated"]
        people = previous_turn[(previous_turn["source"] == "human") & previous_turn["next_message"].notna()]
        going_on = _continuing(annotated, turn, config)
        context.log.info(
            f"turn {turn}: {len(going_on)} of {len(annotated)} simulated conversations go on, and {len(people)} people's"
        )
        return Continuing(going_on, people, len(annotated) + len(people), str(duckdb.subdir("cache") / "user_turns"))

    @dg.op(name=f"{name}_simulate", pool=MODEL_POOL)
    def simulate(
        context: dg.OpExecutionContext, plan: Continuing, generator: Generator, sampling: SamplingSettings
    ) -> pd.DataFrame:
        """The user simulator writes each simulated conversation's next message (cached by request); no DuckDB."""
        cache = ResponseCache(Path(plan.cache))

        def write(c) -> dict:
            history = tuple((m["role"], m["content"]) for m in c.history)
            outcome = next_user_message(generator, cache, f"{c.conversation_id}:{turn}", c.lang, history, sampling)
            return {"conversation_id": c.conversation_id, "turn": turn, "annotator_id": c.annotator_id, "prompt_id": c.prompt_id,
                    "lang": c.lang, "sampler": c.sampler, "history": list(c.history), "text": outcome.text, "source": "simulator",
                    "reason": outcome.reason, "raw_text": outcome.raw, "requests": outcome.requests}

        rows = []
        # As many in flight as the backend takes (one for llama.cpp in-process); results in conversation order.
        with ThreadPoolExecutor(max_workers=generator.parallel_requests) as pool:
            for done, row in enumerate(pool.map(write, plan.going_on.itertuples(index=False)), start=1):
                rows.append(row)
                if done % 20 == 0:
                    context.log.info(f"turn {turn}: {done}/{len(plan.going_on)} user messages")
        for c in plan.people.itertuples(index=False):  # a person's next message, from their task result
            rows.append(
                {"conversation_id": c.conversation_id, "turn": turn, "annotator_id": c.annotator_id, "prompt_id": c.prompt_id,
                 "lang": c.lang, "sampler": c.sampler, "history": list(c.history), "text": c.next_message, "source": "human",
                 "reason": None, "raw_text": None, "requests": 0}
            )
        return pd.DataFrame(rows, columns=list(UserTurns.to_schema().columns))

    @dg.op(name=f"{name}_write", pool=DUCKDB_POOL, out=dg.Out(dg.Nothing))
    def write(context: dg.OpExecutionContext, plan: Continuing, frame: pd.DataFrame, duckdb: DuckDB):
        """Write the turn's user_turns table."""
        written = write_table(
            duckdb,
            STAGE,
            "user_turns",
            {"user_turn_rows": frame},
            schema=schema,
            conversations_before=plan.conversations_before,
            going_on=len(frame),
            from_people=len(plan.people),
            ended_by_simulator=int(frame["text"].isna().sum()),
            reasons=dg.MetadataValue.json(frame["reason"].dropna().value_counts().to_dict()),
        )
        handoff.finish(duckdb.root, context.run)
        yield dg.Output(None, metadata=written.metadata)

    def compose(annotations, candidates, candidate_sets, task_results):
        planned = plan.alias("plan")(
            annotations=annotations, candidates=candidates, candidate_sets=candidate_sets, task_results=task_results
        )
        return write.alias("write")(planned, simulate.alias("simulate")(planned))

    user_turns = dg.graph_asset(
        compose,
        key=table_key("user_turns", schema),
        ins={dep: dg.AssetIn(key=key, dagster_type=dg.Nothing) for dep, key in upstream.items()},
        group_name=STAGE,
        kinds={"duckdb", "llama_cpp", "vllm", "openai"},
        backfill_policy=SINGLE_RUN,
        # Run config keeps the shape of one step: ops: {turn_2__user_turns: {config: {continue_share: ...}}}.
        config=dg.ConfigMapping(config_fn=lambda c: {"plan": {"config": c}}, config_schema=UserTurnsConfig.to_config_schema()),
        description=f"Grain: one row per conversation that goes on to turn {turn}: its history (the chosen answer "
        "is now the assistant's turn) and the user's next message: a person's, from their task result, or the "
        "user simulator's; or, when the simulator's output stayed unusable, no message and the reason (the "
        "conversation ends there).",
    )
    return user_turns, [schema_check("user_turns", UserTurns, schema)]


def _continuing(conversations: pd.DataFrame, turn: int, config: UserTurnsConfig) -> pd.DataFrame:
    """The conversations that go on: in each language, the first ceil(share x n) in a seeded hash order."""
    if conversations.empty:
        return conversations
    order = conversations.assign(_rank=[stable_id(c, turn, config.seed) for c in conversations["conversation_id"]])
    picked = [
        group.sort_values("_rank").head(math.ceil(config.continue_share * len(group)))
        for _, group in order.groupby("lang", sort=True)
    ]
    return pd.concat(picked).drop(columns="_rank").sort_values("conversation_id").reset_index(drop=True)


def build_annotations(turn: int) -> tuple[dg.AssetsDefinition, list[dg.AssetChecksDefinition]]:
    schema = turn_schema(turn)
    who = table_key("assignments") if turn == 1 else table_key("user_turns", schema)

    @dg.asset(
        backfill_policy=SINGLE_RUN,
        key=table_key("annotations", schema),
        deps=[
            table_key("annotators"), who, table_key("candidate_sets", schema), table_key("candidate_values", schema),
            table_key("task_results"),
        ],
        group_name=STAGE,
        kinds={"duckdb"},
        pool=DUCKDB_POOL,
        description=f"Grain: one row per (conversation, turn {turn}): which of the four candidates the annotator "
        "chose, an explanation on some, and the seconds it took. Simulated annotators choose with a noisy "
        "value-based utility (closer to their ideal point is better) plus a bias toward position a.",
    )
    def annotations(
        context: dg.AssetExecutionContext, config: AnnotationsConfig, duckdb: DuckDB, judge_generator: Generator
    ) -> dg.MaterializeResult:
        with duckdb.connect(read_only=True) as con:
            use_schema(con, schema)
            people = con.sql(load_sql("annotation", "queries", "simulated_annotators")).df().set_index("annotator_id")
            options = con.sql(load_sql("annotation", "queries", "annotation_options")).df()
            shown = con.sql(load_sql(STAGE, "queries", "first_turn_shown" if turn == 1 else "later_turn_shown")).df()
            answered = con.sql(load_sql("annotation", "queries", "turn_task_results")).df()
        by_set = {set_id: group.sort_values("position") for set_id, group in options.groupby("set_id", sort=True)}
        rows, asks = [], []
        for s in shown.itertuples(index=False):
            group = by_set.get(s.set_id)
            if group is None or list(group["position"]) != list(POSITIONS):
                raise dg.Failure(
                    f"candidate set {s.set_id} does not have positions a-d; the candidates checks should have blocked this"
                )
            person = people.loc[s.annotator_id]
            rng = np.random.default_rng(stable_seed("choice", s.annotator_id, s.set_id, config.seed))
            # The answers in the order this annotator is shown them: position bias favours the first shown.
            shown = shown_order(s.annotator_id, s.set_id)
            group = group.iloc[[POSITIONS.index(p) for p in shown]]
            pick = choose(
                (person.ideal_trad_secular, person.ideal_surv_self), group[["trad_secular", "surv_self"]].to_numpy(),
                person.position_bias, person.sharpness, rng, careless=bool(person.careless),
            )
            lang = group["lang"].iloc[0]
            explains = rng.random() < config.explain_share
            rows.append(
                {
                    "annotation_id": stable_id("annotation", s.conversation_id, turn),
                    "conversation_id": s.conversation_id,
                    "turn": turn,
                    "annotator_id": s.annotator_id,
                    "set_id": s.set_id,
                    "chosen_position": shown[pick],
                    "shown_order": shown,
                    "shown_position": pick + 1,
                    "source": "simulated",
                    "explanation": explanation(rng, lang, group["pole"].iloc[pick]) if explains else None,
                    "seconds": seconds_to_choose(rng, s.annotator_id, int(group["words"].sum()), careless=bool(person.careless)),
                    "chooser": "utility",
                    "chooser_raw": None,
                }
            )
            if config.chooser == "llm_persona" and not person.careless:  # a careless annotator does not read
                shown_to = (s.annotator_id, person.to_dict(), lang, list(group["messages"].iloc[0]), list(group["text"]))
                asks.append((rows[-1], shown_to))
        if asks:
            _ask_personas(context, judge_generator, ResponseCache(duckdb.subdir("cache") / "persona_choice"), asks, turn)
        for r in answered.itertuples(index=False):  # people, through the task export and the inbox
            conversation = r.conversation_id if turn > 1 else person_conversation_id(r.annotator_id, r.request_id)
            shown = r.shown_order if isinstance(r.shown_order, str) else export_order(r.set_id)  # the tool's, else the export's
            rows.append(
                {"annotation_id": stable_id("annotation", conversation, turn), "conversation_id": conversation, "turn": turn,
                 "annotator_id": r.annotator_id, "set_id": r.set_id, "chosen_position": r.chosen_position,
                 "shown_order": shown, "shown_position": shown.index(r.chosen_position) + 1, "source": "human",
                 "explanation": r.explanation, "seconds": r.seconds, "chooser": "human", "chooser_raw": None,
                 "file_sha": r.file_sha, "source_line": r.source_line}
            )
        frame = pd.DataFrame(rows, columns=list(Annotations.to_schema().columns))
        return write_table(
            duckdb,
            STAGE,
            "annotations",
            {"annotation_rows": frame},
            schema=schema,
            chosen_positions=dg.MetadataValue.json(frame["chosen_position"].value_counts().sort_index().to_dict()),
            per_source=dg.MetadataValue.json(frame["source"].value_counts().to_dict()),
            per_chooser=dg.MetadataValue.json(frame["chooser"].value_counts().to_dict()),
            explained=int(frame["explanation"].notna().sum()),
        )

    return annotations, [schema_check("annotations", Annotations, schema)]


def _ask_personas(context, generator: Generator, cache: ResponseCache, asks: list, turn: int) -> None:
    """The persona chooser's verdicts replace the utility model's choices in place, as many requests in flight
    as the backend takes; output that stayed unusable keeps the utility choice and says so."""
    with ThreadPoolExecutor(max_workers=generator.parallel_requests) as pool:
        verdicts = pool.map(lambda ask: persona_choice(generator, cache, *ask[1]), asks)
        for done, ((row, _), verdict) in enumerate(zip(asks, verdicts, strict=True), start=1):
            if verdict.position is None:
                row.update(chooser="utility_after_llm_failed", chooser_raw=verdict.raw)
            else:  # the persona saw the answers in the row's shown order, labelled a-d as shown
                shown_at = POSITIONS.index(verdict.position)
                row.update(chosen_position=row["shown_order"][shown_at], shown_position=shown_at + 1,
                           explanation=verdict.explanation, chooser="llm_persona")  # fmt: skip
            if done % 20 == 0 or done == len(asks):
                context.log.info(f"turn {turn}: {done}/{len(asks)} persona choices")


def _build_all():
    built = [build_annotations(turn) for turn in TURNS] + [build_user_turns(turn) for turn in TURNS[1:]]
    return [asset for asset, _ in built], [check for _, checks in built for check in checks]


turn_assets, turn_checks = _build_all()
annotation_checks = [
    schema_check("annotators", Annotators),
    schema_check("assignments", Assignments),
    audit_check(
        STAGE,
        "assignments", "assignments_balanced", "Within each language's cohort, annotators' workloads differ by at most one set."
    ),
]
# main.<table>: every turn's (and the human files') rows under one name
annotation_views = union_views(STAGE, {"user_turns": (2, False), "annotations": (1, True)})
