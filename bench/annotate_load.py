"""Load on the live annotation app: many people at once, each a four-turn conversation, and every submission
accounted for from the person's click to the pipeline's tables.

    .venv/bin/python -m bench.annotate_load [--annotators 50] [--turns 4]

1. pipeline: the tests' small protocol (support/conversation_run.py) on the bundled model, with the iid sampler
   only (one first-turn set per language, so each pass assigns the same sets), and its task export;
2. live pass: the app (`ca-assets annotate serve`) generating through the `openai` backend to llama.cpp's own server
   on loopback; one thread per scripted annotator, all started at once (an equal share of the languages that have
   a first-turn set: the toy model's set can end quarantined), consent,
   demographics, instructions, four turns (a choice and a next message; the page reloaded every 2 s while the next
   set is generated, as the page's own refresh does), the attention check, the completion page;
3. cached pass: the same annotators on a fresh copy of the data directory whose response cache holds the live
   pass's answers: every set is a cache hit, so what is timed is the app alone under the same load;
4. ingest: the live pass's data directory, the app's export and pipeline refreshes until no file is new; then the
   submissions the annotators sent (choices and attention checks the app confirmed), the ones the app stored and
   the task results the inbox read from the app's files are counted: the three must be equal.

Page loads and submissions are every request but the reloads that found the set still being generated; their
latency excludes generation by construction (the app answers while the model works in its own threads).
"""

import argparse
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench._steps import hardware
from ca_assets.annotate.store import STORE_DIR, STORE_FILE
from ca_assets.annotate.tasks import TaskExport
from ca_assets.core.duckdb import DuckDB
from ca_assets.models.generation import Generator
from ca_assets.vocab import COUNTRIES, LANGS
from ca_assets_tests.support.conversation_run import SMALL_PROTOCOL, materialize_conversations
from ca_assets_tests.support.generation_run import SMALL_SAMPLING
from ca_assets_tests.support.local_server import SERVED_MODEL, free_port, llama_cpp_server, serve

CLI = str(Path(sys.executable).with_name("ca-assets"))
MESSAGES = ("Why do you think so?", "What would my grandparents say about that?", "Give me one practical step.")
DEMOGRAPHICS = {"age": "35-45", "gender": "female", "education_level": "Post-secondary graduate",
                "ethnicity": "Prefer not to say", "political": "Moderate"}  # fmt: skip
REFRESH_SECONDS = 2.0  # templates/generating.html's meta refresh


class Person:
    """One scripted annotator: every request timed, every confirmed submission counted."""

    def __init__(self, root: str, link: str, turns: int):
        self.root, self.path, self.turns = root, urllib.parse.urlsplit(link).path, turns
        self.pages: list[float] = []  # page loads and submissions
        self.sent = 0  # choices and attention checks the app confirmed (the 303 back to the page)
        self.waits: list[float] = []  # next message sent → the page with the next turn
        self.error: str | None = None

    def _request(self, path: str, data: bytes | None = None, count: bool = True) -> str:
        started = time.perf_counter()
        with urllib.request.urlopen(self.root + path, data=data, timeout=120) as response:
            body = response.read().decode()
        if count:
            self.pages.append(time.perf_counter() - started)
        return body

    def get(self, count: bool = True) -> str:
        return self._request(self.path, count=count)

    def post(self, action: str, page: str, fields: dict) -> str:
        csrf = re.search(r'name="csrf" value="([^"]*)"', page).group(1)
        # A 303 is answered by a GET of the page: urllib follows it, so this is the submission and the next page.
        return self._request(f"{self.path}/{action}", urllib.parse.urlencode({"csrf": csrf, **fields}).encode())

    def run(self) -> None:
        try:
            self._run()
        except Exception as error:  # reported in the table, not a crash of the other threads
            self.error = repr(error)

    def _run(self) -> None:
        page = self.get()
        for action, fields in (("consent", {}), ("about", DEMOGRAPHICS), ("instructions", {})):
            page = self.post(action, page, fields)
        while 'name="conversation_id"' in page or 'name="item_id"' in page:
            if 'name="item_id"' in page:  # the attention check
                item = re.search(r'name="item_id" value="([^"]*)"', page).group(1)
                page = self.post("check", page, {"item_id": item, "choice": "1"})
                self.sent += 1
                continue
            conversation = re.search(r'name="conversation_id" value="([^"]*)"', page).group(1)
            turn = int(re.search(r'name="turn" value="(\d+)"', page).group(1))
            form = {"conversation_id": conversation, "turn": str(turn), "choice": str(1 + turn % 4)}
            if turn >= self.turns:
                page = self.post("choose", page, {**form, "action": "finish"})
                self.sent += 1
                continue
            started = time.perf_counter()
            page = self.post("choose", page, {**form, "next_message": MESSAGES[(turn - 1) % 3], "action": "send"})
            self.sent += 1
            while 'http-equiv="refresh"' in page:  # being generated: reload as the page itself does
                time.sleep(REFRESH_SECONDS)
                page = self.get(count=False)
            if "/end" in page and "/choose" not in page:  # quarantined after its retries: end the conversation
                page = self.post("end", page, {"conversation_id": conversation, "turn": str(turn + 1)})
                continue
            self.waits.append(time.perf_counter() - started)


def study(data: Path, annotators: int) -> list[str]:
    """A study with an equal share of annotators per language that has a first-turn set; every conversation on a
    bank set."""
    recruitment = data.parent / "recruitment.csv"
    countries = {c.lang: c.name for c in COUNTRIES}
    tasks = TaskExport(data)
    langs = [lang for lang in LANGS if tasks.first_turn_sets(lang)]
    rows = [f"load-{i:03d},{countries[langs[i % len(langs)]]},{langs[i % len(langs)]}\n" for i in range(annotators)]
    recruitment.write_text("annotator_id,country,lang\n" + "".join(rows), encoding="utf-8")
    made = subprocess.run(
        [CLI, "--data-dir", str(data), "annotate", "new-study", str(recruitment), "--name", "load", "--written-share", "0",
         "--conversations-per-annotator", "1", "--annotators-per-set", str(annotators)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return [line.split(",")[1] for line in made.stdout.strip().splitlines()[1:]]


def run_pass(data: Path, config: Path, annotators: int, turns: int) -> dict:
    links = study(data, annotators)
    port = free_port()
    command = [CLI, "--data-dir", str(data), "annotate", "serve", "--config", str(config), "--port", str(port)]
    with serve("annotate app", command, port, "/healthz", 120):
        people = [Person(f"http://127.0.0.1:{port}", link, turns) for link in links]
        threads = [threading.Thread(target=p.run) for p in people]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
    with sqlite3.connect(data / STORE_DIR / STORE_FILE) as con:
        stored = con.execute("select (select count(*) from choices) + (select count(*) from checks where chosen is not null)").fetchone()[0]
        quarantined = con.execute("select count(*) from sets where status = 'quarantined'").fetchone()[0]
    return {
        "wall": wall, "pages": [s for p in people for s in p.pages], "waits": [w for p in people for w in p.waits],
        "sent": sum(p.sent for p in people), "stored": stored, "quarantined_sets": quarantined,
        "errors": [p.error for p in people if p.error],
    }  # fmt: skip


def ingest(data: Path, generator: Generator) -> tuple[int, int, int]:
    """The app's files through the pipeline until nothing new arrives: (refreshes, results kept, quarantined). The
    pipeline samples with the app's generator, so it finds the sets people saw (their ids name the backend)."""
    duckdb = DuckDB(data_dir=str(data))
    refreshes, files = 0, set()
    while True:
        subprocess.run([CLI, "--data-dir", str(data), "annotate", "export"], check=True, capture_output=True)
        now = {p.name for folder in ("inbox", "openings") for p in (data / folder).glob("live-*.jsonl")}
        if now == files:
            break
        files = now
        assert materialize_conversations(duckdb, generator, protocol=PROTOCOL, export=True).success
        refreshes += 1
    with duckdb.connect(read_only=True) as con:
        counts = con.sql(
            "select (select count(*) from task_results where file_sha in (select file_sha from annotation_files"
            " where file_name like 'live-%')), (select count(*) from annotation_quarantine where file_name like 'live-%')"
        ).fetchall()[0]  # fmt: skip
    return refreshes, counts[0], counts[1]


PROTOCOL = {**SMALL_PROTOCOL, "turn_1__generation": {"config": {"prompts_per_language": 1, "samplers": ["iid"]}}}


def _row(name: str, r: dict, header: bool = False) -> None:
    if header:
        print(f"{'pass':<7} {'wall':>7} {'requests':>8} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} "
              f"{'wait p50':>9} {'wait p95':>9} {'sets quar':>9} {'errors':>6}")  # fmt: skip
    pages = r["pages"]
    print(f"{name:<7} {r['wall']:>6.0f}s {len(pages):>8} {len(pages) / r['wall']:>6.1f} {1000 * pct(pages, 50):>7.1f} "
          f"{1000 * pct(pages, 95):>7.1f} {1000 * max(pages):>7.1f} {pct(r['waits'], 50):>8.2f}s {pct(r['waits'], 95):>8.2f}s "
          f"{r['quarantined_sets']:>9} {len(r['errors']):>6}", flush=True)  # fmt: skip


def pct(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotators", type=int, default=50)
    parser.add_argument("--turns", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, llama_cpp_server() as base_url:
        live_data, cached_data = Path(folder) / "live" / "data", Path(folder) / "cached" / "data"
        # One generator for the pipeline and the app: a set's id names its backend, so the pipeline finds the
        # very sets people saw only when it samples as the app does.
        generator = {"backend": "openai", "base_url": base_url, "model": SERVED_MODEL, "structured_output": "json_object_schema"}
        started = time.perf_counter()
        duckdb = DuckDB(data_dir=str(live_data))
        assert materialize_conversations(duckdb, Generator(**generator), protocol=PROTOCOL, export=True).success
        setup = time.perf_counter() - started
        shutil.copytree(live_data, cached_data, symlinks=True)
        results = {}
        config = Path(folder) / "run_config.yaml"
        config.write_text(yaml.safe_dump({"resources": {"sampling": {"config": SMALL_SAMPLING.model_dump()},
                                                        "generator": {"config": generator}}}))  # fmt: skip
        results["live"] = run_pass(live_data, config, args.annotators, args.turns)
        _row("live", results["live"], header=True)  # at once: the passes take minutes
        shutil.rmtree(cached_data / "cache" / "generation", ignore_errors=True)
        shutil.copytree(live_data / "cache" / "generation", cached_data / "cache" / "generation")
        results["cached"] = run_pass(cached_data, config, args.annotators, args.turns)
        _row("cached", results["cached"])
        started = time.perf_counter()
        refreshes, kept, quarantined = ingest(live_data, Generator(**generator))
        ingest_seconds = time.perf_counter() - started
    print(f"\nLive annotation under load: {args.annotators} annotators at once, {args.turns} turns each, on loopback")
    print(hardware())
    print(f"(pipeline set-up {setup:.0f} s; generation: llama.cpp's OpenAI server, the bundled model)\n")
    for name, r in results.items():
        _row(name, r, header=name == "live")
    live = results["live"]
    target = "yes" if pct(results["cached"]["pages"], 95) < 0.2 and pct(live["pages"], 95) < 0.2 else "NO"
    print(f"\ntarget p95 page/submission < 200 ms (both passes): {target}")
    print(f"submissions (live pass): sent {live['sent']}, stored {live['stored']}, ingested {kept + quarantined} "
          f"({kept} kept, {quarantined} quarantined) over {refreshes} pipeline refreshes ({ingest_seconds:.0f} s): "
          f"{'equal' if live['sent'] == live['stored'] == kept + quarantined else 'NOT EQUAL'}")
    for error in (live["errors"] + results["cached"]["errors"])[:5]:
        print("error:", error)


if __name__ == "__main__":
    main()
