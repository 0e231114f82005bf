"""What a model step hands from one op to the next: pickles under <data_dir>/handoff/<run_id>/.

The steps that run a model are split in three ops (plan: read DuckDB, in the `duckdb` pool; sample: run the
model, in the `model` pool, never opening the file; write: one transaction, in the `duckdb` pool), so that every
op that opens the DuckDB file holds the `duckdb` slot while a model step holds only the `model` slot for its
minutes of sampling. Their outputs pass through here, under the data directory (where people's text already
lives, not in the Dagster instance), so that "re-execute from failure" can pick up a run's plan or samples.

The write op removes its run's folder (and the folder of a run it re-executes) once its tables are committed;
a folder older than KEEP_DAYS is removed by the next plan, so a failed run stays re-executable for that long.
"""

import os
import pickle
import shutil
import time
from pathlib import Path

import dagster as dg

from ca_assets.core.paths import publish, temp_beside

HANDOFF_DIR = "handoff"
KEEP_DAYS = 7


class HandoffIOManager(dg.IOManager):
    def __init__(self, root: Path):
        self.root = root

    def _path(self, run_id: str, step_key: str, name: str) -> Path:
        # Dagster's run ids and step keys are [A-Za-z0-9_.-]; nothing here comes from a user.
        return self.root / run_id / f"{step_key}.{name}.pickle"

    def handle_output(self, context: dg.OutputContext, obj) -> None:
        path = self._path(context.run_id, context.step_key, context.name)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = temp_beside(path)
        try:
            with open(tmp, "wb") as handle:
                pickle.dump(obj, handle, protocol=pickle.HIGHEST_PROTOCOL)
            publish(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    def load_input(self, context: dg.InputContext):
        upstream = context.upstream_output
        path = self._path(upstream.run_id, upstream.step_key, upstream.name)
        if not path.exists():
            raise dg.Failure(
                f"the handoff {path} from step {upstream.step_key} of run {upstream.run_id} is gone (removed after "
                f"{KEEP_DAYS} days or by a finished run): materialize the asset again instead of re-executing"
            )
        with open(path, "rb") as handle:  # written by this project's own step, under the data directory
            return pickle.load(handle)


@dg.io_manager(required_resource_keys={"duckdb"}, description="Pickles under <data_dir>/handoff/<run_id>/.")
def handoff_io_manager(init_context: dg.InitResourceContext) -> HandoffIOManager:
    return HandoffIOManager(init_context.resources.duckdb.root / HANDOFF_DIR)


def finish(root: Path, run: dg.DagsterRun) -> None:
    """After the write commits: this run's handoff is spent, and so are those of the runs it re-executes."""
    for run_id in {run.run_id, run.parent_run_id, run.root_run_id} - {None}:
        shutil.rmtree(root / HANDOFF_DIR / run_id, ignore_errors=True)


def prune(root: Path, now: float | None = None) -> list[str]:
    """Remove handoff folders older than KEEP_DAYS (failed runs nobody re-executed). Returns their run ids."""
    folder, cutoff = root / HANDOFF_DIR, (now or time.time()) - KEEP_DAYS * 86400
    removed = []
    for run in folder.iterdir() if folder.is_dir() else []:
        if run.is_dir() and not run.is_symlink() and os.stat(run).st_mtime < cutoff:
            shutil.rmtree(run, ignore_errors=True)
            removed.append(run.name)
    return removed
