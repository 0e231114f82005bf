"""Release files: settings (which conversations go out, under which licences) and the writers.

Each release file is written under a temporary name and renamed (paths.written_beside); Parquet
files carry the licences in their key-value metadata too, so they travel with a file that is copied alone.
"""

import json
from pathlib import Path

import dagster as dg
import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import Field

from ca_assets.lib.paths import written_beside
from ca_assets.lib.pii import PII_KINDS

RELEASES_DIR = "releases"
CA_CSV = "community_alignment"  # the release file in the public Community Alignment CSV layout


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

    def licenses(self) -> dict[str, str]:
        return {
            "human_text_license": self.human_text_license,
            "model_text_license": self.model_text_license,
            "file_text_license": self.file_text_license,
        }


def write_parquet(table: pa.Table, path: Path, licenses: dict[str, str]) -> Path:
    metadata = {**(table.schema.metadata or {}), b"ca_assets.licenses": json.dumps(licenses).encode()}
    with written_beside(path) as tmp:
        pq.write_table(table.replace_schema_metadata(metadata), tmp)
    return path


def write_jsonl(table: pa.Table, path: Path) -> Path:
    """One JSON object per line, UTF-8 as is (Hindi stays readable), written by DuckDB (an in-memory database:
    ten times faster than json.dumps per row)."""
    with written_beside(path) as tmp, duckdb.connect() as con:
        con.execute("set enable_progress_bar = false")  # no bar in the run's logs
        con.register("release_rows", table)
        con.execute("copy release_rows to $path (format json)", {"path": str(tmp)})
    return path
