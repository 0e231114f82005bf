"""A sampled set's rows and ids, computed one way for the generation asset and for the live annotation app
(ca_assets/annotate), so that a set an annotator saw live is the set the pipeline later writes: same request,
same cache key, same set id and candidate ids."""

from typing import Any

from ca_assets.core.ids import stable_id
from ca_assets.models.generation import Generator
from ca_assets.models.samplers import SamplingSettings, SetOutcome, request_budget
from ca_assets.vocab import POSITIONS


def request_id(prompt_id: str, turn: int, sampler: str, conversation_id: str | None) -> str:
    """A requested set: (prompt, sampler) at turn 1 (conversation None), one conversation's turn later."""
    return stable_id("request", prompt_id, turn, sampler, conversation_id)


def person_conversation_id(annotator_id: str, first_request_id: str) -> str:
    """A person's conversation (task results, the live app), named by the first-turn request it opened on: the app
    knows it before the set exists (an opening a person writes is sampled while they wait)."""
    return stable_id("conversation", annotator_id, first_request_id)


def sample_key(prompt_id: str, turn: int, conversation_id: str | None) -> str:
    """What seeds a set's requests: the prompt id at turn 1, the conversation and turn later."""
    return prompt_id if turn == 1 else f"{conversation_id}:{turn}"


def _ids(row: Any) -> dict:
    return {"request_id": row.request_id, "prompt_id": row.prompt_id, "conversation_id": row.conversation_id,
            "turn": row.turn, "sampler": row.sampler}


def quarantine_row(row: Any, outcome: SetOutcome) -> dict:
    """generation_quarantine's row for a request (request_id, prompt_id, conversation_id, turn, sampler)."""
    return {**_ids(row), "reason": outcome.reason, "raw_text": outcome.raw, "requests": outcome.requests}


def kept_rows(generator: Generator, sampling: SamplingSettings, row: Any, outcome: SetOutcome) -> tuple[dict, list[dict]]:
    """candidate_sets' row and candidates' four rows for a request (as quarantine_row, plus lang and messages)."""
    template = outcome.template
    # Everything that shapes the answers is in the id (the seeds of the requests that made them included: a
    # screening change can keep a different attempt), so a set generated differently never reuses an id that
    # annotations may already point at.
    identities = (
        [generator.for_model(m).model_identity for m in generator.multi_model]
        if row.sampler == "multi_model"
        else [generator.model_identity]
    )
    set_id = stable_id(
        "set", row.request_id, generator.backend, identities, template.sha,
        sampling.temperature, sampling.max_tokens, sampling.max_words, outcome.seeds,
    )  # fmt: skip
    set_row = {
        "set_id": set_id,
        **_ids(row),
        "lang": row.lang,
        "messages": list(row.messages),
        "backend": generator.backend,
        "model": "+".join(sorted(set(outcome.models))),
        "template_name": template.name,
        "template_version": template.version,
        "template_sha": template.sha,
        "temperature": sampling.temperature,
        "max_tokens": request_budget(row.sampler, sampling),
        "seeds": outcome.seeds,
        "requests": outcome.requests,
        "tokens_in": outcome.tokens_in,
        "tokens_out": outcome.tokens_out,
        "generation_seconds": outcome.seconds,
    }
    candidates = [
        {"candidate_id": stable_id("candidate", set_id, position), "set_id": set_id, "position": position, "model": model,
         "text": text}
        for position, text, model in zip(POSITIONS, outcome.answers, outcome.models, strict=True)
    ]
    return set_row, candidates
