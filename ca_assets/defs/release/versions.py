"""Release versions: readers see one whole, checked release or the one before it, never a mix.

A run writes its release files into a version folder of its own, `<data>/releases/versions/<run id>/`, made on the
run's first release write from hard links of the published release's files (so a run that rewrites some files
still publishes a whole release). Each file's blocking check reads it there. The `files/current` asset, which
runs after every file and the card, then switches `<data>/releases/current`, a relative symlink, to that folder
with one rename: a kill before the switch leaves the old release published; after it, the new one.
"""

import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from ca_assets.core.paths import dead_leftover, fsync_dir, remove_leftovers, temp_beside

VERSIONS = "versions"
CURRENT = "current"
KEEP_PUBLISHED = 2  # the new release and the one before it, for readers who opened it just before the switch
STALE_STAGING_HOURS = 24  # an unpublished version folder older than this is a dead run's


def current_dir(releases: Path) -> Path:
    """What readers open: `<data>/releases/current` (it does not exist before the first release)."""
    return releases / CURRENT


def staging_dir(releases: Path, run_id: str) -> Path:
    """The run's version folder, made once (atomically: concurrent steps of one run agree on it) from hard links
    of the published release's files. A file is then replaced by rename, never written in place, so the links
    never change the published files."""
    folder = releases / VERSIONS / run_id
    if folder.is_dir():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_beside(folder)
    tmp.mkdir()
    published = current_dir(releases)
    if published.is_dir():
        for path in published.iterdir():
            if path.is_file() and not path.name.startswith("."):
                os.link(path, tmp / path.name)
    try:
        os.rename(tmp, folder)
    except OSError:  # another step of the run made it first
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


def publish_version(releases: Path, run_id: str, finished: Callable[[str], bool]) -> tuple[Path, list[str]]:
    """Point `current` at the run's version folder in one rename (synced to disk), then remove older versions
    (`finished(run_id)`: whether that run has ended). Returns the published folder and the folders removed."""
    folder = releases / VERSIONS / run_id
    if not folder.is_dir():
        raise FileNotFoundError(f"no release version {folder}: this run wrote no release file")
    (folder / ".published").write_text(f"{time.time()}\n", encoding="utf-8")
    remove_leftovers(current_dir(releases))  # a link a killed publish left
    link = temp_beside(current_dir(releases))
    os.symlink(Path(VERSIONS) / run_id, link)
    os.replace(link, current_dir(releases))
    fsync_dir(releases)
    return folder, _prune(releases, folder, finished)


def _prune(releases: Path, keep: Path, finished: Callable[[str], bool]) -> list[str]:
    """Published versions beyond the last KEEP_PUBLISHED go, as do version folders left unpublished by a run that
    has ended (its release failed a check, or it was killed), by a process that died while making one, or older
    than STALE_STAGING_HOURS (a run this instance does not know)."""
    removed = []
    versions = [p for p in (releases / VERSIONS).iterdir() if p.is_dir() and p != keep]
    published = sorted((p for p in versions if (p / ".published").exists()), key=lambda p: (p / ".published").stat().st_mtime)
    for old in published[: max(0, len(published) - (KEEP_PUBLISHED - 1))]:
        shutil.rmtree(old, ignore_errors=True)
        removed.append(old.name)
    for folder in versions:
        if (folder / ".published").exists() or not folder.exists():
            continue
        # a temporary folder, .<run id>.<host>.<pid>.<random>.tmp (paths.temp_beside), of a process that died
        dead_tmp = folder.name.startswith(".") and dead_leftover(folder, folder.name.split(".")[1])
        stale = time.time() - folder.stat().st_mtime > STALE_STAGING_HOURS * 3600
        if dead_tmp or stale or (not folder.name.startswith(".") and finished(folder.name)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    return removed
