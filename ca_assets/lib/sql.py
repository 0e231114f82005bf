"""Load SQL from the project's sql/ folder. Values are always bound as parameters, never formatted in."""

from functools import cache

from ca_assets.lib.paths import SQL_DIR, project_file


@cache
def load_sql(name: str) -> str:
    """The text of sql/<name>.sql (name may contain a sub-folder, e.g. 'checks/candidates_four_per_set')."""
    return project_file(SQL_DIR, f"{name}.sql").read_text(encoding="utf-8")
