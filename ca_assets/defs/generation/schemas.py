"""Pandera models of the generation stage's tables, one per table, named in PascalCase after it; each is a
blocking asset check (core/checks.py). Strict: see core/schema.py."""

import pandera.pandas as pa
from pandera.typing import Series

from ca_assets.core.schema import ID, Model
from ca_assets.vocab import LANGS, MAX_TURNS, POSITIONS, SAMPLERS, conversation_problem


class CandidateSets(Model):
    set_id: Series[str] = pa.Field(
        unique=True, **ID, description="16-hex hash of the request, backend, model(s), template, sampling settings and seeds"
    )
    request_id: Series[str] = pa.Field(unique=True, **ID, description="Request the set answers (generation_requests)")
    prompt_id: Series[str] = pa.Field(**ID, description="Prompt the conversation starts from (prompts)")
    conversation_id: Series[str] = pa.Field(
        nullable=True, **ID, description="Conversation the set answers; null at turn 1, where the set is shared"
    )
    lang: Series[str] = pa.Field(isin=LANGS, description="Language of the prompt, one of the configured languages")
    turn: Series[int] = pa.Field(ge=1, le=MAX_TURNS, description="Conversation turn the set answers, 1–4")
    sampler: Series[str] = pa.Field(isin=SAMPLERS, description="How the four answers were sampled: nc, iid or multi_model")
    messages: Series[object] = pa.Field(
        description="Conversation the answers respond to: {role, content} messages ending with the user's turn"
    )
    backend: Series[str] = pa.Field(description="Generator backend that wrote the answers: llama_cpp, vllm or openai")
    model: Series[str] = pa.Field(description="Model that wrote the answers; multi_model's models joined with +")
    template_name: Series[str] = pa.Field(description="Prompt template the sampler sent: nc or iid (multi_model sends iid's)")
    template_version: Series[int] = pa.Field(ge=1, description="Version of the prompt template, from 1")
    template_sha: Series[str] = pa.Field(
        str_length={"min_value": 12, "max_value": 12}, description="First 12 hex of sha256 of the template's wording"
    )
    temperature: Series[float] = pa.Field(ge=0, description="Sampling temperature of the requests")
    max_tokens: Series[int] = pa.Field(ge=1, description="Token budget per request (nc: four answers' budget plus 64)")
    seeds: Series[object] = pa.Field(description="Seed of each request sent for the set, in order, retries included")
    requests: Series[int] = pa.Field(ge=1, description="Requests made for the set, retries and cache hits included")
    tokens_in: Series[int] = pa.Field(ge=0, description="Prompt tokens summed over the set's requests")
    tokens_out: Series[int] = pa.Field(ge=0, description="Completion tokens summed over the set's requests")
    generation_seconds: Series[float] = pa.Field(
        ge=0, description="Seconds the model took over the set's requests (cache hits: their recorded time)"
    )

    @pa.dataframe_check
    def messages_end_with_user(cls, frame) -> Series[bool]:
        """What the answers respond to: alternating user/assistant turns, one user message per turn."""
        return frame.apply(lambda r: conversation_problem(r["messages"], r["turn"]) is None, axis=1)


class Candidates(Model):
    candidate_id: Series[str] = pa.Field(unique=True, **ID, description="16-hex hash of the set id and position")
    set_id: Series[str] = pa.Field(**ID, description="Candidate set the answer belongs to (candidate_sets)")
    position: Series[str] = pa.Field(isin=POSITIONS, description="Position a–d of the answer in its set")
    model: Series[str] = pa.Field(
        str_length={"min_value": 1},
        description="Model that wrote the answer (differs within a set only for multi_model); unknown for human files",
    )
    text: Series[str] = pa.Field(str_length={"min_value": 1}, description="Text of the answer")

    class Config:
        unique = ["set_id", "position"]


class GenerationRequests(Model):
    request_id: Series[str] = pa.Field(unique=True, **ID, description="16-hex hash of the prompt, turn, sampler and conversation")
    prompt_id: Series[str] = pa.Field(**ID, description="Prompt the conversation starts from (prompts)")
    conversation_id: Series[str] = pa.Field(
        nullable=True, **ID, description="Conversation going on; null at turn 1, where the set is shared"
    )
    turn: Series[int] = pa.Field(ge=1, le=MAX_TURNS, description="Conversation turn the set is for, 1–4")
    sampler: Series[str] = pa.Field(isin=SAMPLERS, description="Sampler asked for: nc, iid or multi_model")


class GenerationQuarantine(Model):
    request_id: Series[str] = pa.Field(unique=True, **ID, description="Request that stayed unusable (generation_requests)")
    prompt_id: Series[str] = pa.Field(**ID, description="Prompt the conversation starts from (prompts)")
    conversation_id: Series[str] = pa.Field(nullable=True, **ID, description="Conversation going on; null at turn 1")
    turn: Series[int] = pa.Field(ge=1, le=MAX_TURNS, description="Conversation turn the set was for, 1–4")
    sampler: Series[str] = pa.Field(isin=SAMPLERS, description="Sampler asked for: nc, iid or multi_model")
    reason: Series[str] = pa.Field(
        str_length={"min_value": 1}, description="Problem code of the last attempt, e.g. not_json, refusal, request_failed"
    )
    raw_text: Series[str] = pa.Field(nullable=True, description="Last raw model output, or the error message when there was none")
    requests: Series[int] = pa.Field(ge=1, description="Requests made for the set, retries and cache hits included")
