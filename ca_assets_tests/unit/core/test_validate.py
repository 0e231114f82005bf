"""The DuckDB validator against Pandera's own: every rule kind the project's models use, on rows that break
each, must fail the same (column, rule) pairs and pass what Pandera passes."""

import duckdb
import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest
from pandera.typing import Series

from ca_assets.core.checks import validate_frame
from ca_assets.core.schema import Model
from ca_assets.core.validate import parquet_source, table_source, validate_relation


class Every(Model):
    key: Series[str] = pa.Field(unique=True, str_length={"min_value": 2, "max_value": 4})
    kind: Series[str] = pa.Field(isin=["a", "b"], nullable=True)
    fixed: Series[str] = pa.Field(str_length=3, notin=["bad"])
    count: Series[int] = pa.Field(ge=0, le=10, gt=-5, lt=11)
    share: Series[float] = pa.Field(in_range={"min_value": 0, "max_value": 1, "include_max": False}, nullable=True)
    weight: Series[float] = pa.Field(ge=0)
    exact: Series[int] = pa.Field(eq=1)
    other: Series[int] = pa.Field(ne=0)
    flag: Series[bool]
    tags: Series[object]

    class Config:
        unique = ["kind", "count"]

    @pa.check("tags")
    def known_tags(cls, tags: Series) -> Series[bool]:
        return tags.map(lambda t: set(t) <= {"x", "y"})

    @pa.dataframe_check
    def count_matches_tags(cls, frame) -> Series[bool]:
        return frame["count"] >= frame["tags"].map(len)


GOOD = {
    "key": "k1", "kind": "a", "fixed": "abc", "count": 2, "share": 0.5, "weight": 1.0, "exact": 1, "other": 3, "flag": True, "tags": ["x"],
}
BREAKS = {  # one broken row per rule, beside a good one
    "str_length": {"key": "k"},
    "field_uniqueness": {"key": "k0"},
    "isin": {"kind": "z"},
    "notin": {"fixed": "bad"},
    "exact_length": {"fixed": "abcd"},
    "ge": {"count": -1},
    "le": {"count": 10.0 + 1},
    "in_range": {"share": 1.0},
    "nan_is_null": {"weight": float("nan")},
    "nullable_nan_passes_values": {"share": float("nan"), "exact": 2},
    "eq": {"exact": 2},
    "ne": {"other": 0},
    "not_nullable": {"key": None},
    "multiple_fields_uniqueness": {"kind": "b", "count": 2},
    "column_check": {"tags": ["q"]},
    "dataframe_check": {"count": 0, "tags": ["x", "y"]},
}


def _frame(change: dict) -> pd.DataFrame:
    first = {**GOOD, "key": "k0", "kind": "b", "count": 2}
    frame = pd.DataFrame([first, {**GOOD, **change}])
    return frame.astype({"count": "int64", "exact": "int64", "other": "int64"}) if frame["count"].notna().all() else frame


def _pandera(frame: pd.DataFrame) -> set[tuple[str, str]]:
    try:
        Every.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        return {(str(c), str(k).split("(")[0]) for c, k in zip(cases["column"], cases["check"], strict=True)}
    return set()


def _duckdb(frame: pd.DataFrame) -> set[tuple[str, str]]:
    con = duckdb.connect()
    con.register("frame", frame)
    _, failures = validate_relation(con, table_source("frame"), Every)
    return {(f.column, f.check.split("(")[0]) for f in failures}


def _names(found: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Pandera names a rule by its check's name; dataframe checks by the model. Compare the columns and rules."""
    aliases = {"Every": "count_matches_tags"}
    return {(aliases.get(c, c), check) for column, check in found for c in column.split(", ")}


@pytest.mark.parametrize("case", sorted(BREAKS))
def test_each_broken_rule_fails_as_pandera_says(case):
    frame = _frame(BREAKS[case])
    expected = _names(_pandera(frame))
    assert expected, f"{case}: the fixture does not break Pandera"
    assert _names(_duckdb(frame)) == expected


def test_good_rows_pass_both():
    frame = _frame({})
    assert _pandera(frame) == set() == _duckdb(frame)


def test_strictness_and_types_fail_before_values():
    frame = _frame({}).assign(extra=1).astype({"count": "int32"})
    con = duckdb.connect()
    con.from_df(frame).create("t")
    _, failures = validate_relation(con, table_source("main.t"), Every)
    assert {(f.column, f.check) for f in failures} == {("extra", "column_in_schema"), ("count", "dtype('int64')")}


def test_a_parquet_file_is_checked_in_place_and_chunks_see_every_row(tmp_path, monkeypatch):
    monkeypatch.setattr("ca_assets.core.validate.CHUNK_VECTORS", 1)  # 2,048 rows per chunk
    rows = 5000
    frame = pd.DataFrame({**{k: [v] * rows for k, v in GOOD.items()}, "key": [f"k{i % 999:03d}"[:4] for i in range(rows)]})
    frame["count"] = np.arange(rows) % 11
    frame.loc[4999, "tags"] = ["q"]  # in the last chunk
    path = tmp_path / "every.parquet"
    frame.to_parquet(path)
    con = duckdb.connect()
    total, failures = validate_relation(con, parquet_source(str(path)), Every)
    found = {(f.column, f.check): f.count for f in failures}
    assert total == rows
    assert found[("tags", "known_tags")] == 1
    assert found[("key", "field_uniqueness")] == rows


def test_validate_frame_reports_counts_and_examples():
    result = validate_frame(_frame(BREAKS["isin"]), Every)
    assert not result.passed and result.metadata["failure_count"].value == 1
    assert "'z'" in result.metadata["failure_cases"].value
