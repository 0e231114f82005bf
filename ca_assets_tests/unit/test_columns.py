"""One column contract: each column is described once, on its Pandera model; the docs' column reference and the
column schema every materialization reports are generated from it."""

from pathlib import Path

import duckdb
import pandas as pd

from ca_assets.cli.columns import column_reference
from ca_assets.core.checks import MODELS
from ca_assets.core.metadata import table_metadata
from ca_assets.definitions import defs
from ca_assets.defs.release.assets import FILES

ROOT = Path(__file__).resolve().parents[2]


def test_every_column_of_every_model_is_described():
    defs()  # defining the checks registers the models
    models = set(MODELS.values()) | {model for model, _ in FILES.values()}
    missing = sorted(
        f"{model.__name__}.{name}"
        for model in models
        for name, column in model.to_schema().columns.items()
        if not (column.description or "").strip()
    )
    assert not missing, missing


def test_the_column_reference_is_generated_from_the_models():
    written = (ROOT / "docs" / "columns.md").read_text(encoding="utf-8")
    assert written == column_reference(), "docs/columns.md is stale: run `make docs`"


def test_materialization_metadata_carries_the_models_descriptions():
    defs()
    con = duckdb.connect()
    con.from_df(pd.DataFrame({"prompt_id": ["p" * 16], "unmodelled": [1]})).create("prompts")
    columns = {c.name: c for c in table_metadata(con, "main.prompts")["dagster/column_schema"].columns}
    assert columns["prompt_id"].description == MODELS[("main", "prompts")].to_schema().columns["prompt_id"].description
    assert columns["prompt_id"].description and columns["unmodelled"].description is None
    # A view of main over the turns takes its sources' descriptions.
    con.from_df(pd.DataFrame({"candidate_id": ["c" * 16]})).create("candidates")
    (column,) = table_metadata(con, "main.candidates")["dagster/column_schema"].columns
    assert column.description == MODELS[("turn_1", "candidates")].to_schema().columns["candidate_id"].description
