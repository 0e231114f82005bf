"""Live generation: an annotator's next set of four, sampled while they wait, through the pipeline's own code.

The request is built as the pipeline's later-turn generation builds it (defs/generation/sets.py: the same request
id, the same sampler and seed key, the same history: the set's messages, the chosen answer, the next message), and
sampled by `sample_set` with the pipeline's response cache (<data>/cache/generation), screening and retries. So when
the pipeline later generates that turn for the conversation, every request is a cache hit and it writes the same set
id and candidates. The generator and sampling settings must be the ones the pipeline runs with: both are read from
the same run config file (`ca-assets annotate serve --config`).
"""

import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import yaml

from ca_assets.annotate.store import Store, as_json, now
from ca_assets.defs.annotation.simulation import shown_order
from ca_assets.defs.generation.sets import kept_rows, request_id, sample_key
from ca_assets.models.generation import Generator, ResponseCache
from ca_assets.models.samplers import SamplingSettings, sample_set

log = logging.getLogger("ca_assets.annotate")


def resources_from_config(path: Path | None) -> tuple[Generator, SamplingSettings]:
    """The generator and sampling resources of a run config file (the demo's, or the one the pipeline runs with)."""
    config = yaml.safe_load(Path(path).read_text(encoding="utf-8")) if path else {}
    resources = (config or {}).get("resources") or {}

    def settings(name: str) -> dict:
        return (resources.get(name) or {}).get("config") or {}

    generator = Generator(**settings("generator"))
    generator.setup_for_execution(None)  # the deployment's checks on model paths and endpoints, as in a run
    return generator, SamplingSettings(**settings("sampling"))


class LiveGeneration:
    """Sets being generated, as many at once as the backend takes (one for llama.cpp in-process)."""

    def __init__(self, store: Store, data_dir: Path, generator: Generator, sampling: SamplingSettings):
        self.store, self.generator, self.sampling = store, generator, sampling
        self.cache = ResponseCache(Path(data_dir) / "cache" / "generation")
        self.pool = ThreadPoolExecutor(max_workers=generator.parallel_requests, thread_name_prefix="live")
        self._inflight: set[tuple[str, int]] = set()
        self._lock = threading.Lock()

    def resume(self) -> int:
        """After a restart: generate again every set left `generating` (what was sampled before is a cache hit)."""
        pending = self.store.all("select conversation_id, turn from sets where status = 'generating'")
        for row in pending:
            self.start(row["conversation_id"], row["turn"])
        return len(pending)

    def start(self, conversation_id: str, turn: int) -> None:
        with self._lock:
            if (conversation_id, turn) in self._inflight:
                return
            self._inflight.add((conversation_id, turn))
        self.pool.submit(self._generate, conversation_id, turn)

    def _generate(self, conversation_id: str, turn: int) -> None:
        try:
            self._sample(conversation_id, turn)
        except Exception:  # the set must not stay `generating` forever: say why and let them retry
            log.exception("live generation of %s turn %s failed", conversation_id, turn)
            with self.store.transaction() as con:
                con.execute(
                    "update sets set status = 'quarantined', reason = 'app_error' where conversation_id = ? and turn = ?"
                    " and status = 'generating'",
                    (conversation_id, turn),
                )
        finally:
            with self._lock:
                self._inflight.discard((conversation_id, turn))

    def _sample(self, conversation_id: str, turn: int) -> None:
        row = self.store.one(
            "select s.messages, c.prompt_id, c.sampler, c.lang, c.annotator_id from sets as s join conversations as c"
            " using (conversation_id) where s.conversation_id = ? and s.turn = ?",
            (conversation_id, turn),
        )
        messages = tuple((m[0], m[1]) for m in json.loads(row["messages"]))
        # A first turn (an opening the annotator wrote) is a (prompt, sampler) request, as the pipeline's turn 1 asks.
        owner = conversation_id if turn > 1 else None
        request = SimpleNamespace(
            request_id=request_id(row["prompt_id"], turn, row["sampler"], owner), prompt_id=row["prompt_id"],
            conversation_id=owner, turn=turn, sampler=row["sampler"], lang=row["lang"],
            messages=[{"role": role, "content": content} for role, content in messages],
        )  # fmt: skip
        started = now()
        outcome = sample_set(
            self.generator, self.cache, row["sampler"], sample_key(row["prompt_id"], turn, owner), row["lang"],
            messages, self.sampling,
        )  # fmt: skip
        seconds = now() - started
        with self.store.transaction() as con:
            if outcome.answers is None:
                con.execute(
                    "update sets set status = 'quarantined', reason = ?, raw_text = ?, seconds = ?"
                    " where conversation_id = ? and turn = ?",
                    (outcome.reason, outcome.raw, seconds, conversation_id, turn),
                )
                return
            set_row, _ = kept_rows(self.generator, self.sampling, request, outcome)
            con.execute(
                "update sets set status = 'ready', set_id = ?, answers = ?, shown_order = ?, seconds = ?"
                " where conversation_id = ? and turn = ?",
                (set_row["set_id"], as_json(list(outcome.answers)), shown_order(row["annotator_id"], set_row["set_id"]),
                 seconds, conversation_id, turn),
            )  # fmt: skip
        log.info("turn %s of %s: %s in %.1fs", turn, conversation_id, set_row["set_id"], seconds)

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
