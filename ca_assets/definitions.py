"""The code location: everything under ca_assets/defs/, loaded by Dagster's defs-folder loader."""

from pathlib import Path

import dagster as dg


@dg.definitions
def defs() -> dg.Definitions:
    return dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
