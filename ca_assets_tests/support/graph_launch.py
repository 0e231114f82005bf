"""The whole asset graph launched through the real CLI (`dg launch`), as `make demo` runs it, on a fresh data
directory with its own Dagster instance: the e2e tests check it, and the stage tests that start from finished
conversations take copies of its data directory instead of running the protocol again."""

import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from ca_assets.core.duckdb import DuckDB
from ca_assets.models.language import ALL_LANGS_RANGE
from ca_assets_tests.support.conversation_run import SMALL_PROTOCOL

ROOT = Path(__file__).resolve().parents[2]
DG = Path(sys.executable).with_name("dg")
# What `make demo` launches: every asset but the inbox's (they run per file), all five languages in one run.
DEMO_LAUNCH = ["--assets", "not tag:partitioned=per_file", "--partition-range", ALL_LANGS_RANGE]


@dataclass(frozen=True)
class Launched:
    data: Path  # the data directory: the DuckDB file, the model caches, the release files
    home: Path  # its Dagster instance (DAGSTER_HOME)
    fingerprints: list[dict[str, tuple[int, int] | str]]  # per launch: every table's (rows, checksum), every file's sha256


def launch_twice(tmp: Path) -> Launched:
    """Launch the graph twice on one data directory (the small protocol: one prompt per language, short answers)."""
    data, home = tmp / "data", tmp / "data" / "dagster"
    home.mkdir(parents=True)
    shutil.copy(ROOT / "dagster.yaml", home / "dagster.yaml")
    config = tmp / "run_config.yaml"
    config.write_text(
        yaml.safe_dump({"ops": SMALL_PROTOCOL, "resources": {"sampling": {"config": {"max_words": 12, "max_tokens": 24}}}})
    )
    env = {
        **os.environ,
        "CA_DATA_DIR": str(data),
        "DAGSTER_HOME": str(home),
        "VIRTUAL_ENV": str(Path(sys.executable).parents[1]),
    }
    fingerprints = []
    for _ in range(2):
        done = subprocess.run(
            [str(DG), "launch", *DEMO_LAUNCH, "--config", str(config)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200,
        )
        assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
        with DuckDB(data_dir=str(data)).connect(read_only=True) as con:
            fingerprints.append({t: fingerprint(con.table(t).df()) for t in every_table(con)})
        # The release files too, byte for byte.
        published = sorted(p for p in (data / "releases" / "current").iterdir() if not p.name.startswith("."))
        fingerprints[-1].update({p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in published})
    return Launched(data, home, fingerprints)


def every_table(con) -> list[str]:
    """Every table and view the graph writes, in every schema (the generation cache is not an asset)."""
    rows = con.sql("select table_schema, table_name from information_schema.tables where table_schema <> 'cache'")
    return sorted(f"{schema}.{name}" for schema, name in rows.fetchall())


def fingerprint(frame: pd.DataFrame) -> tuple[int, int]:
    """(rows, checksum of every value): equal fingerprints mean the same rows, whatever their order."""
    text = frame.astype(str)
    ordered = text.sort_values(list(text.columns)).reset_index(drop=True)
    return len(frame), int(pd.util.hash_pandas_object(ordered, index=False).sum())
