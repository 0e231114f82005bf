"""Generation benchmark: the pipeline's generation step against the same requests sent straight to the
backend, in the same run, plus what an NC set costs against an iid set.

    .venv/bin/python bench/generation.py [--prompts-per-language 1] [--max-tokens 32]

Three passes over the same (prompt, sampler) jobs with fixed seeds:
  1. capture: the pipeline (`sample_set`) records every request it sends (also the warm-up);
  2. raw: those exact requests sent straight to the backend (llama.cpp `create_chat_completion`, or the
     `openai` client against llama.cpp's server), no cache, no parsing;
  3. pipeline: `sample_set` again on an empty cache: templates, cache writes, parsing, retries included.
The ratio pipeline/raw is the overhead the pipeline adds (target: within 1.1x).
"""

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

import pandas as pd

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from ca_assets.lib.generation import ChatRequest, Generator, ResponseCache, json_object_format  # noqa: E402
from ca_assets.lib.local_server import SERVED_MODEL, llama_cpp_server  # noqa: E402
from ca_assets.lib.prompt_bank import read_bank  # noqa: E402
from ca_assets.lib.samplers import SAMPLERS, SamplingSettings, sample_set  # noqa: E402


class Recorder(Generator):
    """Capture pass only: remembers each request before sending it."""

    def complete(self, request: ChatRequest, cache: ResponseCache):
        RECORDED.append(request)
        return super().complete(request, cache)


RECORDED: list[ChatRequest] = []


def jobs(per_language: int) -> list[tuple[dict, str]]:
    rows = pd.DataFrame(read_bank()).sort_values(["lang", "prompt_id"]).groupby("lang").head(per_language)
    return [(row, sampler) for row in rows.to_dict("records") for sampler in SAMPLERS]


def run_pipeline(generator: Generator, work: list, settings: SamplingSettings) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        cache = ResponseCache(Path(folder))
        started = time.perf_counter()
        outcomes = [sample_set(generator, cache, s, r["prompt_id"], r["lang"], r["text"], settings) for r, s in work]
        seconds = time.perf_counter() - started
    per_sampler = {}
    for (_, sampler), outcome in zip(work, outcomes):
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


def run_raw(send, requests: list[ChatRequest]) -> dict:
    started = time.perf_counter()
    tokens_out = sum(send(request) for request in requests)
    return {"requests": len(requests), "tokens_out": tokens_out, "seconds": time.perf_counter() - started}


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


def raw_openai(base_url: str):
    import openai

    client = openai.OpenAI(base_url=base_url, api_key="not-needed")

    def send(request: ChatRequest) -> int:
        kwargs = {"response_format": json_object_format(request.json_schema)} if request.json_schema else {}
        response = client.chat.completions.create(
            model=SERVED_MODEL, messages=request.as_messages(), temperature=request.temperature,
            max_tokens=request.max_tokens, seed=request.seed, **kwargs,
        )
        return response.usage.completion_tokens

    return send


def measure(name: str, recorder: Generator, plain: Generator, send_factory, work, settings) -> tuple[list, dict]:
    RECORDED.clear()
    run_pipeline(recorder, work, settings)  # capture + warm-up
    requests = list(RECORDED)
    raw = run_raw(send_factory(), requests)
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
    parser.add_argument("--backends", default="llama_cpp,openai", help="comma-separated: llama_cpp, openai")
    args = parser.parse_args()
    settings = SamplingSettings(max_words=15, max_tokens=args.max_tokens)
    work = jobs(args.prompts_per_language)
    print(f"{len(work)} candidate sets ({args.prompts_per_language} prompt(s) per language x {list(SAMPLERS)}), "
          f"max_tokens={args.max_tokens}; {platform.processor() or platform.machine()}, {os.cpu_count()} cores")

    rows, costs = [], {}
    backends = args.backends.split(",")
    if "llama_cpp" in backends:
        plain = Generator()
        recorder = Recorder()
        recorder._model = plain._llama()  # one loaded model for all three passes
        found, costs["llama_cpp"] = measure("llama_cpp", recorder, plain, lambda: raw_llama_cpp(plain), work, settings)
        rows += found
    if "openai" in backends:
        with llama_cpp_server() as base_url:
            options = {"backend": "openai", "base_url": base_url, "model": SERVED_MODEL,
                       "structured_output": "json_object_schema", "concurrency": 1}
            found, costs["openai"] = measure(
                "openai (llama.cpp server)", Recorder(**options), Generator(**options), lambda: raw_openai(base_url), work, settings
            )
            rows += found

    print("\nThroughput, the same requests: raw backend vs the pipeline's generation step")
    print(pd.DataFrame(rows).fillna("").to_string(index=False))
    print("\nCost per candidate set, NC (one call) vs iid (four calls), pipeline pass")
    cost_rows = []
    for backend, per_sampler in costs.items():
        for sampler, entry in per_sampler.items():
            cost_rows.append({"backend": backend, "sampler": sampler, "sets": entry["sets"],
                              "tokens/set": round(entry["tokens"] / entry["sets"], 1),
                              "seconds/set": round(entry["seconds"] / entry["sets"], 2)})
    print(pd.DataFrame(cost_rows).to_string(index=False))


if __name__ == "__main__":
    main()
