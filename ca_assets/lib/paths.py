"""Where things live: the project's sql/ and prompts/ folders, and the run-time data directory."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# sql/ and prompts/ sit beside the package (the project is installed editable), so they are
# resolved from the package location, never from the current working directory.
PROJECT_ROOT = Path(__file__).resolve().parents[2]
SQL_DIR = PROJECT_ROOT / "sql"
PROMPTS_DIR = PROJECT_ROOT / "prompts"

DATA_DIR_ENV = "CA_DATA_DIR"


def default_data_dir() -> str:
    """The data directory: $CA_DATA_DIR, else ./data. Everything written at run time goes under it."""
    return str(Path(os.environ.get(DATA_DIR_ENV, "data")).resolve())


def project_file(folder: Path, relative: str) -> Path:
    """A file under sql/ or prompts/, with an error that says where it was looked for."""
    path = folder / relative
    if not path.is_file():
        raise FileNotFoundError(
            f"{relative!r} not found under {folder}. ca_assets reads sql/ and prompts/ from the project "
            "folder: install it editable (`pip install -e .`, which `make` does)."
        )
    return path


@contextmanager
def written_beside(path: Path) -> Iterator[Path]:
    """A temporary name beside `path` to write to; renamed over `path` once the block succeeds, so a reader of
    an export or release file never sees half of one (a failed write leaves the old file in place)."""
    tmp = path.with_name(path.name + ".tmp")
    yield tmp
    os.replace(tmp, path)
