"""Release files: settings (which conversations go out, under which licences) and the writers.

Each release file is written under a temporary name and renamed (paths.written_beside); Parquet
files carry the licences in their key-value metadata too, so they travel with a file that is copied alone.
"""

import json
import os
import secrets
from pathlib import Path

import dagster as dg
import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import Field

from ca_assets.core.paths import written_beside
from ca_assets.defs.release.pii import PII_KINDS

RELEASES_DIR = "releases"
BATCH_ROWS = 50_000  # rows per Arrow batch on their way from DuckDB to a Parquet file
CA_CSV = "community_alignment"  # the release file in the public Community Alignment CSV layout
RELEASE_ID_KEY_ENV = "CA_RELEASE_ID_KEY"
PSEUDONYMOUS_COLUMNS = ("annotator_id", "conversation_id")  # released as keyed hashes (ReleaseSettings.pseudonymize_ids)


class ReleaseSettings(dg.ConfigurableResource):
    """What a release holds and under which licences (resource `release`, shared by the release assets)."""

    include_annotator_prompts: bool = Field(
        default=True,
        description="False leaves out conversations whose opening prompt the annotator wrote "
        "(the public release's is_pregenerated_first_prompt = False); conversations a file does not flag stay in.",
    )
    exclude_pii: bool = Field(
        default=True, description=f"Leave out conversations in which the PII scan found any of: {', '.join(PII_KINDS)}."
    )
    human_text_license: str = Field(
        default="CC-BY-4.0", description="Licence of text people wrote: prompts, later user turns, explanations."
    )
    model_text_license: str = Field(
        default="Apache-2.0",
        description="Licence of generated responses (the bundled SmolLM2's outputs; set it to your generator's terms).",
    )
    file_text_license: str = Field(
        default="CC-BY-4.0",
        description="Licence of responses that came in human files (the public Community Alignment release is CC-BY-4.0).",
    )
    name: str = Field(default="ca_assets preference data", description="Dataset name on the card.")
    pseudonymize_ids: bool = Field(
        default=True,
        description="Replace annotator and conversation ids in the release files by keyed hashes (p-…): the key is "
        "$CA_RELEASE_ID_KEY, else one generated once and kept in <data>/secrets/release_id_key. The same key gives the "
        "same ids across releases. False releases the ids as they came (a study's own ids, a panel's participant ids).",
    )
    jsonl: bool = Field(
        default=False,
        description="Also write each Parquet release file as JSON lines (<name>.jsonl). Off by default: at the "
        "public release's size the JSONL files are 3.6 GB (the Parquet files 0.5 GB) and most of a release's time.",
    )

    def id_key(self, data_root: Path) -> str | None:
        """The key the release files' ids are hashed with, or None when ids are released as they came."""
        return release_id_key(data_root) if self.pseudonymize_ids else None

    def licenses(self) -> dict[str, str]:
        return {
            "human_text_license": self.human_text_license,
            "model_text_license": self.model_text_license,
            "file_text_license": self.file_text_license,
        }


def release_id_key(data_root: Path) -> str:
    """The key of the release's pseudonymous ids: $CA_RELEASE_ID_KEY, else a random one made on first use and kept
    under the data directory (readable by its owner only; never in the DuckDB file, its snapshot or run history)."""
    if os.environ.get(RELEASE_ID_KEY_ENV):
        return os.environ[RELEASE_ID_KEY_ENV]
    path = data_root / "secrets" / "release_id_key"
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_hex(32))
    return path.read_text(encoding="utf-8").strip()


def pseudonymized(con: duckdb.DuckDBPyConnection, query: str, key: str | None) -> tuple[str, dict[str, str]]:
    """(query, params): the release query with its annotator and conversation ids replaced by 'p-' and 16 hex
    digits of sha256(key, id); the query as it is when `key` is None. The key is bound, never written in the text."""
    columns = con.sql(query).columns  # binds the query without running it
    swapped = [column for column in PSEUDONYMOUS_COLUMNS if column in columns]
    if key is None or not swapped:
        return query, {}
    # Column names are the project's constants; the key is a parameter.
    replace = ", ".join(f"'p-' || sha256($id_key || chr(31) || {column})[:16] as {column}" for column in swapped)
    return "select * replace (" + replace + ") from (" + query + ")", {"id_key": key}


def write_parquet(
    con: duckdb.DuckDBPyConnection, query: str, path: Path, licenses: dict[str, str], params: dict | None = None
) -> pa.Schema:
    """The query's rows as a Parquet file, streamed in batches (at the public release's size the comparisons are
    1.5 GB as one Arrow table), with the licences in the file's key-value metadata. Returns the file's schema."""
    reader = con.sql(query, params=params).to_arrow_reader(BATCH_ROWS)
    metadata = {**(reader.schema.metadata or {}), b"ca_assets.licenses": json.dumps(licenses).encode()}
    schema = reader.schema.with_metadata(metadata)
    with written_beside(path) as tmp, pq.ParquetWriter(tmp, schema) as writer:
        for batch in reader:
            writer.write_batch(batch)
    return schema


def write_jsonl(parquet: Path, path: Path) -> Path:
    """A Parquet release file's rows as JSON lines, UTF-8 as is (Hindi stays readable), written by DuckDB (an
    in-memory database: ten times faster than json.dumps per row)."""
    with written_beside(path) as tmp, duckdb.connect() as con:
        con.execute("set enable_progress_bar = false")  # no bar in the run's logs
        con.execute("copy (from read_parquet($parquet)) to $path (format json)", {"parquet": str(parquet), "path": str(tmp)})
    return path
