"""Load SQL from the project's sql/ folder. Values are always bound as parameters, never formatted in."""

from functools import cache

from ca_assets.lib.paths import SQL_DIR, project_file


@cache
def load_sql(*parts: str) -> str:
    """The text of sql/<parts...>.sql, e.g. load_sql("comparisons") or load_sql("checks", "generation_reconciles")."""
    return project_file(SQL_DIR, "/".join(parts) + ".sql").read_text(encoding="utf-8")
