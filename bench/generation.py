"""Generation benchmark: the pipeline's generation step against the same requests sent straight to the
backend, in the same run, plus what an NC set costs against an iid set.

    .venv/bin/python -m bench.generation [--prompts-per-language 1] [--max-tokens 32]
    .venv-vllm/bin/python -m bench.generation --backends vllm,vllm_server     (make bench runs both)

Three passes over the same (prompt, sampler) jobs with fixed seeds:
  1. capture: the pipeline (`sample_many`, what the generation asset runs) records every request it sends
     (also the warm-up);
  2. raw: those exact requests sent straight to the backend, no cache, no parsing: llama.cpp's
     `create_chat_completion` one by one; vLLM's `LLM.chat()` with all of them in one batch (its best case);
     the `openai` client against llama.cpp's or vLLM's server, as many in flight as the pipeline allows;
  3. pipeline: `sample_many` again on an empty cache: templates, cache writes, parsing, screening, retries.
The ratio pipeline/raw is the overhead the pipeline adds (target: within 1.1x). For vLLM the raw batch also
holds the retries, which the pipeline can only send after it has read the failed answer.
"""

import argparse
import os
import platform
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from ca_assets.defs.generation.sampling_run import SetJob, sample_many
from ca_assets.defs.prompts.prompt_bank import bank_prompts
from ca_assets.models.generation import ChatRequest, Generator, ResponseCache, json_object_format
from ca_assets.models.samplers import SamplingSettings
from ca_assets_tests.support.local_server import SERVED_MODEL, llama_cpp_server, vllm_server

BENCH_SAMPLERS = ("nc", "iid")  # multi_model needs a second model, which nothing here ships


class Recorder(Generator):
    """Capture pass only: remembers each request before sending it."""

    def complete(self, request: ChatRequest, cache: ResponseCache):
        RECORDED.append(request)
        return super().complete(request, cache)


RECORDED: list[ChatRequest] = []


def jobs(per_language: int) -> list[SetJob]:
    rows = bank_prompts().sort_values(["lang", "prompt_id"]).groupby("lang").head(per_language)
    return [SetJob(r["prompt_id"], r["lang"], r["text"], sampler) for r in rows.to_dict("records") for sampler in BENCH_SAMPLERS]


def run_pipeline(generator: Generator, work: list[SetJob], settings: SamplingSettings) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        outcomes = sample_many(generator, ResponseCache(Path(folder)), work, settings, log=lambda message: None)
        seconds = time.perf_counter() - started
    per_sampler = {}
    for job, outcome in zip(work, outcomes, strict=True):
        sampler = job.sampler
        entry = per_sampler.setdefault(sampler, {"sets": 0, "tokens": 0, "seconds": 0.0})
        entry["sets"] += 1
        entry["tokens"] += outcome.tokens_in + outcome.tokens_out
        entry["seconds"] += outcome.seconds
    return {
        "requests": sum(o.requests for o in outcomes),
        "tokens_out": sum(o.tokens_out for o in outcomes),
        "seconds": seconds,
        "per_sampler": per_sampler,
    }


def run_raw(send, requests: list[ChatRequest], in_flight: int = 1) -> dict:
    started = time.perf_counter()
    with ThreadPoolExecutor(in_flight) as pool:
        tokens_out = sum(pool.map(send, requests))
    return {"requests": len(requests), "tokens_out": tokens_out, "seconds": time.perf_counter() - started}


def raw_vllm(generator: Generator):
    """All the requests in one `LLM.chat()` call: vLLM schedules the whole batch itself."""
    from vllm import SamplingParams
    from vllm.sampling_params import StructuredOutputsParams

    llm = generator._vllm().llm  # the engine the pipeline used; its own thread is idle between passes

    def send_all(requests: list[ChatRequest]) -> dict:
        params = [
            SamplingParams(
                n=r.n, temperature=r.temperature, max_tokens=r.max_tokens, seed=r.seed,
                structured_outputs=StructuredOutputsParams(json=r.json_schema) if r.json_schema else None,
            )
            for r in requests
        ]
        started = time.perf_counter()
        outputs = llm.chat([r.as_messages() for r in requests], params, use_tqdm=False)
        tokens_out = sum(len(sample.token_ids) for output in outputs for sample in output.outputs)
        return {"requests": len(requests), "tokens_out": tokens_out, "seconds": time.perf_counter() - started}

    return send_all


def raw_llama_cpp(generator: Generator):
    llama = generator._llama()

    def send(request: ChatRequest) -> int:
        kwargs = {"response_format": json_object_format(request.json_schema)} if request.json_schema else {}
        response = llama.create_chat_completion(
            messages=request.as_messages(), temperature=request.temperature, max_tokens=request.max_tokens,
            seed=request.seed, **kwargs,
        )
        return response["usage"]["completion_tokens"]

    return send


def raw_openai(base_url: str, response_format):
    import openai

    client = openai.OpenAI(base_url=base_url, api_key="not-needed")

    def send(request: ChatRequest) -> int:
        kwargs = {"n": request.n} if request.n > 1 else {}
        if request.json_schema:
            kwargs["response_format"] = response_format(request.json_schema)
        response = client.chat.completions.create(
            model=SERVED_MODEL, messages=request.as_messages(), temperature=request.temperature,
            max_tokens=request.max_tokens, seed=request.seed, **kwargs,
        )
        return response.usage.completion_tokens

    return send


def measure(name: str, recorder: Generator, plain: Generator, raw_pass, work, settings) -> tuple[list, dict]:
    """raw_pass(requests) -> {"requests", "tokens_out", "seconds"}: the same requests, straight to the backend."""
    RECORDED.clear()
    run_pipeline(recorder, work, settings)  # capture + warm-up
    raw = raw_pass(list(RECORDED))
    pipe = run_pipeline(plain, work, settings)
    rows = []
    for label, result in (("raw", raw), ("pipeline", pipe)):
        rows.append(
            {
                "backend": name,
                "path": label,
                "requests": result["requests"],
                "seconds": round(result["seconds"], 2),
                "requests/s": round(result["requests"] / result["seconds"], 2),
                "tokens_out/s": round(result["tokens_out"] / result["seconds"], 1),
            }
        )
    rows[1]["pipeline/raw"] = round(pipe["seconds"] / raw["seconds"], 3)
    return rows, pipe["per_sampler"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--prompts-per-language", type=int, default=1)
    parser.add_argument("--max-tokens", type=int, default=32)
    parser.add_argument(
        "--backends", default="llama_cpp,openai",
        help="comma-separated: llama_cpp, openai (llama.cpp's server), vllm (in-process), vllm_server (openai "
        "backend against vLLM's server); the vllm ones need the .venv-vllm environment",
    )
    parser.add_argument("--in-flight", type=int, default=8, help="requests in flight for vllm and the servers")
    default_model = Path(__file__).resolve().parents[1] / ".venv-vllm" / "models" / "smollm2-135m"
    parser.add_argument("--vllm-model", type=Path, default=Path(os.environ.get("CA_VLLM_MODEL", default_model)))
    args = parser.parse_args()
    settings = SamplingSettings(max_words=15, max_tokens=args.max_tokens)
    work = jobs(args.prompts_per_language)
    print(f"{len(work)} candidate sets ({args.prompts_per_language} prompt(s) per language x {list(BENCH_SAMPLERS)}), "
          f"max_tokens={args.max_tokens}; {platform.processor() or platform.machine()}, {os.cpu_count()} cores")

    rows, costs = [], {}
    backends = args.backends.split(",")
    if "llama_cpp" in backends:
        plain = Generator()
        recorder = Recorder()
        recorder._model = plain._llama()  # one loaded model for all three passes
        send = raw_llama_cpp(plain)
        found, costs["llama_cpp"] = measure("llama_cpp", recorder, plain, lambda rs: run_raw(send, rs), work, settings)
        rows += found
        print(pd.DataFrame(found).fillna("").to_string(index=False), flush=True)
    if "openai" in backends:
        with llama_cpp_server() as base_url:
            # llama.cpp's server answers one request at a time: more in flight would only queue.
            options = {"backend": "openai", "base_url": base_url, "model": SERVED_MODEL,
                       "structured_output": "json_object_schema", "concurrency": 1}
            send = raw_openai(base_url, json_object_format)
            found, costs["openai"] = measure(
                "openai (llama.cpp server)", Recorder(**options), Generator(**options), lambda rs: run_raw(send, rs), work, settings
            )
            rows += found
            print(pd.DataFrame(found).fillna("").to_string(index=False), flush=True)
        print(pd.DataFrame(found).fillna("").to_string(index=False), flush=True)
    if "vllm" in backends:
        options = {"backend": "vllm", "model": str(args.vllm_model), "enforce_eager": True, "context_length": 2048,
                   "concurrency": args.in_flight}
        plain, recorder = Generator(**options), Recorder(**options)
        recorder._model = plain._vllm()  # one engine for all three passes
        try:
            found, costs["vllm"] = measure("vllm (in-process)", recorder, plain, raw_vllm(plain), work, settings)
        finally:
            plain.close()
        rows += found
        print(pd.DataFrame(found).fillna("").to_string(index=False), flush=True)
    if "vllm_server" in backends:
        with vllm_server(args.vllm_model) as base_url:
            options = {"backend": "openai", "base_url": base_url, "model": SERVED_MODEL, "server_supports_n": True,
                       "concurrency": args.in_flight}
            send = raw_openai(base_url, Generator(**options)._response_format)
            found, costs["vllm_server"] = measure(
                "openai (vLLM server)", Recorder(**options), Generator(**options),
                lambda rs: run_raw(send, rs, args.in_flight), work, settings,
            )
            rows += found
            print(pd.DataFrame(found).fillna("").to_string(index=False), flush=True)
        print(pd.DataFrame(found).fillna("").to_string(index=False), flush=True)

    print("\nThroughput, the same requests: raw backend vs the pipeline's generation step")
    print(pd.DataFrame(rows).fillna("").to_string(index=False))
    print("\nCost per candidate set, NC (one call) vs iid (four samples), pipeline pass (seconds: request latency)")
    cost_rows = []
    for backend, per_sampler in costs.items():
        for sampler, entry in per_sampler.items():
            cost_rows.append({"backend": backend, "sampler": sampler, "sets": entry["sets"],
                              "tokens/set": round(entry["tokens"] / entry["sets"], 1),
                              "seconds/set": round(entry["seconds"] / entry["sets"], 2)})
    print(pd.DataFrame(cost_rows).to_string(index=False))


if __name__ == "__main__":
    main()
