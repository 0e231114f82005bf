"""Files published by rename (exports, release files, the snapshot): each write has its own temporary name, a
write that fails or is killed leaves the old file whole, and what a killed process left is removed by the next
write of the same file, while a live process's temporary file is left alone."""

import signal
import subprocess
import sys

import pytest

from ca_assets.core.paths import remove_leftovers, temp_beside, written_beside

KILLED_WRITER = """
import os, sys
from pathlib import Path
from ca_assets.core.paths import written_beside
with written_beside(Path(sys.argv[1])) as tmp:
    tmp.write_text("half of the new")
    os.kill(os.getpid(), 9)
"""


def test_names_are_unique_and_a_failed_write_leaves_the_old_file(tmp_path):
    path = tmp_path / "tasks.csv"
    path.write_text("old")
    assert temp_beside(path) != temp_beside(path)
    with pytest.raises(RuntimeError), written_beside(path) as tmp:
        tmp.write_text("half")
        raise RuntimeError("the writer failed")
    assert path.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["tasks.csv"]


def test_a_killed_writers_leftover_goes_and_a_live_writers_stays(tmp_path):
    path = tmp_path / "comparisons.parquet"
    path.write_text("old")
    killed = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(path)], timeout=60)
    assert killed.returncode == -signal.SIGKILL
    [leftover] = [p for p in tmp_path.iterdir() if p != path]
    assert path.read_text() == "old" and leftover.read_text() == "half of the new"
    live = temp_beside(path)  # this process: still running
    live.write_text("in progress")
    with written_beside(path) as tmp:
        tmp.write_text("new")
    assert path.read_text() == "new" and not leftover.exists() and live.exists()
    assert remove_leftovers(path) == []  # the live one is not judged a leftover
