"""The analysts' snapshot: a read-only copy of the whole database at the end of each run, in a storage format the
`duckdb` CLI reads.

Why a copy: DuckDB allows one writing process per file, so a shell holding the live file would stall the next
run (and a run would refuse the shell). The snapshot is written beside and renamed over the old one, so a shell
that has it open keeps its consistent view, and the pipeline never opens it again. Why an older storage format:
the newest `duckdb` CLI on PyPI (duckdb-cli 1.5.6) cannot read DuckDB 2.0's (`version number 69`), and v1.4.0
holds every type the project uses.
"""


import dagster as dg
import duckdb as duckdb_module

from ca_assets.core.checks import DUCKDB_POOL, table_key
from ca_assets.core.duckdb import DuckDB
from ca_assets.core.partitions import SINGLE_RUN
from ca_assets.core.paths import publish, remove_leftovers, temp_beside
from ca_assets.core.sql import load_sql

STAGE = "analysis"
SNAPSHOT_KEY = dg.AssetKey(["snapshot", "ca"])
STORAGE_VERSION = "v1.4.0"
# The graph's last assets: the snapshot waits for them, so it holds everything the run wrote (a test checks
# that every table is upstream of it).
LAST = [
    table_key("country_win_rates"), table_key("contested_prompts"), table_key("annotator_agreement"),
    table_key("sampler_report"), table_key("annotation_tasks"), dg.AssetKey(["files", "current"]),
    table_key("preference_eval"), table_key("annotation_quarantine"), table_key("prompt_quarantine"),
]  # fmt: skip


def snapshot_path(duckdb: DuckDB):
    return duckdb.subdir("snapshot") / "ca.duckdb"


@dg.asset(key=SNAPSHOT_KEY, deps=LAST, group_name=STAGE, kinds={"duckdb"}, pool=DUCKDB_POOL, backfill_policy=SINGLE_RUN)
def snapshot(context: dg.AssetExecutionContext, duckdb: DuckDB) -> dg.MaterializeResult:
    """Grain: one copy of the whole database (every schema but the embedding cache), <data>/snapshot/ca.duckdb,
    for analysts: `.venv/bin/duckdb -readonly data/snapshot/ca.duckdb` works even while a run writes."""
    path = snapshot_path(duckdb)
    for leftover in remove_leftovers(path):  # a copy a killed run left
        context.log.info(f"snapshot: removed {leftover.name}, left by a run that no longer runs")
    with duckdb.connect(read_only=True) as source:
        tables = source.sql(load_sql("analysis", "queries", "snapshot_tables")).fetchall()
    context.log.info(f"snapshot: copying {len(tables)} tables (and the views over them) to {path}")
    tmp = temp_beside(path)
    try:
        con = duckdb_module.connect()
        try:
            con.execute("set enable_progress_bar = false")  # no bar in the run's logs
            con.execute("attach $path as ca (read_only)", {"path": str(duckdb.database_path)})
            con.execute("attach $path as snap (storage_version 'v1.4.0')", {"path": str(tmp)})  # = STORAGE_VERSION
            con.execute("copy from database ca to snap")
            con.execute("drop schema if exists snap.cache cascade")  # embedding vectors: a cache, not data
            con.execute("detach snap")
        finally:
            con.close()
        publish(tmp, path)  # readers see the old snapshot or the new one, never a part
    finally:
        for partial in (tmp, tmp.with_name(tmp.name + ".wal")):
            partial.unlink(missing_ok=True)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(path)),
            "tables": len(tables),
            "size_mb": round(path.stat().st_size / 2**20, 1),
            "storage_version": STORAGE_VERSION,
        }
    )


@dg.asset_check(
    asset=SNAPSHOT_KEY,
    name="matches_schema",
    blocking=True,
    description="The snapshot opens read-only and holds every table of the database with the same row counts.",
    pool=DUCKDB_POOL,  # it reads the live file's row counts
)
def snapshot_matches_schema(duckdb: DuckDB) -> dg.AssetCheckResult:
    with duckdb.connect(read_only=True) as source:
        expected = row_counts(source)
    with duckdb_module.connect(str(snapshot_path(duckdb)), read_only=True) as copy:
        found = row_counts(copy)
    differ = {name: (rows, found.get(name)) for name, rows in expected.items() if found.get(name) != rows}
    return dg.AssetCheckResult(passed=not differ, metadata={"tables": len(expected), "differ": dg.MetadataValue.json(differ)})


def row_counts(con: duckdb_module.DuckDBPyConnection) -> dict[str, int]:
    """Exact rows per table. The names come from the catalog (identifiers, quoted), never from input."""
    tables = con.sql(load_sql("analysis", "queries", "snapshot_tables")).fetchall()
    if not tables:
        return {}
    counts = " union all ".join(
        f"select '{schema}.{table}' as name, count(*) as n from \"{schema}\".\"{table}\"" for schema, table in tables
    )
    return dict(con.sql(counts).fetchall())
