"""What bench/releases.py and bench/scale.py share: the human-file path from inbox/ to every release file as one
list of assets, a timed materialization of it (seconds per Dagster step), peak memory and the hardware line."""

import os
import platform
import re
import resource
import time
from pathlib import Path
from typing import NamedTuple

import dagster as dg

from ca_assets.core.duckdb import DuckDB
from ca_assets.core.partitions import range_tags
from ca_assets.defs.aggregates.assets import aggregates
from ca_assets.defs.annotation.assets import annotators
from ca_assets.defs.comparisons.assets import comparisons
from ca_assets.defs.inbox.assets import inbox
from ca_assets.defs.inbox.batches import INBOX, INBOX_BATCHES, add_batches
from ca_assets.defs.inbox.human import human_conversations
from ca_assets.defs.quality import assets as quality
from ca_assets.defs.quality.rules import QualityRules
from ca_assets.defs.release import assets as releases
from ca_assets.defs.release.files import ReleaseSettings
from ca_assets_tests.support.union_views import view_assets

# Every step of the path in run order, with the stage it belongs to (the rows of bench/scale.py's table).
STAGES = {
    "inbox": "ingest", "human_conversations": "ingest", "main__annotators": "ingest",
    "main__gold_items": "quality", "main__gold_answers": "quality", "main__annotator_quality": "quality",
    "main__quality_quarantine": "quality",
    "main__comparisons": "comparisons", "main__aggregates": "aggregates",
    "release__pii_findings": "PII scan", "release__exclusions": "release tables",
    "release__comparisons": "release tables",
    "files__trl_preferences": "release files", "files__comparisons": "release files",
    "files__candidate_sets": "release files", "files__aggregates": "release files",
    "files__annotators": "release files",
    "files__community_alignment": "CA CSV + card", "files__dataset_card": "CA CSV + card",
    "files__current": "CA CSV + card",
}  # fmt: skip


def path_assets() -> list:
    views = [v for v in view_assets if v.key.path[-1] in {"candidate_sets", "candidates", "annotations"}]
    return [
        inbox, human_conversations, annotators, *views, quality.gold_items, quality.gold_answers,
        quality.annotator_quality, quality.quality_quarantine, comparisons, aggregates, releases.pii_findings,
        releases.exclusions, releases.comparisons, *releases.release_files, releases.community_alignment,
        releases.dataset_card_file, releases.current,
    ]  # fmt: skip


class Timed(NamedTuple):
    total: float  # wall seconds of the whole materialization, Dagster's own overhead included
    seconds: dict[str, float]  # per step key, as Dagster measured it


def materialize_path(duckdb: DuckDB, instance: dg.DagsterInstance, release: ReleaseSettings | None = None) -> Timed:
    """Materialize the whole path in-process (one step after another) for the inbox batches that landed since
    the last call, and time it. `release`: the release resource (default: the project's defaults)."""
    before = set(instance.get_dynamic_partitions(INBOX_BATCHES.name))
    new = [key for key in add_batches(instance, duckdb.subdir(INBOX)) if key not in before]
    started = time.perf_counter()
    result = dg.materialize(
        path_assets(),
        resources={"duckdb": duckdb, "embedder": None, "judge_generator": None, "release": release or ReleaseSettings(),
                   "quality_rules": QualityRules(check_language=False)},  # fmt: skip
        run_config={"ops": {"main__annotators": {"config": {"per_country": 1}}}},
        instance=instance,
        tags=range_tags(new),
    )
    total = time.perf_counter() - started
    successes = [e for e in result.all_events if e.event_type_value == "STEP_SUCCESS"]
    return Timed(total, {e.step_key: e.event_specific_data.duration_ms / 1000 for e in successes})


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident memory of this process (or of its waited-for children) since it started, in MB."""
    return resource.getrusage(who).ru_maxrss / 1024


def reset_peak() -> bool:
    """Restart the kernel's high-water mark of this process's RSS (Linux: /proc/self/clear_refs), so
    `phase_peak_mb` measures one phase; False where that is not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def phase_peak_mb() -> float | None:
    """VmHWM: peak RSS since the last `reset_peak` (or since the start), in MB; None off Linux."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
    return int(found.group(1)) / 1024 if found else None


def hardware() -> str:
    """Platform, CPUs (usable by this process / on the machine), CPU model, RAM, Python."""
    model, ram = "?", "?"
    try:
        found = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
        model = found.group(1).strip() if found else model
        found = re.search(r"^MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.M)
        ram = f"{int(found.group(1)) / 1024**2:.1f} GB" if found else ram
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{platform.platform()}, {usable} of {os.cpu_count()} CPUs ({model}), RAM {ram}, "
        f"Python {platform.python_version()}"
    )
