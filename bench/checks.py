"""Blocking-check benchmark: a table's Pandera check run inside DuckDB against the same model run on the table
read into pandas (how the checks ran before, and the baseline here), on the same DuckDB file.

    .venv/bin/python -m bench.checks [--rows 1000000] [--repeats 2]

The table is `main.comparisons` at --rows rows, synthesised in SQL with the shape of a real one (ids, positions,
texts of a few hundred characters, models, countries, turns), so the model's every rule and its Python check
(`chosen_differs_from_rejected`) run. Each way runs in a child process of its own, --repeats times; the fastest
time and the highest peak RSS count:
  pandas: `con.table(...).df()`, then `Comparisons.validate(frame, lazy=True)`;
  duckdb: `validate_relation` (core/validate.py): the rules as one SQL scan, the Python check over chunks.
Both must give the same verdict (the table is valid, so: passed).
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pandas as pd

from bench._steps import hardware

SYNTH = """
create or replace table comparisons as
select
    sha256('c' || i)[:16] as comparison_id,
    sha256('a' || (i // 3))[:16] as annotation_id,
    sha256('v' || (i // 9))[:16] as conversation_id,
    (1 + i % 4)::bigint as turn,
    sha256('s' || (i // 9))[:16] as set_id,
    sha256('t' || (i // 9))[:16] as item_id,
    sha256('p' || (i // 36))[:16] as prompt_id,
    ['en', 'fr', 'it', 'pt', 'hi'][1 + i % 5] as lang,
    ['nc', 'iid', 'multi_model'][1 + i % 3] as sampler,
    'sim-' || (i % 997) as annotator_id,
    ['US', 'FR', 'IT', 'BR', 'IN'][1 + i % 5] as country,
    'simulated' as source,
    [{'role': 'user', 'content': 'question number ' || i}] as messages,
    'question number ' || i as prompt_text,
    ['a', 'b', 'c', 'd'][1 + i % 4] as chosen_position,
    ['b', 'c', 'd', 'a'][1 + i % 4] as rejected_position,
    repeat('chosen answer text ', 15) || i as chosen_text,
    repeat('rejected answer text ', 15) || i as rejected_text,
    'model.gguf' as chosen_model,
    'model.gguf' as rejected_model,
    'model.gguf' as model,
    'because it is kind' as explanation,
    true as is_pregenerated_first_prompt
from range($rows) as t(i)
"""

CHILD = """
import json, resource, sys, time
import duckdb
from ca_assets.defs.comparisons.schemas import Comparisons
from ca_assets.core.validate import table_source, validate_relation
path, way = sys.argv[1], sys.argv[2]
started = time.perf_counter()
con = duckdb.connect(path, read_only=True)
if way == "pandas":
    import pandera.pandas as pa
    frame = con.table("main.comparisons").df()
    try:
        Comparisons.validate(frame, lazy=True)
        failures = 0
    except pa.errors.SchemaErrors as errors:
        failures = len(errors.failure_cases)
else:
    _, found = validate_relation(con, table_source("main.comparisons"), Comparisons)
    failures = sum(f.count for f in found)
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "failures": failures}))
"""


def columns_match(path: str) -> None:
    """The synthetic table has exactly the model's columns (else the benchmark would measure a dtype refusal)."""
    from ca_assets.defs.comparisons.schemas import Comparisons

    with duckdb.connect(path, read_only=True) as con:
        have = set(con.table("main.comparisons").columns)
    want = set(Comparisons.to_schema().columns)
    if have != want:
        raise SystemExit(f"synthetic comparisons differ from the model: extra {sorted(have - want)}, missing {sorted(want - have)}")


def run(path: str, way: str) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, path, way], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    path = str(Path(tempfile.mkdtemp(prefix="bench_checks_")) / "ca.duckdb")
    started = time.perf_counter()
    with duckdb.connect(path) as con:
        con.execute(SYNTH, {"rows": args.rows})
    print(f"synthesised {args.rows:,} comparisons in {time.perf_counter() - started:.1f} s; machine: {hardware()}")
    columns_match(path)
    results: dict[str, list[dict]] = {"pandas": [], "duckdb": []}
    for _ in range(args.repeats):
        for way in results:  # alternating: a shared machine's noise falls on both
            results[way].append(run(path, way))
    table = pd.DataFrame(
        {
            "way": list(results),
            "seconds": [min(r["seconds"] for r in runs) for runs in results.values()],
            "peak_mb": [max(r["peak_mb"] for r in runs) for runs in results.values()],
            "failures": [runs[0]["failures"] for runs in results.values()],
        }
    )
    base = table.iloc[0]
    table["time_vs_pandas"] = (table["seconds"] / base["seconds"]).round(2)
    table["memory_vs_pandas"] = (table["peak_mb"] / base["peak_mb"]).round(2)
    print(table.round(2).to_string(index=False))


if __name__ == "__main__":
    main()
