"""A process killed with SIGKILL while it writes the release files or the snapshot leaves what readers open as it
was: `releases/current` the old release, whole, and `snapshot/ca.duckdb` the old snapshot; the next run publishes
the new ones whole and removes what the killed one left. Both start from a copy of the session's graph launch."""

import hashlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb as duckdb_module
import pyarrow.parquet as pq
import pytest

from ca_assets.core.duckdb import DuckDB
from ca_assets.defs.analysis.snapshot import row_counts, snapshot, snapshot_matches_schema
from ca_assets.defs.release import assets as releases
from ca_assets.defs.release.files import RELEASE_ID_KEY_ENV, ReleaseSettings

pytestmark = pytest.mark.slow

RELEASE_ASSETS = [*releases.release_files, releases.community_alignment, releases.dataset_card_file, releases.current]
RELEASE_CHECKS = [
    *releases.release_file_checks, releases.community_alignment_matches_schema, releases.dataset_card_matches_schema,
    releases.current_matches_schema,
]
# The release written under another id key (every annotator and conversation id changes), killed as it starts
# its third Parquet file: two new files are written by then.
KILLED_RELEASE = """
import os, sys
import dagster as dg
from ca_assets.core.duckdb import DuckDB
from ca_assets.defs.release import assets as releases
from ca_assets.defs.release.files import ReleaseSettings
from ca_assets_tests.reliability.test_kill_while_publishing import RELEASE_ASSETS, RELEASE_CHECKS

calls, real = [], releases.write_parquet
def write_parquet(*args, **kwargs):
    calls.append(1)
    if len(calls) == 3:
        os.kill(os.getpid(), 9)
    return real(*args, **kwargs)
releases.write_parquet = write_parquet
dg.materialize([*RELEASE_ASSETS, *RELEASE_CHECKS], resources={"duckdb": DuckDB(data_dir=sys.argv[1]), "release": ReleaseSettings()})
"""
# The snapshot, killed as soon as its copy has bytes on disk.
KILLED_SNAPSHOT = """
import os, sys, threading, time
from pathlib import Path
import dagster as dg
from ca_assets.core.duckdb import DuckDB
from ca_assets.defs.analysis.snapshot import snapshot

folder = Path(sys.argv[1]) / "snapshot"
def kill_once_copying():
    while not any(p.stat().st_size > 0 for p in folder.glob(".ca.duckdb.*.tmp")):
        time.sleep(0.002)
    os.kill(os.getpid(), 9)
threading.Thread(target=kill_once_copying, daemon=True).start()
dg.materialize([snapshot], resources={"duckdb": DuckDB(data_dir=sys.argv[1])})
"""


@pytest.fixture
def data(launched, tmp_path) -> DuckDB:
    shutil.copytree(launched.data, tmp_path / "data", symlinks=True, ignore=shutil.ignore_patterns("dagster"))
    return DuckDB(data_dir=str(tmp_path / "data"))


def _killed(script: str, data: DuckDB, **env: str) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), **env}
    killed = subprocess.run([sys.executable, "-c", script, str(data.root)], env=env, capture_output=True, timeout=300)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]


def _published(data: DuckDB) -> tuple[str, dict[str, str]]:
    current = data.subdir("releases") / "current"
    files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in current.iterdir() if not p.name.startswith(".")}
    return os.readlink(current), files


def _ids(folder: Path, name: str, column: str) -> set[str]:
    return set(pq.read_table(folder / f"{name}.parquet", columns=[column]).column(column).to_pylist())


def test_a_kill_while_release_files_are_written_leaves_the_old_release_published(data, monkeypatch):
    before = _published(data)
    _killed(KILLED_RELEASE, data, **{RELEASE_ID_KEY_ENV: "another key"})
    assert _published(data) == before  # not two new files beside five old ones

    monkeypatch.setenv(RELEASE_ID_KEY_ENV, "another key")
    result = dg.materialize(
        [*RELEASE_ASSETS, *RELEASE_CHECKS], resources={"duckdb": data, "release": ReleaseSettings()},
    )  # fmt: skip
    assert result.success and all(e.passed for e in result.get_asset_check_evaluations())
    link, files = _published(data)
    assert link != before[0] and set(files) == set(before[1])
    assert files["comparisons.parquet"] != before[1]["comparisons.parquet"]
    current = data.subdir("releases") / "current"  # one release: every file's ids under the new key
    assert _ids(current, "comparisons", "annotator_id") <= _ids(current, "annotators", "annotator_id")
    versions = list((data.subdir("releases") / "versions").iterdir())
    assert sum((p / ".published").exists() for p in versions) == 2  # this release and the one before it


def test_a_kill_while_the_snapshot_is_copied_leaves_the_old_snapshot(data):
    path = data.subdir("snapshot") / "ca.duckdb"
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    _killed(KILLED_SNAPSHOT, data)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    with duckdb_module.connect(str(path), read_only=True) as con:
        assert row_counts(con)  # opens, whole
    assert list(path.parent.glob(".ca.duckdb.*.tmp*"))  # the killed copy, left behind

    result = dg.materialize([snapshot, snapshot_matches_schema], resources={"duckdb": data})
    assert result.success and all(e.passed for e in result.get_asset_check_evaluations())
    assert not list(path.parent.glob(".ca.duckdb.*.tmp*"))
