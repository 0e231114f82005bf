"""Where things live: the files the package ships (sql/, prompts/, the demo config, the instance settings) and the
run-time data directory."""

import glob
import os
import socket
import uuid
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


# What a launch may change. The UI has no login, and its Launchpad takes run config for every resource setting;
# `ca-assets ui` runs with CA_LOCKDOWN=1 (inherited by the runs it launches), and then a setting that reaches the
# file system stays where the deployment put it: the data directory is $CA_DATA_DIR, and a model path lies under
# the bundled model or a folder of $CA_MODEL_DIRS. (Where requests and keys may go: models/destinations.py.)
LOCKDOWN_ENV = "CA_LOCKDOWN"
MODEL_DIRS_ENV = "CA_MODEL_DIRS"


def locked_down() -> bool:
    return os.environ.get(LOCKDOWN_ENV, "").strip().lower() not in ("", "0", "false", "no")


def check_data_dir(data_dir: str) -> None:
    """Under lockdown, the data directory is the deployment's, whatever a launch's config says."""
    if locked_down() and Path(data_dir).resolve() != Path(default_data_dir()):
        raise ValueError(
            f"duckdb.data_dir is {data_dir!r}, but this deployment runs locked down ({LOCKDOWN_ENV}) and its data "
            f"directory is {default_data_dir()} ({DATA_DIR_ENV}): a launch cannot move it"
        )


def check_model_path(setting: str, path: str) -> None:
    """Under lockdown, a model path given at launch must lie under a folder of $CA_MODEL_DIRS (empty: bundled)."""
    if not locked_down() or not path:
        return
    roots = [Path(p).resolve() for p in os.environ.get(MODEL_DIRS_ENV, "").split(os.pathsep) if p]
    resolved = Path(path).resolve()  # symlinks and `..` resolved first: a link out of a model folder is outside
    if not any(resolved.is_relative_to(root) for root in roots):
        raise ValueError(
            f"{setting} is {path!r}, outside the model folders this deployment allows ({MODEL_DIRS_ENV}: "
            f"{[str(r) for r in roots] or 'none'}; it runs locked down, {LOCKDOWN_ENV})"
        )


def project_file(folder, relative: str):
    """A file under the packaged sql/ or prompts/, with an error that says where it was looked for."""
    path = folder.joinpath(*relative.split("/"))
    if not path.is_file():
        raise FileNotFoundError(
            f"{relative!r} not found under {folder}: the package's sql/ and prompts/ folders are incomplete "
            "(a checkout without the ca_assets/sql and ca_assets/prompts symlinks, or a wheel built without them)"
        )
    return path


def temp_beside(path: Path) -> Path:
    """A temporary name beside `path`, unique to this host, process and call: two runs writing the same file never
    share one, and a killed run's leftovers can be told from a live run's (`remove_leftovers`)."""
    return path.with_name(f".{path.name}.{_HOST}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")


def remove_leftovers(path: Path) -> list[Path]:
    """Delete the temporary files beside `path` (and their DuckDB .wal) that processes of this host no longer
    running left behind (a killed run); other hosts' are theirs to judge. Returns what was removed."""
    removed = []
    for leftover in path.parent.glob(f".{glob.escape(path.name)}.*.tmp*"):
        if dead_leftover(leftover, path.name):
            leftover.unlink(missing_ok=True)
            removed.append(leftover)
    return removed


def dead_leftover(leftover: Path, name: str) -> bool:
    """Whether `leftover` is a temporary name for `name` (temp_beside) of a process of this host that no longer runs."""
    host, _, rest = leftover.name[len(name) + 2 :].partition(".")
    pid = rest.split(".", 1)[0]
    return host == _HOST and pid.isdigit() and not pid_alive(int(pid))


def fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def publish(tmp: Path, path: Path) -> None:
    """Rename a finished temporary file over `path`, its bytes and the rename both on disk first: after a crash
    the name holds the old file or the new one, whole."""
    fsync_file(tmp)
    os.replace(tmp, path)
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    """Put a folder's entries (a rename into it) on disk."""
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


@contextmanager
def written_beside(path: Path) -> Iterator[Path]:
    """A temporary name beside `path` to write to; published over `path` once the block succeeds, so a reader of
    an export or release file never sees half of one (a failed write leaves the old file in place and no
    temporary file; a killed one's is removed by the next write of the same file)."""
    remove_leftovers(path)
    tmp = temp_beside(path)
    try:
        yield tmp
        publish(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def pid_alive(pid: int) -> bool:
    """Whether a process of this host with this id exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


HOST = socket.gethostname() or "host"
HOST_TAG = "ca_assets/host"  # the run tag naming the host a run executes on
_HOST = HOST.replace(".", "_")  # in temporary names, where dots would split the fields
