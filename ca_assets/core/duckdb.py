"""The DuckDB file under the data directory, shared by every stage."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import Field

from ca_assets.core.paths import HOST, HOST_TAG, check_data_dir, default_data_dir

DATABASE_FILE = "ca.duckdb"
# Every op that opens the DuckDB file runs in the `duckdb` pool (one writing process per file): `connect` refuses
# a Dagster step of another pool. An op that runs a model runs in the `model` pool (it takes every core, or the
# GPU) and never opens the file. Both pools are limited to one step at a time across runs (dagster.yaml).
DUCKDB_POOL = "duckdb"
MODEL_POOL = "model"
# Another process (a second run, an analyst's read-write session) may hold the file's lock for a moment:
# wait for it instead of failing the step, but not forever.
LOCK_WAIT_SECONDS = 120


class DuckDB(dg.ConfigurableResource):
    """The project's DuckDB file and the data directory around it (exports/, cache/, inbox/).

    Open a connection only to read inputs or write results, never across model calls: DuckDB allows one
    writing process per file, and every asset or check that opens it runs in the `duckdb` pool (size 1).
    """

    data_dir: str = Field(default_factory=default_data_dir, description="Data directory (env CA_DATA_DIR).")
    memory_limit: str | None = Field(
        default=None,
        description="Cap on DuckDB's memory per connection, e.g. '1GB' (DuckDB's default: 80% of RAM). Beyond it "
        "joins and sorts spill to <data_dir>/ca.duckdb.tmp: slower, but a CA-size release fits a small machine.",
    )

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        check_data_dir(self.data_dir)
        # Every run of the graph opens the file: record where it runs, so that freeing the slots of dead runs
        # (core/instance.py) judges only runs of its own host when several hosts share one instance.
        run = context.run if context is not None and context.instance is not None else None
        if run is not None:
            context.instance.add_run_tags(run.run_id, {HOST_TAG: HOST})

    @property
    def root(self) -> Path:
        return Path(self.data_dir)

    @property
    def database_path(self) -> Path:
        return self.root / DATABASE_FILE

    def subdir(self, name: str) -> Path:
        """A folder under the data directory (exports, cache, ...), created on first use."""
        path = self.root / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        _refuse_outside_pool()
        self.root.mkdir(parents=True, exist_ok=True)
        config = {"memory_limit": self.memory_limit} if self.memory_limit else {}
        con = _connect_waiting_for_lock(self.database_path, read_only, config)
        try:
            yield con
        finally:
            con.close()


def _refuse_outside_pool() -> None:
    """A Dagster step that opens the file must hold the `duckdb` pool's slot, or two runs' steps would queue on the
    file's lock instead of the pool (and a model step would hold the file between its model calls). Outside a step
    (the CLI, a test calling a function) there is no pool to hold."""
    step = _current_op()
    if step is not None and step.pool != DUCKDB_POOL:
        raise dg.DagsterInvariantViolationError(
            f"op {step.name} opened the DuckDB file but runs in pool {step.pool!r}: every op that opens it must run "
            f"in the {DUCKDB_POOL!r} pool (core/duckdb.py)"
        )


def _current_op() -> dg.OpDefinition | None:
    """The op whose compute function runs in this thread, if any."""
    for kind in (dg.AssetExecutionContext, dg.AssetCheckExecutionContext):
        try:
            return kind.get().op_execution_context.op_def
        except dg.DagsterInvariantViolationError:  # not in a step, or a step of the other kind
            continue
    return None


def use_schema(con: duckdb.DuckDBPyConnection, schema: str) -> None:
    """Unqualified names now create in `schema` and resolve there first, then in main: one SQL file writes
    or checks any turn's table (turn_1 … turn_4), reading shared tables such as prompts from main."""
    con.execute("set search_path = $path", {"path": f"{schema},main"})


def _connect_waiting_for_lock(path: Path, read_only: bool, config: dict[str, str]) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    delay = 0.2
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=config)
        except duckdb.IOException as error:
            if "lock" not in str(error).lower() or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 5.0)
