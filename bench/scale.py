"""Scale benchmark: the human-file path (inbox → quality control → comparisons → aggregates → PII scan → release
files → CA CSV → card) on a synthetic file of the public Community Alignment release's size, then the same
assets again after a 1% batch of new conversations lands in inbox/ (the incremental refresh).

    .venv/bin/python -m bench.scale [--conversations 90000] [--batch-share 0.01] [--jsonl] [--memory-limit 1GB] [--keep]
        [--profile out.pstats]

The file is the test fixture's generator (ca_assets_tests/support/ca_fixture.py, seed 1, 1% quirks): 2.6 turns per conversation,
so 90,000 conversations ≈ 234k best-of-4 choices (each becomes 3 pairwise comparison rows). It is written by a
child process, outside the timings. The batch is a second file of `--batch-share` × conversations from another
seed (new conversation ids, the same annotators). Targets (the operations issue): the full path under one
minute and 2 GB peak on 2 cores; the refresh under 10% of the full time.

Peak memory: per phase, the kernel's high-water mark of this process's RSS (VmHWM, reset before each phase;
that also resets getrusage's ru_maxrss), and the fixture writer's own (a child process: its VmHWM). The path
itself starts no process: Dagster's in-process executor runs every step here, DuckDB uses threads.
--keep leaves the scratch data directory (printed) for profiling single steps; --profile runs the full path
under cProfile and writes the stats there (which slows the Python-heavy steps: compare such runs only with
each other).
"""

import argparse
import cProfile
import json
import shutil
import subprocess
import sys
import tempfile
import time
from typing import NamedTuple

import dagster as dg
import pandas as pd

from bench._steps import STAGES, hardware, materialize_path, phase_peak_mb, reset_peak
from ca_assets.core.duckdb import DuckDB
from ca_assets.defs.release.files import ReleaseSettings
from ca_assets_tests.support.ca_fixture import Manifest

TARGET_SECONDS, TARGET_MB, TARGET_REFRESH_SHARE = 60, 2048, 0.10
COUNTS = """
select
    (select count(*) from human_turns),
    (select count(*) from annotation_quarantine),
    (select count(*) from annotations),
    (select count(*) from quality_quarantine),
    (select count(*) from comparisons),
    (select count(*) from release.comparisons),
    (select count(*) from release.pii_findings)
"""


# The fixture writer, run as a child process so that its memory is not the path's: prints its manifest's counts
# and its own peak RSS (VmHWM: getrusage's children figure would count this process's peak, inherited at exec).
WRITER = """
import json, re, sys
from pathlib import Path
from ca_assets_tests.support.ca_fixture import write_fixture
manifest = write_fixture(Path(sys.argv[1]), count=int(sys.argv[2]), seed=int(sys.argv[3]), quirk_rate=0.01)
peak = int(re.search(r"VmHWM:\\s+(\\d+)", Path("/proc/self/status").read_text()).group(1)) / 1024
print(json.dumps({"rows": manifest.rows, "conversations": manifest.conversations, "turns": manifest.turns,
                  "peak_mb": peak}))
"""


class Written(NamedTuple):
    manifest: Manifest  # without the quirks
    seconds: float
    peak_mb: float | None  # the writer's peak RSS


def write_file(duckdb: DuckDB, name: str, count: int, seed: int) -> Written:
    """Write the fixture to inbox/<name> in a child process."""
    started = time.perf_counter()
    path = duckdb.subdir("inbox") / name
    done = subprocess.run([sys.executable, "-c", WRITER, str(path), str(count), str(seed)], check=True,
                          capture_output=True, text=True)  # fmt: skip
    out = json.loads(done.stdout.splitlines()[-1])
    peak = out.pop("peak_mb")
    return Written(Manifest(**out), time.perf_counter() - started, peak)


def counts(duckdb: DuckDB) -> dict[str, int]:
    names = ["turns ingested", "rows quarantined at ingest", "choices (annotations)", "choices quarantined",
             "pairwise comparison rows", "comparisons released", "PII findings"]  # fmt: skip
    with duckdb.connect(read_only=True) as con:
        found = dict(zip(names, con.sql(COUNTS).fetchall()[0], strict=True))
    kept = found["choices (annotations)"] - found["choices quarantined"]
    return {**dict(list(found.items())[:4]), "choices kept (3 pairwise rows each)": kept, **dict(list(found.items())[4:])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=90_000)
    parser.add_argument("--batch-share", type=float, default=0.01, help="the new batch, as a share of --conversations")
    parser.add_argument("--keep", action="store_true", help="keep the scratch data directory")
    parser.add_argument("--profile", metavar="FILE", help="run the full path under cProfile, stats to FILE")
    parser.add_argument("--jsonl", action="store_true", help="also write every release file as JSONL (off by default)")
    parser.add_argument("--memory-limit", help="the DuckDB resource's memory_limit, e.g. 1GB (default: DuckDB's own)")
    args = parser.parse_args()
    duckdb = DuckDB(data_dir=tempfile.mkdtemp(prefix="bench_scale_"), memory_limit=args.memory_limit)
    instance = dg.DagsterInstance.ephemeral()  # holds the inbox batches between the runs

    manifest, written, writer_peak = write_file(duckdb, "ca.csv", args.conversations, seed=1)
    reset_peak()
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    release = ReleaseSettings(jsonl=args.jsonl)
    full = materialize_path(duckdb, instance, release)
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)
    full_peak = phase_peak_mb()
    full_counts = counts(duckdb)

    batch_size = max(1, round(args.conversations * args.batch_share))
    batch = write_file(duckdb, "ca_batch.csv", batch_size, seed=2).manifest
    reset_peak()
    refresh = materialize_path(duckdb, instance, release)
    refresh_peak = phase_peak_mb()
    refresh_counts = counts(duckdb)

    steps = [s for s in STAGES if s in full.seconds] + [s for s in full.seconds if s not in STAGES]
    table = pd.DataFrame(
        {
            "stage": [STAGES.get(s, "views") for s in steps],
            "step": steps,
            "full s": [full.seconds[s] for s in steps],
            "incremental s": [refresh.seconds.get(s, float("nan")) for s in steps],
        }
    )
    by_stage = table.groupby("stage", sort=False)[["full s", "incremental s"]].sum().reset_index()
    for frame in (table, by_stage):
        frame["ratio"] = frame["incremental s"] / frame["full s"]
    whole = pd.DataFrame(
        {
            "stage": ["sum of steps", "whole path (wall, Dagster included)"],
            "full s": [table["full s"].sum(), full.total],
            "incremental s": [table["incremental s"].sum(), refresh.total],
        }
    )
    whole["ratio"] = whole["incremental s"] / whole["full s"]
    by_stage = pd.concat([by_stage, whole], ignore_index=True)

    print(f"\nmachine: {hardware()}; DuckDB memory_limit: {args.memory_limit or 'default (80% of RAM)'}"
          f"{'; JSONL release files' if args.jsonl else ''}")
    print(
        f"file: {manifest.conversations:,} conversations ({manifest.rows:,} rows with duplicated submissions), "
        f"{manifest.turns:,} best-of-4 choices ({manifest.turns / manifest.conversations:.2f} per conversation), "
        f"written in {written:.1f} s by a child process"
    )
    print(f"batch: {batch.conversations:,} new conversations, {batch.turns:,} choices (seed 2)")
    numbers = pd.DataFrame({"after the full path": full_counts, "after the refresh": refresh_counts})
    print("\n" + numbers.to_string())
    print("\n" + table.to_string(index=False, float_format=lambda x: f"{x:.2f}"))
    print("\n" + by_stage.to_string(index=False, float_format=lambda x: f"{x:.2f}"))
    print(
        f"\npeak RSS of this process (VmHWM, reset before each phase): full path {full_peak or float('nan'):.0f} MB, "
        f"refresh {refresh_peak or float('nan'):.0f} MB; the fixture writer (a child process, untimed): "
        f"{writer_peak or float('nan'):.0f} MB. The path starts no process (Dagster's in-process executor)."
    )
    share = refresh.total / full.total
    print(
        f"targets: full path {full.total:.1f} s (< {TARGET_SECONDS} s: {'yes' if full.total < TARGET_SECONDS else 'no'}), "
        f"peak {full_peak or float('nan'):.0f} MB (< {TARGET_MB} MB: {'yes' if (full_peak or 0) < TARGET_MB else 'no'}), "
        f"refresh {share:.1%} of full (< {TARGET_REFRESH_SHARE:.0%}: {'yes' if share < TARGET_REFRESH_SHARE else 'no'})"
    )
    if profiler:
        print(f"cProfile stats of the full path: {args.profile}")
    if args.keep:
        print(f"data directory kept: {duckdb.root}")
    else:
        shutil.rmtree(duckdb.root, ignore_errors=True)


if __name__ == "__main__":
    main()
