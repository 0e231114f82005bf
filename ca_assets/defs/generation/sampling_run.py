"""Sample many candidate sets at once: `generator.parallel_requests` sets in flight (one for llama.cpp
in-process; many for a server or the vLLM engine, which batches whatever is in flight), progress and an ETA
in the log, results in job order so reruns write identical tables. The generation asset and the benchmark
both run this."""

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import NamedTuple

from ca_assets.models.generation import GenerationError, Generator, ResponseCache
from ca_assets.models.samplers import Conversation, SamplingSettings, SetOutcome, sample_set

PROGRESS_EVERY_SECONDS = 15
BACKEND_DOWN_AFTER = 5  # consecutive sets of one sampler whose every request failed


class SetJob(NamedTuple):
    key: str  # seeds the requests: the prompt id at turn 1, conversation and turn later
    lang: str
    prompt: str | Conversation  # a first message, or the conversation so far ending with the user's turn
    sampler: str


class BackendDown(RuntimeError):
    """The backend failed every request of several sets in a row: an outage or a misconfiguration, not bad
    output to quarantine, so the run stops instead of quarantining the whole bank."""


def sample_many(
    generator: Generator,
    cache: ResponseCache,
    jobs: list[SetJob],
    settings: SamplingSettings,
    log: Callable[[str], None] = print,
) -> list[SetOutcome]:
    outcomes: list = [None] * len(jobs)
    started = last_report = time.monotonic()
    failed_in_a_row: dict[str, int] = {}  # per sampler: a schema the server rejects fails only NC calls
    pool = ThreadPoolExecutor(max_workers=generator.parallel_requests)
    try:
        futures = {
            pool.submit(sample_set, generator, cache, job.sampler, job.key, job.lang, job.prompt, settings): index
            for index, job in enumerate(jobs)
        }
        for done, future in enumerate(as_completed(futures), start=1):
            index = futures[future]
            outcome = outcomes[index] = future.result()
            sampler = jobs[index].sampler
            failed = outcome.reason == GenerationError.reason
            failed_in_a_row[sampler] = failed_in_a_row.get(sampler, 0) + 1 if failed else 0
            if failed_in_a_row[sampler] >= BACKEND_DOWN_AFTER:
                raise BackendDown(
                    f"{failed_in_a_row[sampler]} {sampler} candidate sets in a row failed every request; is the "
                    f"{generator.backend} backend up? Last error: {outcome.raw}"
                )
            now = time.monotonic()
            if now - last_report >= PROGRESS_EVERY_SECONDS or done == len(jobs):
                elapsed = now - started
                quarantined = sum(o is not None and o.answers is None for o in outcomes)
                cache_hits = sum(o.cache_hits for o in outcomes if o is not None)
                log(
                    f"{done}/{len(jobs)} sets, {quarantined} quarantined, {cache_hits} cache hits, "
                    f"{elapsed:.0f}s elapsed, ~{elapsed / done * (len(jobs) - done):.0f}s left"
                )
                last_report = now
    finally:
        # On failure or cancellation, do not wait for the rest of the bank to be generated.
        pool.shutdown(wait=True, cancel_futures=True)
    return outcomes
