"""Release versions: a run's folder starts as links to the published release, publishing switches `current` in
one rename, and old or abandoned versions are removed while the one before the new release stays."""

import os
import time

from ca_assets.core.paths import temp_beside
from ca_assets.defs.release.versions import STALE_STAGING_HOURS, current_dir, publish_version, staging_dir


def never(run_id: str) -> bool:
    return False


def test_a_run_starts_from_the_published_files_and_never_changes_them(tmp_path):
    first = staging_dir(tmp_path, "run-1")
    (first / "a.parquet").write_text("a1")
    (first / "b.parquet").write_text("b1")
    publish_version(tmp_path, "run-1", never)
    second = staging_dir(tmp_path, "run-2")
    assert {p.name for p in second.iterdir()} == {"a.parquet", "b.parquet"}  # links, not .published
    (second / "a.tmp").write_text("a2")
    os.replace(second / "a.tmp", second / "a.parquet")  # how every release file is written
    assert (current_dir(tmp_path) / "a.parquet").read_text() == "a1"  # readers still see the old release
    publish_version(tmp_path, "run-2", never)
    assert os.readlink(current_dir(tmp_path)) == os.path.join("versions", "run-2")
    assert [(current_dir(tmp_path) / n).read_text() for n in ("a.parquet", "b.parquet")] == ["a2", "b1"]
    assert staging_dir(tmp_path, "run-2") == second  # made once per run


def test_old_and_abandoned_versions_are_removed(tmp_path):
    for run in ("run-1", "run-2"):
        staging_dir(tmp_path, run)
        publish_version(tmp_path, run, never)
    failed, live, old = (staging_dir(tmp_path, run) for run in ("failed", "live", "old"))
    past = time.time() - (STALE_STAGING_HOURS + 1) * 3600
    os.utime(old, (past, past))
    dead = temp_beside(tmp_path / "versions" / "dead")
    dead.with_name(dead.name.replace(f".{os.getpid()}.", ".999999999.")).mkdir()  # a process that no longer runs
    staging_dir(tmp_path, "run-3")
    _, removed = publish_version(tmp_path, "run-3", lambda run_id: run_id == "failed")
    left = {p.name for p in (tmp_path / "versions").iterdir()}
    assert left == {"run-2", "run-3", "live"}, removed
