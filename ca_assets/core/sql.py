"""Load SQL from the project's sql/ folder. Values are always bound as parameters, never formatted in.

sql/ mirrors the stages: sql/<stage>/<table>.sql is the recipe of a table the stage writes, sql/<stage>/queries/
what its code reads, sql/<stage>/checks/ its audits; sql/core, sql/models and sql/formats serve the shared code."""

from functools import cache

from ca_assets.core.paths import SQL_DIR, project_file


@cache
def load_sql(*parts: str) -> str:
    """The text of sql/<parts...>.sql, e.g. load_sql("comparisons", "comparisons") or
    load_sql("generation", "checks", "generation_reconciles")."""
    return project_file(SQL_DIR, "/".join(parts) + ".sql").read_text(encoding="utf-8")
