"""In-process runs of the inbox assets: each file in inbox/ is a batch partition, so a run needs an instance
that knows the batches and tags that cover them (what the sensor and `make ingest` do for real runs)."""

from typing import Any

import dagster as dg

from ca_assets.core.duckdb import DuckDB
from ca_assets.core.partitions import range_tags
from ca_assets.defs.inbox.batches import INBOX, add_batches


def batch_run(duckdb: DuckDB) -> dict[str, Any]:
    """`instance` and `tags` for dg.materialize: one run over every file now in inbox/."""
    instance = dg.DagsterInstance.ephemeral()
    keys = add_batches(instance, duckdb.subdir(INBOX))
    assert keys, f"no file in {duckdb.subdir(INBOX)} to run the inbox assets for"
    return {"instance": instance, "tags": range_tags(keys)}
