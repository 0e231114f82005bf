"""A step that writes several tables writes them in one transaction: a process killed with SIGKILL between two
of them, or a write that fails, leaves every table of the step as it was; the next run writes them all."""

import os
import signal
import subprocess
import sys

import dagster as dg

from ca_assets.core.duckdb import DuckDB
from ca_assets.defs.inbox.assets import inbox
from ca_assets.defs.inbox.human import TABLES, human_conversations
from ca_assets_tests.support.batch_run import batch_run
from ca_assets_tests.support.ca_fixture import write_fixture

# human_conversations writes three tables; the process kills itself as the second begins (after the first
# table's new rows were written inside the transaction).
KILLED_STEP = """
import os, sys
import dagster as dg
import ca_assets.core.tables as tables
from ca_assets.core.duckdb import DuckDB
from ca_assets.defs.inbox.human import human_conversations

calls = []
real = tables.use_schema
def use_schema(con, schema):
    calls.append(schema)
    if len(calls) == 2:
        os.kill(os.getpid(), 9)
    real(con, schema)
tables.use_schema = use_schema
dg.materialize([human_conversations], resources={"duckdb": DuckDB(data_dir=sys.argv[1])})
"""


def _counts(duckdb: DuckDB) -> dict[str, int]:
    with duckdb.connect(read_only=True) as con:
        return {table: con.table(f"human.{table}").count("*").fetchall()[0][0] for table in TABLES}


def test_a_kill_between_a_steps_tables_leaves_all_of_them_as_they_were(duckdb):
    write_fixture(duckdb.subdir("inbox") / "wave1.csv", count=10, seed=1, quirk_rate=0)
    assert dg.materialize([inbox, human_conversations], resources={"duckdb": duckdb}, **batch_run(duckdb)).success
    before = _counts(duckdb)
    write_fixture(duckdb.subdir("inbox") / "wave2.csv", count=10, seed=2, quirk_rate=0)
    assert dg.materialize([inbox], resources={"duckdb": duckdb}, **batch_run(duckdb)).success

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    killed = subprocess.run([sys.executable, "-c", KILLED_STEP, str(duckdb.root)], env=env, capture_output=True, timeout=300)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert _counts(duckdb) == before  # not the first table new and the others old

    assert dg.materialize([human_conversations], resources={"duckdb": duckdb}).success
    after = _counts(duckdb)
    assert all(after[table] > before[table] for table in TABLES), (before, after)


def test_a_run_records_its_host_for_the_slot_cleaner(duckdb):
    """core/instance.py frees the pool slots of dead runs of this host only: each run says where it ran."""
    from ca_assets.core.paths import HOST, HOST_TAG

    write_fixture(duckdb.subdir("inbox") / "wave1.csv", count=3, seed=1, quirk_rate=0)
    run = batch_run(duckdb)
    result = dg.materialize([inbox], resources={"duckdb": duckdb}, **run)
    assert run["instance"].get_run_by_id(result.run_id).tags[HOST_TAG] == HOST
