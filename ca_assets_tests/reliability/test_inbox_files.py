"""What lands in inbox/ besides plain files: a symbolic link is refused by name and its target never read (its
first line would otherwise be echoed in the error), an upper-case suffix is ingested like a lower-case one, and a
file over the configured size is refused with the limit in the message."""

import dagster as dg

from ca_assets.defs.inbox.assets import inbox
from ca_assets.formats.ca_csv import write_ca_csv
from ca_assets_tests.support.batch_run import batch_run
from ca_assets_tests.support.ca_fixture import make_conversations

SECRET_LINE = "root-password=hunter2-do-not-echo"


def _run(duckdb, **config) -> dg.ExecuteInProcessResult:
    run_config = {"ops": {"inbox": {"config": config}}} if config else None
    return dg.materialize([inbox], resources={"duckdb": duckdb}, run_config=run_config, raise_on_error=False, **batch_run(duckdb))


def _failure(result) -> str:
    [failure] = [e for e in result.all_events if e.is_step_failure]
    return failure.step_failure_data.error.message


def test_a_symbolic_link_is_refused_and_its_target_not_read(duckdb, tmp_path):
    target = tmp_path / "outside.csv"
    target.write_text(SECRET_LINE + "\n")
    (duckdb.subdir("inbox") / "results.csv").symlink_to(target)
    result = _run(duckdb)
    message = _failure(result)
    assert not result.success and "results.csv" in message and "symbolic link" in message
    assert SECRET_LINE not in message and "hunter2" not in "".join(dg.serialize_value(e) for e in result.all_events)


def test_upper_case_suffixes_are_ingested(duckdb):
    rows, _ = make_conversations(5, seed=8, quirk_rate=0)
    write_ca_csv(duckdb.subdir("inbox") / "Wave2.CSV", rows)
    (duckdb.subdir("inbox") / "Results.JSONL").write_text('{"task_id": "x", "annotator_id": "a", "chosen": "b"}\n')
    assert _run(duckdb).success
    with duckdb.connect(read_only=True) as con:
        files = sorted(con.sql("select file_name, format, rows_in from annotation_files").fetchall())
    assert files == [("Results.JSONL", "task_results", 1), ("Wave2.CSV", "community_alignment_csv", 5)]


def test_a_file_over_the_limit_is_refused_with_the_limit(duckdb):
    rows, _ = make_conversations(5, seed=9, quirk_rate=0)
    rows[0]["first_turn_feedback"] = "long " * 220_000  # the file: about 1.1 MB
    write_ca_csv(duckdb.subdir("inbox") / "big.csv", rows)
    result = _run(duckdb, max_file_mb=1)
    message = _failure(result)
    assert not result.success and "big.csv" in message and "over the inbox's limit of 1 MB" in message, message
    assert _run(duckdb, max_file_mb=2).success  # under a higher limit the same file is read


def test_make_ingest_takes_a_hostile_file_name_as_a_name(tmp_path):
    """`make ingest FILE=...` with quotes, `;`, `$(shell ...)` and backticks in the name: the file is copied in and
    ingested under that name, and nothing in it runs (make and the shell both leave it alone)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    name = 'x"; touch pwned_a; "$(shell touch pwned_b)`touch pwned_c`.csv'
    source = tmp_path / "drop" / name
    source.parent.mkdir()
    rows, _ = make_conversations(3, seed=4, quirk_rate=0)
    write_ca_csv(source, rows)
    data = tmp_path / "data"
    (data / "dagster").mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k not in ("CA_DATA_DIR", "DAGSTER_HOME", "MAKEFLAGS", "MAKELEVEL")}
    venv = Path(sys.executable).parents[1]
    try:
        done = subprocess.run(["make", "--no-print-directory", "ingest", f"FILE={source}", f"DATA={data}", f"VENV={venv}"],
                              cwd=root, env=env, capture_output=True, text=True, timeout=300)
        pwned = [p.name for folder in (root, tmp_path, tmp_path / "drop") for p in folder.glob("pwned_*")]
    finally:
        for stray in root.glob("pwned_*"):
            stray.unlink()
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert pwned == []
    assert (data / "inbox" / name).read_bytes() == source.read_bytes()
