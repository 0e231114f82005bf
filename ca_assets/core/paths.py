"""Where things live: the files the package ships (sql/, prompts/, the demo config, the instance settings) and the
run-time data directory."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path

# sql/ and prompts/ sit at the top of the repository (SQL in files, prompts in files); the package reaches them
# through the symlinks ca_assets/sql and ca_assets/prompts, and a built wheel carries them as plain files. Either
# way they are read through importlib.resources, never from the working directory, so `pip install .` works.
PACKAGE = files("ca_assets")
SQL_DIR = PACKAGE / "sql"
PROMPTS_DIR = PACKAGE / "prompts"

DATA_DIR_ENV = "CA_DATA_DIR"


def default_data_dir() -> str:
    """The data directory: $CA_DATA_DIR, else ./data. Everything written at run time goes under it."""
    return str(Path(os.environ.get(DATA_DIR_ENV, "data")).resolve())


def project_file(folder, relative: str):
    """A file under the packaged sql/ or prompts/, with an error that says where it was looked for."""
    path = folder.joinpath(*relative.split("/"))
    if not path.is_file():
        raise FileNotFoundError(
            f"{relative!r} not found under {folder}: the package's sql/ and prompts/ folders are incomplete "
            "(a checkout without the ca_assets/sql and ca_assets/prompts symlinks, or a wheel built without them)"
        )
    return path


@contextmanager
def written_beside(path: Path) -> Iterator[Path]:
    """A temporary name beside `path` to write to; renamed over `path` once the block succeeds, so a reader of
    an export or release file never sees half of one (a failed write leaves the old file in place)."""
    tmp = path.with_name(path.name + ".tmp")
    yield tmp
    os.replace(tmp, path)
