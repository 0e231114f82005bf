"""Live annotation benchmark: how long a person waits for the next four answers, and what the app itself adds.

    .venv/bin/python -m bench.annotate [--conversations 6] [--backends llama_cpp,openai]

Per backend (llama.cpp in-process, the bundled model; the `openai` backend to llama.cpp's own server on loopback):
  1. first-turn sets: `sample_set` on the first English bank prompts, nc and iid, written as the pipeline's task
     export (the file the app reads);
  2. app: a real server (`ca-assets annotate serve`, the demo's sampling settings) and one scripted annotator per
     conversation, one after another: consent, demographics, instructions, then each turn a choice with a next
     message (POST) and polling every 50 ms until the next turn's page shows (the browser's page refreshes every
     2 s; this measures when the set is ready). Wait = the POST sent → the first page showing the next turn. Every
     other page load and submission is timed too: the app's own latency, generation excluded;
  3. raw (the baseline, same run): every set the app generated live, sampled again with `sample_set` straight,
     on an empty cache, the same requests in the same order: the ratio wait/raw is what the app adds.
"""

import argparse
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from contextlib import ExitStack
from pathlib import Path
from types import SimpleNamespace

import yaml

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench._steps import hardware
from ca_assets.annotate.store import STORE_DIR, STORE_FILE
from ca_assets.annotate.tasks import TASKS_FILE
from ca_assets.defs.generation.sets import kept_rows, request_id
from ca_assets.defs.prompts.prompt_bank import bank_prompts
from ca_assets.models.generation import Generator, ResponseCache
from ca_assets.models.samplers import SamplingSettings, sample_set
from ca_assets_tests.support.local_server import SERVED_MODEL, free_port, llama_cpp_server, serve

CLI = str(Path(sys.executable).with_name("ca-assets"))
DEMO_SAMPLING = {"max_words": 25, "max_tokens": 40}  # ca_assets/cli/demo_config.yaml: what `make annotate` uses
MESSAGES = ("Why do you think so?", "What would my grandparents say about that?", "Give me one practical step.")
DEMOGRAPHICS = {"age": "35-45", "gender": "female", "education_level": "Post-secondary graduate",
                "ethnicity": "Prefer not to say", "political": "Moderate"}  # fmt: skip


def first_turn_export(data: Path, generator: Generator, sampling: SamplingSettings, sets: int) -> None:
    """`sets` English bank prompts x (nc, iid), sampled and written in the task export's format."""
    prompts = bank_prompts().query("lang == 'en'").sort_values("prompt_id").head(10 * sets)
    cache, rows = ResponseCache(data / "cache" / "generation"), []
    for p in prompts.to_dict("records"):
        kept = {sampler: sum(r["sampler"] == sampler for r in rows) for sampler in ("nc", "iid")}
        if min(kept.values()) >= sets:  # the toy model quarantines some sets: go on until each sampler has `sets`
            break
        for sampler in ("nc", "iid"):
            outcome = sample_set(generator, cache, sampler, p["prompt_id"], "en", p["text"], sampling)
            if outcome.answers is None:
                continue
            request = SimpleNamespace(request_id=request_id(p["prompt_id"], 1, sampler, None), prompt_id=p["prompt_id"],
                                         conversation_id=None, turn=1, sampler=sampler, lang="en", messages=[])  # fmt: skip
            set_row, _ = kept_rows(generator, sampling, request, outcome)
            rows.append({"task_id": set_row["set_id"], "kind": "set", "lang": "en", "turn": 1, "set_id": set_row["set_id"],
                         "item_id": None, "conversation_id": None, "annotator_id": None, "prompt_id": p["prompt_id"],
                         "sampler": sampler, "history": [], "prompt": p["text"],
                         **{f"response_{x}": a for x, a in zip("abcd", outcome.answers, strict=True)}})  # fmt: skip
    (data / TASKS_FILE).parent.mkdir(parents=True, exist_ok=True)
    (data / TASKS_FILE).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


class Timed:
    def __init__(self, root: str, link: str):
        self.root, self.path = root, urllib.parse.urlsplit(link).path
        self.pages: list[float] = []  # seconds per page load or submission (no generation inside)

    def get(self, record: bool = True) -> str:
        started = time.perf_counter()
        with urllib.request.urlopen(self.root + self.path, timeout=60) as response:
            body = response.read().decode()
        if record:
            self.pages.append(time.perf_counter() - started)
        return body

    def post(self, action: str, page: str, fields: dict) -> tuple[float, str]:
        csrf = re.search(r'name="csrf" value="([^"]*)"', page).group(1)
        data = urllib.parse.urlencode({"csrf": csrf, **fields}).encode()
        started = time.perf_counter()
        # A 303 is answered by a GET of the page: urllib follows it, so this is the submission and the next page.
        with urllib.request.urlopen(self.root + self.path + "/" + action, data=data, timeout=60) as response:
            body = response.read().decode()
        return time.perf_counter() - started, body


def _hidden(page: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page).group(1)


def _status(store: Path, conversation_id: str, turn: int) -> str | None:
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as con:
        row = con.execute("select status from sets where conversation_id = ? and turn = ?", (conversation_id, turn)).fetchone()
    return row[0] if row else None


def annotate_one(person: Timed, store: Path, turns: int) -> list[float | None]:
    """One conversation of `turns` turns; the waits for each live set, in seconds (None: the set was quarantined)."""
    page = person.get()
    for action, fields in (("consent", {}), ("about", DEMOGRAPHICS), ("instructions", {})):
        seconds, page = person.post(action, page, fields)
        person.pages.append(seconds)
    waits = []
    for turn in range(1, turns + 1):
        assert f"Turn {turn} of 4" in page, page[-400:]
        form = {"conversation_id": _hidden(page, "conversation_id"), "turn": str(turn), "choice": str(1 + turn % 4)}
        if turn == turns:
            seconds, page = person.post("choose", page, {**form, "action": "finish"})
            person.pages.append(seconds)
            break
        started = time.perf_counter()
        _, page = person.post("choose", page, {**form, "next_message": MESSAGES[turn - 1], "action": "send"})
        while f"Turn {turn + 1} of 4" not in page:
            # The store says when the set is ready (polling the pages this fast would hit the per-link rate limit);
            # then the page is loaded once, and that load counts in the wait.
            status = _status(store, form["conversation_id"], turn + 1)
            if status == "quarantined":  # unusable after its retries: the conversation ends there
                page = person.get(record=False)
                person.post("end", page, {"conversation_id": form["conversation_id"], "turn": str(turn + 1)})
                waits.append(None)
                return waits
            if status == "ready":
                page = person.get(record=False)
            else:
                time.sleep(0.02)
        waits.append(time.perf_counter() - started)
    return waits


def run_backend(name: str, generator_config: dict, conversations: int, turns: int) -> dict:
    sampling = SamplingSettings(**DEMO_SAMPLING)
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "data"
        generator = Generator(**generator_config)
        first_turn_export(data, generator, sampling, sets=max(1, conversations // 2))
        config = Path(folder) / "run_config.yaml"
        config.write_text(yaml.safe_dump({"resources": {"sampling": {"config": DEMO_SAMPLING},
                                                        "generator": {"config": generator_config}}}))  # fmt: skip
        recruitment = Path(folder) / "recruitment.csv"
        recruitment.write_text("annotator_id,country,lang\n" + "".join(f"bench-{i},united states,en\n" for i in range(conversations)))
        made = subprocess.run([CLI, "--data-dir", str(data), "annotate", "new-study", str(recruitment), "--name", "bench",
                               "--annotators-per-set", "2", "--written-share", "0"],
                              capture_output=True, text=True, check=True)  # fmt: skip
        links = [line.split(",")[1] for line in made.stdout.strip().splitlines()[1:]]
        port = free_port()
        command = [CLI, "--data-dir", str(data), "annotate", "serve", "--config", str(config), "--port", str(port)]
        waits_by_person, pages = [], []
        with serve("annotate app", command, port, "/healthz", 120):
            root = f"http://127.0.0.1:{port}"
            for link in links:
                person = Timed(root, link)
                waits_by_person.append(annotate_one(person, data / STORE_DIR / STORE_FILE, turns))
                pages += person.pages
        with sqlite3.connect(data / STORE_DIR / STORE_FILE) as con:
            live = con.execute(
                "select c.sampler, s.messages, c.prompt_id, s.conversation_id, s.turn from sets s join conversations c"
                " using (conversation_id) where s.turn > 1 order by c.started_at, s.turn"
            ).fetchall()
        samplers = [row[0] for row in live]
        waits = [w for person in waits_by_person for w in person]  # in the order of `live`: by conversation, then turn
        raw = []  # the same requests, sampled straight on an empty cache: the baseline
        cache = ResponseCache(Path(folder) / "raw-cache")
        for sampler, messages, _, conversation_id, turn in live:
            started = time.perf_counter()
            sample_set(generator, cache, sampler, f"{conversation_id}:{turn}", "en", tuple(map(tuple, json.loads(messages))), sampling)
            raw.append(time.perf_counter() - started)
        generator.close()
    return {"name": name, "samplers": samplers, "waits": waits, "raw": raw, "pages": pages}


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=6, help="scripted annotators, one conversation each")
    parser.add_argument("--turns", type=int, default=4)
    parser.add_argument("--backends", default="llama_cpp,openai")
    args = parser.parse_args()
    results = []
    with ExitStack() as stack:
        for backend in args.backends.split(","):
            if backend == "llama_cpp":
                config = {}
            else:
                base_url = stack.enter_context(llama_cpp_server())
                config = {"backend": "openai", "base_url": base_url, "model": SERVED_MODEL, "structured_output": "json_object_schema"}
            results.append(run_backend(backend, config, args.conversations, args.turns))
    print(f"\nLive annotation: {args.conversations} conversations of {args.turns} turns per backend, one annotator at a time")
    print(hardware())
    print("\nWait for the next four answers (POST with the next message → the page showing them), against the same")
    print("requests sampled straight with sample_set (raw, same run, empty cache)")
    print(f"{'backend':<10} {'sampler':<7} {'sets':>4} {'quar':>4} {'wait p50':>9} {'wait p95':>9} "
          f"{'raw p50':>8} {'raw p95':>8} {'p50 ratio':>9}")  # fmt: skip
    for r in results:
        for sampler in ("nc", "iid"):
            pairs = [(w, raw) for w, raw, s in zip(r["waits"], r["raw"], r["samplers"], strict=True) if s == sampler]
            kept = [(w, raw) for w, raw in pairs if w is not None]
            if not kept:
                continue
            waits, raw = [w for w, _ in kept], [x for _, x in kept]
            ratio = pct(waits, 50) / pct(raw, 50)
            print(f"{r['name']:<10} {sampler:<7} {len(kept):>4} {len(pairs) - len(kept):>4} {pct(waits, 50):>8.2f}s "
                  f"{pct(waits, 95):>8.2f}s {pct(raw, 50):>7.2f}s {pct(raw, 95):>7.2f}s {ratio:>8.2f}x")  # fmt: skip
    print("\nThe app's own latency, generation excluded: every page load and submission (target p95 < 200 ms)")
    for r in results:
        print(f"{r['name']:<10} {len(r['pages']):>4} requests  p50 {1000 * pct(r['pages'], 50):.1f} ms  "
              f"p95 {1000 * pct(r['pages'], 95):.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
