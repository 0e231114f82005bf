"""Where prompts come from: the bundled bank (prompts/bank/<lang>.jsonl, one {"topic", "text", "source"} object per
line), the user's own prompt files (JSONL, CSV or Parquet under the data directory) and the openings people wrote in
the live annotation app (<data>/openings/*.jsonl), split into the prompts kept and the rows quarantined with a
reason, so that rows read = prompts kept + rows quarantined.

A written opening is its writer's prompt: its id includes the writer, so two people who open with the same words
(or with a bank prompt's) each get a prompt, and a set, of their own; it is sampled only with the sampler the app
used for it, and only its writer may answer it.

The bank ships with the project: a malformed bank line is a bug, and an error. A user's file is input: a file whose
structure is broken (not UTF-8, not JSON lines, a CSV with the wrong number of fields, no `text` or `lang` column,
a column this reader does not know) is refused whole with its name and the problem; a row with an empty text, a
language that is not configured, or a prompt already read (same language and normalised text) is quarantined.
"""

import json
import re
import unicodedata
from pathlib import Path

import dagster as dg
import pandas as pd
import pyarrow.parquet as pq
from pydantic import Field

from ca_assets.core.ids import stable_id
from ca_assets.core.paths import PROMPTS_DIR
from ca_assets.formats.ca_csv import FileRejected, csv_records, decode, jsonl_records
from ca_assets.models.language import detect_lang
from ca_assets.vocab import LANGS, SAMPLERS

BANK_DIR = PROMPTS_DIR / "bank"
OPENINGS_DIR = "openings"  # under the data directory, written by the live annotation app (ca_assets/annotate)
REQUIRED = ("text", "lang")
OPTIONAL = ("topic", "source")
OPENING_COLUMNS = ("text", "lang", "annotator_id", "sampler")
WRITTEN_SOURCE = "annotator"
SUFFIXES = (".jsonl", ".csv", ".parquet")
MAX_PROMPT_CHARS = 10_000  # far above any chat prompt: a longer cell is pasted data
# Order in which a quarantined row's reason is chosen.
PROBLEMS = ("empty_text", "unknown_language", "text_too_long", "no_annotator", "unknown_sampler", "duplicate")
PROMPT_COLUMNS = ["prompt_id", "lang", "topic", "text", "source", "annotator_id", "sampler", "file", "line"]
QUARANTINE_COLUMNS = ["file", "line", "lang", "reason", "detail", "raw_row"]


class PromptSources(dg.ConfigurableResource):
    """Which prompts the `prompts` asset reads (resource `prompt_sources`, shared with `prompt_quarantine`)."""

    files: list[str] = Field(
        default_factory=list,
        description="Your own prompt files, as paths relative to the data directory (e.g. prompts/mine.jsonl): "
        "JSONL, CSV or Parquet with columns text and lang, and optionally topic and source. Read after the bank.",
    )
    bundled_bank: bool = Field(default=True, description="Read the bundled bank (prompts/bank/) too.")
    openings: bool = Field(
        default=True, description="Read the openings people wrote in the live annotation app (<data>/openings/*.jsonl)."
    )


def normalise(text: str) -> str:
    """NFC, and whitespace runs collapsed to one space: the same prompt typed twice gets one id."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def prompt_id(lang: str, text: str, writer: str | None = None) -> str:
    """A bank or file prompt: its language and text. A written opening: its writer's too (see the module's doc)."""
    key = normalise(text).casefold()
    return stable_id("prompt", lang, key) if writer is None else stable_id("prompt", lang, key, writer)


def bank_languages() -> list[str]:
    """The configured languages the bundled bank has prompts for."""
    return [lang for lang in LANGS if (BANK_DIR / f"{lang}.jsonl").is_file()]


def read_bank() -> list[dict]:
    """Every bank line of the configured languages, in file order, as raw rows (text not yet normalised)."""
    rows = []
    for lang in bank_languages():
        path = BANK_DIR / f"{lang}.jsonl"
        for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                row = {"text": item["text"], "lang": lang, "topic": item["topic"], "source": item["source"]}
            except (json.JSONDecodeError, KeyError, TypeError) as error:
                raise ValueError(f"{path}:{line_no}: not a bank line ({error!r})") from None
            rows.append({**row, "file": f"bank/{lang}.jsonl", "line": line_no})
    return rows


def with_detected_lang(prompts: pd.DataFrame) -> pd.DataFrame:
    """The prompts with the language langid finds beside the declared one (what `prompts` stores), for the rows a
    run writes only: detection is the slow part of reading a large prompt file."""
    return prompts.assign(detected_lang=[detect_lang(text) for text in prompts["text"]])


def bank_prompts() -> pd.DataFrame:
    """The bundled bank's prompts as the `prompts` table holds them (its duplicates left out)."""
    return with_detected_lang(split_prompts(read_bank())[0])


def user_file(data_root: Path, relative: str) -> Path:
    """A configured prompt file, which must lie inside the data directory (run config comes from anyone who can
    launch a run: it may not point the pipeline at other files on the machine)."""
    root = data_root.resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root):
        raise FileRejected("path", f"{relative!r} is outside the data directory {root}: put prompt files under it")
    if path.suffix not in SUFFIXES:
        raise FileRejected("format", f"{relative!r}: a prompt file must end with one of {list(SUFFIXES)}")
    if not path.is_file():
        raise FileRejected("missing", f"{relative!r}: no such file under {root}")
    return path


def _cell(value) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def read_prompt_file(path: Path, name: str) -> list[dict]:
    """The rows of one user file as {text, lang, topic, source, file, line}; FileRejected if its structure is broken."""
    if path.suffix == ".parquet":
        try:
            records = pq.read_table(path).to_pylist()
        except Exception as error:  # pyarrow raises several types for a file that is not Parquet
            raise FileRejected("format", f"{name} is not a readable Parquet file: {error}") from None
        lines = list(range(1, len(records) + 1))  # the row's position in the file
    else:
        text = decode(path.read_bytes(), name)
        if path.suffix == ".csv":
            header, cells, lines = csv_records(text, name, _check_header)
            records = [dict(zip(header, record, strict=True)) for record in cells]
        else:
            records, lines = jsonl_records(text, name)
    columns = {column for record in records for column in record}
    _check_header(sorted(columns) if records else list(REQUIRED), name)
    return [
        {**{column: _cell(record.get(column)) for column in (*REQUIRED, *OPTIONAL)}, "file": name, "line": line}
        for record, line in zip(records, lines, strict=True)
    ]


def read_openings(data_root: Path) -> list[dict]:
    """The openings the live app wrote (<data>/openings/*.jsonl, by name), as prompt rows with their writer and
    sampler; FileRejected if a file's structure is broken."""
    rows = []
    for path in sorted((Path(data_root) / OPENINGS_DIR).glob("*.jsonl")):
        name = f"{OPENINGS_DIR}/{path.name}"
        records, lines = jsonl_records(decode(path.read_bytes(), name), name)
        for record, line in zip(records, lines, strict=True):
            _check_header(sorted(record), name, OPENING_COLUMNS, ())
            row = {column: _cell(record.get(column)) for column in OPENING_COLUMNS}
            rows.append({**row, "topic": None, "source": WRITTEN_SOURCE, "written": True, "file": name, "line": line})
    return rows


def _check_header(columns: list[str], name: str, required=REQUIRED, optional=OPTIONAL) -> None:
    missing = [column for column in required if column not in columns]
    unknown = sorted(set(columns) - {*required, *optional})
    if missing or unknown:
        raise FileRejected(
            "header",
            f"{name}: " + "; ".join(
                part for part in (
                    f"lacks the columns {missing}" if missing else "",
                    f"has columns this reader does not know {unknown} (allowed: {[*required, *optional]})" if unknown else "",
                ) if part
            ),
        )  # fmt: skip


def split_prompts(rows: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(prompts kept, rows quarantined with a reason), in reading order; every row is in exactly one of them."""
    kept, quarantined, seen = [], [], {}
    for row in rows:
        text = normalise(row["text"] or "")
        lang = (row["lang"] or "").strip()
        written = bool(row.get("written"))
        writer, sampler = (row.get("annotator_id") or "").strip() or None, row.get("sampler")
        problem, detail = None, None
        if not text:
            problem = "empty_text"
        elif lang not in LANGS:
            problem, detail = "unknown_language", f"{lang!r} is not a configured language {list(LANGS)} (CA_LANGUAGES)"
        elif len(text) > MAX_PROMPT_CHARS:
            problem, detail = "text_too_long", f"{len(text)} characters"
        elif written and writer is None:
            problem = "no_annotator"
        elif written and sampler not in SAMPLERS:
            problem, detail = "unknown_sampler", f"{sampler!r} is not one of {list(SAMPLERS)}"
        else:
            key = prompt_id(lang, text, writer if written else None)
            if key in seen:
                problem, detail = "duplicate", f"same prompt as {seen[key]}"
            else:
                seen[key] = f"{row['file']}:{row['line']}"
        if problem:
            columns = OPENING_COLUMNS if written else (*REQUIRED, *OPTIONAL)
            raw = {column: row[column] for column in columns if row[column] is not None}
            quarantined.append(
                {"file": row["file"], "line": row["line"], "lang": lang or None, "reason": problem, "detail": detail,
                 "raw_row": json.dumps(raw, ensure_ascii=False)}
            )  # fmt: skip
            continue
        kept.append(
            {"prompt_id": key, "lang": lang, "topic": row["topic"] or "", "text": text, "source": row["source"] or row["file"],
             "annotator_id": writer if written else None, "sampler": sampler if written else None,
             "file": row["file"], "line": row["line"]}
        )  # fmt: skip
    return pd.DataFrame(kept, columns=PROMPT_COLUMNS), pd.DataFrame(quarantined, columns=QUARANTINE_COLUMNS)


def read_sources(sources: PromptSources, data_root: Path) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Every configured source read and split: (kept, quarantined, rows read)."""
    rows = read_bank() if sources.bundled_bank else []
    for relative in sources.files:
        rows += read_prompt_file(user_file(data_root, relative), relative)
    if sources.openings:
        rows += read_openings(data_root)
    kept, quarantined = split_prompts(rows)
    return kept, quarantined, len(rows)
