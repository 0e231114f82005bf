"""vLLM's offline engine behind one thread, so that many callers share its continuous batching.

The generation step samples candidate sets from many worker threads; each sends chat requests one at a time
(NC: one call; iid: one call with n=4; retries after parsing). vLLM's `LLM.chat()` blocks until a whole
batch is done, so calling it per request would serialise everything. Instead one engine thread owns
`LLMEngine`: it adds whatever requests arrived, runs `step()` while any are unfinished and resolves each
caller's future as its request finishes. Requests that arrive mid-batch join the running batch at the next
step, which is what `vllm serve` does, without the HTTP hop.
"""

import itertools
import queue
import threading
import time
from concurrent.futures import Future
from typing import Any


class VllmEngine:
    def __init__(self, engine_args: dict[str, Any]):
        from vllm import LLM  # heavy import, and only installed where the vllm backend is used

        self.llm = LLM(**engine_args)
        self._tokenizer = self.llm.get_tokenizer()
        self._inbox: queue.Queue = queue.Queue()
        self._ids = itertools.count()
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="vllm-engine", daemon=True)
        self._thread.start()

    def prompt(self, messages: list[dict[str, str]]) -> str:
        """The model's own chat template, as `LLM.chat()` would apply it."""
        return self._tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)

    def submit(self, prompt: str, params: Any) -> Future:
        """A future resolving to (RequestOutput, seconds from submission to finish)."""
        if self._failure is not None:
            raise RuntimeError(f"the vLLM engine stopped: {self._failure}") from self._failure
        future: Future = Future()
        self._inbox.put((prompt, params, future, time.perf_counter()))
        if self._failure is not None and not future.done():  # the engine died while we were queueing
            future.set_exception(RuntimeError(f"the vLLM engine stopped: {self._failure}"))
        return future

    def close(self) -> None:
        self._inbox.put(None)
        self._thread.join(timeout=60)
        shutdown = getattr(self.llm.llm_engine.engine_core, "shutdown", None)
        if shutdown is not None:
            shutdown()

    def _run(self) -> None:
        engine = self.llm.llm_engine
        waiting: dict[str, tuple[Future, float]] = {}
        try:
            while True:
                # Block only when the engine is idle; otherwise take what has arrived and keep stepping.
                block = not engine.has_unfinished_requests()
                while True:
                    try:
                        item = self._inbox.get(block=block)
                    except queue.Empty:
                        break
                    if item is None:
                        return
                    prompt, params, future, submitted = item
                    request_id = str(next(self._ids))
                    try:
                        engine.add_request(request_id, prompt, params)
                    except Exception as error:  # e.g. a prompt longer than max_model_len: that caller's problem
                        future.set_exception(error)
                    else:
                        waiting[request_id] = (future, submitted)
                    block = False
                if not engine.has_unfinished_requests():  # step() would wait for output that never comes
                    continue
                for output in engine.step():
                    if output.finished and output.request_id in waiting:
                        future, submitted = waiting.pop(output.request_id)
                        future.set_result((output, time.perf_counter() - submitted))
        except BaseException as error:  # the engine died: fail everyone now rather than hang them
            self._failure = error
            for future, _ in waiting.values():
                future.set_exception(error)
            while True:
                try:
                    item = self._inbox.get_nowait()
                except queue.Empty:
                    break
                if item is not None:
                    item[2].set_exception(error)
