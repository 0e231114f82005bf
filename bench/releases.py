"""Comparisons-to-release benchmark: the human-file path from a synthetic Community Alignment CSV through quality
control, comparisons, aggregates, the PII scan and every release file, step by step, against a raw baseline.

    .venv/bin/python -m bench.releases [--conversations 20000] [--jsonl]

The file is the test fixture's generator (ca_assets_tests/support/ca_fixture.py: pregenerated prompts shown to many annotators,
1-4 turns, 1% quirks) in a scratch data directory. No embeddings and no preference evaluation (their costs are
the embedding benchmark's and the model's). Baseline, measured in the same run on the same database: DuckDB
writing the released comparisons straight to Parquet (and JSONL with --jsonl, as the release then does:
`copy ... to`), the least any release costs. release/raw compares the five release file assets with it.
"""

import argparse
import tempfile
import time
from pathlib import Path

import dagster as dg
import duckdb as duckdb_module
import pandas as pd

from bench._steps import hardware, materialize_path, peak_rss_mb
from ca_assets.core.duckdb import DuckDB
from ca_assets.defs.release import assets as releases
from ca_assets.defs.release.files import ReleaseSettings
from ca_assets_tests.support.ca_fixture import write_fixture

STEPS = [
    "inbox", "human_conversations", "main__quality_quarantine", "main__comparisons", "main__aggregates",
    "release__pii_findings", "release__exclusions", "release__comparisons", "files__trl_preferences",
    "files__comparisons", "files__candidate_sets", "files__aggregates", "files__annotators",
    "files__community_alignment", "files__dataset_card", "files__current",
]  # fmt: skip
# The five Parquet (+ JSONL) release files (the CSV and the card are not the baseline's kind of output).
FILE_STEPS = [s for s in STEPS if s.startswith("files__") and s.split("__")[1] in releases.FILES]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=20_000)
    parser.add_argument("--jsonl", action="store_true", help="also write every release file as JSONL (off by default)")
    args = parser.parse_args()
    duckdb = DuckDB(data_dir=tempfile.mkdtemp(prefix="bench_releases_"))
    instance = dg.DagsterInstance.ephemeral()  # holds the inbox batches between the runs
    write_fixture(duckdb.subdir("inbox") / "ca.csv", count=args.conversations, seed=1, quirk_rate=0.01)
    total, seconds = materialize_path(duckdb, instance, ReleaseSettings(jsonl=args.jsonl))
    raw = _raw_baseline(duckdb, args.jsonl)
    with duckdb.connect(read_only=True) as con:
        rows = con.sql("select (select count(*) from comparisons), (select count(*) from release.comparisons)").fetchall()[0]
    table = pd.DataFrame({"step": STEPS, "seconds": [round(seconds.get(s, float("nan")), 2) for s in STEPS]})
    print(f"\n{args.conversations:,} conversations -> {rows[0]:,} comparisons ({rows[1]:,} released)")
    print(f"machine: {hardware()}")
    print(table.to_string(index=False))
    files = sum(seconds[s] for s in FILE_STEPS)
    print(f"\nwhole run {total:.1f} s, peak RSS {peak_rss_mb():.0f} MB")
    formats = "Parquet+JSONL" if args.jsonl else "Parquet"
    print(f"release files (5 x {formats}) {files:.2f} s; raw copy of the comparisons to {formats} {raw:.2f} s; "
          f"release/raw {files / raw:.2f}x")  # fmt: skip


def _raw_baseline(duckdb: DuckDB, jsonl: bool) -> float:
    out = Path(tempfile.mkdtemp(prefix="bench_raw_"))
    started = time.perf_counter()
    with duckdb_module.connect() as con:
        con.execute("set enable_progress_bar = false")
        con.execute("attach $path as ca (read_only)", {"path": str(duckdb.database_path)})
        con.execute("copy ca.release.comparisons to $path (format parquet)", {"path": str(out / "c.parquet")})
        if jsonl:
            con.execute("copy ca.release.comparisons to $path (format json)", {"path": str(out / "c.jsonl")})
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
