"""The project's Definitions: everything under defs/, each asset able to run a partition range in one run."""

from pathlib import Path

import dagster as dg
from dagster_shared.record import replace  # how Definitions' own map_* methods rebuild it

SINGLE_RUN = dg.BackfillPolicy.single_run()


def _single_run(asset):
    """`dg launch --partition-range en...hi` (make demo) and one-run backfills demand a single-run policy of
    every selected asset, partitioned or not; `AssetSpec` cannot carry one, so it is set here."""
    if isinstance(asset, dg.AssetsDefinition) and asset.is_executable and asset.backfill_policy is None:
        return asset.with_attributes(backfill_policy=SINGLE_RUN)
    return asset


@dg.definitions
def defs() -> dg.Definitions:
    loaded = dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
    unique = list({id(a): a for a in loaded.assets}.values())  # the loader lists an object once per module that imports it
    return replace(loaded, assets=[_single_run(a) for a in unique])
