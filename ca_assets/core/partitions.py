"""How a run covers a range of partitions (languages, inbox batches) in one go: what every asset's single-run
backfill policy allows."""

import warnings
from collections.abc import Sequence

import dagster as dg


def range_arg(keys: Sequence[str]) -> str:
    """`dg launch --partition-range` for keys[0] to keys[-1], in the partitions' own order."""
    return f"{keys[0]}...{keys[-1]}"


def range_tags(keys: Sequence[str]) -> dict[str, str]:
    """The same for an in-process run (dg.materialize) or a launched one: the run's tags."""
    return {"dagster/asset_partition_range_start": keys[0], "dagster/asset_partition_range_end": keys[-1]}


# Every asset runs a partition range (or a backfill) in one run: `dg launch --partition-range en...hi` (the demo)
# refuses a selection in which any asset lacks this policy, partitioned or not.
SINGLE_RUN = dg.BackfillPolicy.single_run()
# Dagster 1.13 still calls the decorators' `backfill_policy` parameter beta and says so once per asset, in every
# process that loads the definitions; that one warning says nothing new here. Every other warning shows.
warnings.filterwarnings("ignore", message="Parameter `backfill_policy` of function", category=dg.BetaWarning)
