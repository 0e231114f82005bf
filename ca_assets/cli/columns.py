"""Write docs/columns.md, the column reference, from the Pandera models (the one place a column is described):
`python -m ca_assets.cli.columns docs/columns.md` (`make docs`). A test holds the file equal to what this writes."""

import sys
from pathlib import Path

from ca_assets.core.checks import MODELS
from ca_assets.definitions import defs
from ca_assets.defs import STAGES

HEADER = """# Columns

Every column of every table and release file, with its type and meaning. Generated from the Pandera models
(`ca_assets/defs/<stage>/schemas.py`) by `make docs`; do not edit by hand. The grain of each table, and how
the schemas `turn_1` … `turn_4`, `human`, `release` and main's views relate, are in [tables.md](tables.md).
"""


def _rows(model) -> list[str]:
    columns = model.to_schema().columns
    lines = ["| column | type | description |", "| --- | --- | --- |"]
    for name, column in columns.items():
        nullable = ", nullable" if column.nullable else ""
        description = (column.description or "").replace("|", "\\|")
        lines.append(f"| `{name}` | {column.dtype}{nullable} | {description} |")
    return lines


def column_reference() -> str:
    """The markdown of docs/columns.md: one section per table (grouped by stage, in graph order) and release file."""
    from ca_assets.defs.release.assets import FILES

    graph = defs().get_repository_def().asset_graph
    tables: dict[tuple[str, type], list[str]] = {}  # (table, model) -> schemas: one section for identical tables
    stage_of: dict[tuple[str, type], str] = {}
    for key in graph.toposorted_asset_keys:
        where, name = key.path
        model = MODELS.get((where, name))
        if model is not None:
            tables.setdefault((name, model), []).append(where)
            if where != "human" or (name, model) not in stage_of:  # a turn's stage, not the inbox's copy
                stage_of[(name, model)] = graph.get(key).group_name
    sections: dict[str, list[str]] = {stage: [] for stage in STAGES}
    for (name, model), schemas in tables.items():
        title = f"`{schemas[0]}.{name}`" if len(schemas) == 1 else f"`{name}` in " + ", ".join(f"`{s}`" for s in sorted(schemas))
        sections[stage_of[(name, model)]].extend(["", f"### {title}", "", f"Model `{model.__name__}`.", "", *_rows(model)])
    files = []
    for name, (model, _) in FILES.items():
        files.extend(["", f"### `{name}.parquet`", "", f"Model `{model.__name__}`.", "", *_rows(model)])
    parts = [HEADER]
    for stage, lines in sections.items():
        if lines:
            parts.append(f"\n## {stage}\n" + "\n".join(lines) + "\n")
    parts.append("\n## release files (`<data>/releases/current/`)\n" + "\n".join(files) + "\n")
    return "".join(parts)


def main() -> None:
    Path(sys.argv[1]).write_text(column_reference(), encoding="utf-8")


if __name__ == "__main__":
    main()
