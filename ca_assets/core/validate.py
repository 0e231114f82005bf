"""Validate a DuckDB relation (a table, a view, a Parquet file) against its Pandera model inside DuckDB.

The model stays the one contract (docs/architecture.md); what changes is where it runs. Its column rules (type,
nulls, uniqueness, allowed values, lengths, bounds, strictness, unique column sets) become SQL: one aggregate scan
counts every rule's failures, and only a failing rule's examples are fetched. The model's own Python checks
(`@pa.check`, `@pa.dataframe_check`) are row-wise; they see the rows in chunks of about CHUNK_ROWS, never the
whole table at once, so a blocking check costs what a scan costs whatever the table's size."""

from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd
import pandera.pandas as pa

CHUNK_VECTORS = 25  # DuckDB hands pandas chunks of 2,048-row vectors: about 51k rows at a time
EXAMPLES = 3  # offending values shown per failing rule
CHECKED = "__validated"  # the name the SQL gives the relation checked (a CTE: read-only connections allow no views)

# Pandera dtype -> the DuckDB types whose pandas conversion has that dtype (None: any type, e.g. lists and structs)
DUCKDB_TYPES: dict[str, tuple[str, ...] | None] = {
    "str": ("VARCHAR", "JSON"),
    "int64": ("BIGINT",),
    "Int64": ("BIGINT",),
    "float64": ("DOUBLE", "DECIMAL"),
    "bool": ("BOOLEAN",),
    "boolean": ("BOOLEAN",),
    "object": None,
}
SQL_CHECKS = {"isin", "notin", "str_length", "greater_than", "greater_than_or_equal_to", "less_than",
              "less_than_or_equal_to", "in_range", "equal_to", "not_equal_to"}  # fmt: skip


@dataclass
class Failure:
    column: str
    check: str
    count: int
    examples: str = ""


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _rule(check: pa.Check, column: str, param: str) -> tuple[str, dict[str, Any]]:
    """(SQL condition true for an offending value, its parameters) of a built-in Pandera check."""
    c, s = _ident(column), check.statistics
    match check.name:
        case "isin":
            return f"not list_contains(${param}, {c})", {param: list(s["allowed_values"])}
        case "notin":
            return f"list_contains(${param}, {c})", {param: list(s["forbidden_values"])}
        case "str_length":
            if s.get("exact_value") is not None:
                return f"length({c}) <> ${param}", {param: s["exact_value"]}
            parts, values = [], {}
            if s.get("min_value") is not None:
                parts.append(f"length({c}) < ${param}_min")
                values[f"{param}_min"] = s["min_value"]
            if s.get("max_value") is not None:
                parts.append(f"length({c}) > ${param}_max")
                values[f"{param}_max"] = s["max_value"]
            return "(" + " or ".join(parts) + ")", values
        case "greater_than":
            return f"{c} <= ${param}", {param: s["min_value"]}
        case "greater_than_or_equal_to":
            return f"{c} < ${param}", {param: s["min_value"]}
        case "less_than":
            return f"{c} >= ${param}", {param: s["max_value"]}
        case "less_than_or_equal_to":
            return f"{c} > ${param}", {param: s["max_value"]}
        case "in_range":
            low = "<" if s.get("include_min", True) else "<="
            high = ">" if s.get("include_max", True) else ">="
            return f"({c} {low} ${param}_min or {c} {high} ${param}_max)", {
                f"{param}_min": s["min_value"], f"{param}_max": s["max_value"]}  # fmt: skip
        case "equal_to":
            return f"{c} <> ${param}", {param: s["value"]}
        case "not_equal_to":
            return f"{c} = ${param}", {param: s["value"]}
    raise ValueError(f"no SQL for check {check.name}")


def _type_ok(dtype: str, duckdb_type: str) -> bool:
    if dtype not in DUCKDB_TYPES:  # a model's new dtype needs its DuckDB types here, not a check that passes anything
        raise ValueError(f"no DuckDB type known for the Pandera dtype {dtype!r}: add it to DUCKDB_TYPES")
    allowed = DUCKDB_TYPES[dtype]
    return allowed is None or any(duckdb_type == t or duckdb_type.startswith(t + "(") for t in allowed)


def table_source(table: str) -> tuple[str, dict[str, Any]]:
    """The source of a table `schema.table` (names from the project's code, quoted as identifiers)."""
    return ".".join(_ident(part) for part in table.split(".")), {}


def parquet_source(path: str) -> tuple[str, dict[str, Any]]:
    """The source of a Parquet file, its path bound as a parameter."""
    return "read_parquet($__path)", {"__path": path}


def validate_relation(con: duckdb.DuckDBPyConnection, source: tuple[str, dict[str, Any]], model) -> tuple[int, list[Failure]]:
    """(rows, failures) of `source` (from `table_source` or `parquet_source`) against `model`: every rule's
    failures, as Pandera's lazy validation reports them (nulls never fail a value rule; NaN counts as null, as in
    pandas)."""
    schema = model.to_schema()
    source_sql, params = source
    head = f"with {CHECKED} as (select * from {source_sql}) "
    # The SQL below is composed of the model's column names (quoted identifiers) and the rules' operators; every
    # value (allowed values, bounds, the file's path) is a bound parameter.
    describe = f"describe select * from {source_sql}"
    described = con.execute(describe, params).fetchall()
    types = {row[0]: str(row[1]) for row in described}
    failures = [Failure(name, "column_in_schema", 1) for name in types if name not in schema.columns]
    failures += [Failure(name, "column_in_dataframe", 1) for name in schema.columns if name not in types]
    conditions: list[tuple[str, str, str, dict]] = []  # (column, rule, SQL condition of an offending row, its params)
    custom: dict[str, list[pa.Check]] = {}
    for name, column in schema.columns.items():
        if name not in types:
            continue
        dtype = str(column.dtype)
        if not _type_ok(dtype, types[name]):
            failures.append(Failure(name, f"dtype('{dtype}')", 1, f"DuckDB type {types[name]}"))
            continue
        c = _ident(name)
        null = f"({c} is null or isnan({c}))" if types[name] == "DOUBLE" else f"{c} is null"
        if not column.nullable:
            conditions.append((name, "not_nullable", null, {}))
        for check in column.checks:
            if check.name in SQL_CHECKS:
                condition, values = _rule(check, name, f"p{len(conditions)}")
                conditions.append((name, check.name, f"(not {null} and {condition})", values))
            else:
                custom.setdefault(name, []).append(check)
        if column.unique:
            duplicated = f"{c} in (select {c} from {CHECKED} group by all having count(*) > 1)"
            conditions.append((name, "field_uniqueness", duplicated, {}))
    counted = f"{head}select count(*) from {CHECKED}"
    (rows,) = con.execute(counted, params).fetchone()
    if conditions:
        counts = ", ".join(f"count(*) filter (where {condition})" for _, _, condition, _ in conditions)
        every = {k: v for *_, values in conditions for k, v in values.items()}
        scan = f"{head}select {counts} from {CHECKED}"
        found = con.execute(scan, {**params, **every}).fetchone()
        for (name, rule, condition, values), count in zip(conditions, found, strict=True):
            if count:
                example = f"{head}select distinct {_ident(name)}::varchar from {CHECKED} where {condition} limit {EXAMPLES}"
                shown = con.execute(example, {**params, **values})
                failures.append(Failure(name, rule, count, ", ".join(repr(v) for (v,) in shown.fetchall())))
    for columns in _unique_sets(schema):
        keys = ", ".join(_ident(c) for c in columns)
        grouped = f"{head}select coalesce(sum(n), 0) from (select count(*) as n from {CHECKED} group by {keys} having n > 1)"
        (count,) = con.execute(grouped, params).fetchone()
        if count:
            failures.append(Failure(", ".join(columns), "multiple_fields_uniqueness", int(count)))
    if not any(f.check.startswith(("column_in", "dtype")) for f in failures):
        failures += _python_checks(con, f"{head}select * from {CHECKED}", params, schema, custom)
    return int(rows), failures


def _unique_sets(schema) -> list[list[str]]:
    unique = schema.unique
    if not unique:
        return []
    return [list(unique)] if isinstance(unique[0], str) else [list(u) for u in unique]


def _python_checks(con: duckdb.DuckDBPyConnection, query: str, params: dict, schema, custom: dict[str, list[pa.Check]]) -> list[Failure]:
    """The model's own Python checks, over the rows in chunks (what a row-wise check needs, and no more)."""
    if not custom and not schema.checks:
        return []
    partial = pa.DataFrameSchema(
        columns={name: pa.Column(checks=checks, nullable=schema.columns[name].nullable) for name, checks in custom.items()},
        checks=schema.checks,
    )
    counts: dict[tuple[str, str], int] = {}
    examples: dict[tuple[str, str], str] = {}
    result = con.execute(query, params)
    while len(chunk := result.fetch_df_chunk(CHUNK_VECTORS)):
        try:
            partial.validate(chunk, lazy=True)
        except pa.errors.SchemaErrors as errors:
            cases: pd.DataFrame = errors.failure_cases
            for (column, check), group in cases.groupby(["column", "check"], dropna=False):
                key = (str(column), str(check))
                counts[key] = counts.get(key, 0) + len(group)
                examples.setdefault(key, ", ".join(repr(v) for v in group["failure_case"].head(EXAMPLES)))
    return [Failure(column, check, count, examples[(column, check)]) for (column, check), count in counts.items()]
