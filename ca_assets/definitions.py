"""The project's Definitions: everything under defs/ (each stage's assets, checks, jobs and automation, and the
resources registered once in defs/resources.py)."""

from pathlib import Path

import dagster as dg


@dg.definitions
def defs() -> dg.Definitions:
    return dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
