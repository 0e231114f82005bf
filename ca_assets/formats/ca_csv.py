"""The public Community Alignment CSV: its columns, and a strict reader.

One row per conversation (facebook/community-alignment-dataset, CC-BY-4.0): annotator fields, flags, and for
each of the four turns a prompt, four responses (`response_a` … `response_d`), the preferred one and
optional feedback. See REFERENCE.md in the project brief for the quirks of the real file.

The reader rejects a file as a whole, with the reason and line, when its structure is broken (not UTF-8, a
header without the columns a conversation needs or with a column twice, a line with the wrong number of
fields, a quoted field cut off at the end of the file): such a file cannot be split into good and bad rows
with any confidence. Content problems inside well-formed rows (`EMPTY STRING` cells, missing middle turns,
unknown labels, ...) are for `split_rows`, which quarantines those rows with reasons.
"""

import codecs
import csv
import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import duckdb
import pandas as pd

from ca_assets.core.sql import load_sql
from ca_assets.vocab import COUNTRIES, LANGS

TURNS = ("first", "second", "third", "fourth")
LETTERS = ("a", "b", "c", "d")
LABELS = tuple(f"response_{letter}" for letter in LETTERS)  # values of *_turn_preferred_response

IDENTITY_COLUMNS = ("conversation_id", "annotator_id", "assigned_lang", "wave")
ANNOTATOR_COLUMNS = (
    "annotator_country",
    "annotator_age",
    "annotator_gender",
    "annotator_education_level",
    "annotator_ethnicity",
    "annotator_political",
)
FLAG_COLUMNS = ("is_pregenerated_first_prompt", "in_balanced_subset", "in_balanced_subset_10")


def turn_columns(turn: str) -> tuple[str, ...]:
    return (
        f"{turn}_turn_prompt",
        *(f"{turn}_turn_response_{letter}" for letter in LETTERS),
        f"{turn}_turn_preferred_response",
        f"{turn}_turn_feedback",
    )


COLUMNS = (*IDENTITY_COLUMNS, *ANNOTATOR_COLUMNS, *FLAG_COLUMNS, *(c for turn in TURNS for c in turn_columns(turn)))
# Without these a row is not a conversation at all; every other column may be absent (older releases).
REQUIRED_COLUMNS = ("conversation_id", "annotator_id", "assigned_lang", *turn_columns("first")[:-1])
SOURCE_LINE = "source_line"  # added by the reader: the file line where the row's record starts
# Far above any chat turn of the release: a longer cell is pasted data, and would swamp embedding and judging.
MAX_CELL_CHARS = 100_000
# The csv module stops at fields over 128 KiB with a parse error, which would refuse the whole file over one
# long cell; such a cell is a row problem (`text_too_long`) instead.
csv.field_size_limit(2**31 - 1)


class FileRejected(ValueError):
    """The whole file is refused; nothing from it is loaded. `reason` is a short code, the message says where."""

    def __init__(self, reason: str, message: str):
        super().__init__(f"{reason}: {message}")
        self.reason = reason


def decode(data: bytes, name: str) -> str:
    """UTF-8 text (a byte-order mark is allowed), or FileRejected naming the line of the first bad byte."""
    # Spreadsheet tools offer UTF-16 as "Unicode text", and a PNG or Parquet file may be misnamed: a byte-level
    # UTF-8 message ("byte 0xff at line 1") would not tell the user what to do about either.
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileRejected("encoding", f"{name} is UTF-16 text, not UTF-8; re-save it as UTF-8 CSV")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise FileRejected(
            "encoding",
            f"{name} is not a text file: it holds NUL bytes from line {line} (an image, a Parquet or Excel file, or "
            "UTF-16 text?); save it as UTF-8 CSV",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise FileRejected(
            "encoding", f"{name} is not UTF-8: byte {data[error.start]:#04x} at line {line}; re-save it as UTF-8"
        ) from error


def check_header(header: list[str], name: str) -> None:
    # Missing columns first, and lists cut short: the first line of a file that is not CSV at all (JSON, say)
    # splits into many long "columns", which the message would otherwise repeat in full.
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        start = [column[:60] for column in header[:8]]
        raise FileRejected(
            "header", f"{name} lacks the Community Alignment columns {missing}; its header is {start}..."
        )
    duplicated = sorted({column for column in header if header.count(column) > 1})
    if duplicated:
        raise FileRejected("header", f"{name} has columns more than once: {duplicated}")


# A line and its end as io.StringIO(text, newline="") yields them (\n, \r or \r\n, kept). StringIO would copy
# the text at four bytes a character first: 1.3 GB more for a file of the public release's size.
_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+")


# str.splitlines also splits on these; without them in the text it splits as StringIO does, and faster.
_OTHER_BREAKS = ("\r", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


def _lines(text: str) -> Iterable[str]:
    if not any(mark in text for mark in _OTHER_BREAKS):
        return text.splitlines(keepends=True)
    return (match.group() for match in _LINE.finditer(text))


def csv_records(
    text: str, name: str, check: Callable[[list[str], str], None]
) -> tuple[list[str], list[list[str]], list[int]]:
    """(header, records, the line each record starts on), read strictly: a header that cannot be read or that
    `check` refuses, a quoted field cut off, or a record with another number of fields than the header is
    FileRejected (fewer fields: `truncated`, more: `malformed_row`), and so is text without a final line break.
    Blank lines between records are skipped."""
    reader = csv.reader(_lines(text), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise FileRejected("header", f"{name} is empty") from None
    except csv.Error as error:
        raise FileRejected("header", f"{name}: unreadable header: {error}") from error
    check(header, name)  # a wrong header explains wrong records (and a missing last line break): say that first
    if not text.endswith(("\n", "\r")):
        # A cut inside the last field would still parse as a full row: refuse what may be a partial copy.
        last_line = text.count("\n") + 1
        raise FileRejected(
            "truncated",
            f"{name} does not end with a line break (line {last_line}): it may have been cut off; if it is "
            "complete, add a final newline",
        )
    rows, lines = [], []
    next_line = reader.line_num + 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise FileRejected(
                "truncated", f"{name}: the record starting at line {next_line} is cut off: {error}"
            ) from error
        if record:
            if len(record) != len(header):
                reason = "truncated" if len(record) < len(header) else "malformed_row"
                raise FileRejected(
                    reason, f"{name}: line {next_line} has {len(record)} fields where the header has {len(header)}"
                )
            rows.append(record)
            lines.append(next_line)
        next_line = reader.line_num + 1
    return header, rows, lines


class _DuplicateKey(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    seen = set()
    for key, _ in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen.add(key)
    return dict(pairs)


def jsonl_records(text: str, name: str) -> tuple[list[dict], list[int]]:
    """(one dict per JSON line, the line each is on), read strictly: a line that is not a JSON object is FileRejected
    (`malformed_row`). Lines are split on \\n only: a JSON string may hold U+2028 or U+0085 raw (ours do, written
    with ensure_ascii=False), which str.splitlines would cut in two. Blank lines are skipped."""
    records, lines = [], []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line, object_pairs_hook=_unique_keys)
        except json.JSONDecodeError as error:
            raise FileRejected("malformed_row", f"{name}: line {number} is not JSON: {error}") from None
        except _DuplicateKey as error:  # json keeps the last value silently; a CSV column twice is refused too
            raise FileRejected("malformed_row", f"{name}: line {number} names the key {error.key!r} more than once") from None
        if not isinstance(record, dict):
            raise FileRejected("malformed_row", f"{name}: line {number} is not a JSON object")
        records.append(record)
        lines.append(number)
    return records, lines


def read_ca_csv(path: Path, data: bytes | None = None) -> pd.DataFrame:
    """Every conversation of a Community Alignment CSV as strings, in file order, with its source line.

    Columns of COLUMNS that the file lacks come back as all-null. Other columns are left out, and their names
    are in `frame.attrs["ignored_columns"]`: kept, a column called `feedback` or `turn` would sit beside the
    reshaping query's own and could replace a stored value. Cell text is kept as written (the `EMPTY STRING`
    marker included): judging content is `split_rows`' job. `data`: the file's bytes, when the caller already
    read them (and hashed what it read).
    """
    name = Path(path).name
    text = decode(Path(path).read_bytes() if data is None else data, name)
    header, rows, lines = csv_records(text, name, check_header)
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    for column in COLUMNS:
        if column not in frame:
            frame[column] = None
    frame = frame[list(COLUMNS)].assign(**{SOURCE_LINE: lines})
    frame.attrs["ignored_columns"] = [column for column in header if column not in COLUMNS]
    return frame


def write_ca_csv(path: Path, conversations: list[dict]) -> None:
    """Write conversations (dicts keyed by COLUMNS; missing keys become empty cells) in the public layout."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS), extrasaction="raise", lineterminator="\n")
        writer.writeheader()
        for conversation in conversations:
            writer.writerow({column: conversation.get(column, "") for column in COLUMNS})


def copy_ca_csv(con: duckdb.DuckDBPyConnection, query: str, path: Path, params: dict | None = None) -> int:
    """Write the rows of `query` (its columns exactly COLUMNS, in order; `params` bound to its `$name`s) in the
    public layout with DuckDB's CSV writer, which quotes as the csv module does (a field with a comma, quote or
    line break; quotes doubled), except that an empty string is written `""` where a missing value is empty.
    Returns the number of rows. At the public release's size this is 4× faster than `write_ca_csv` and keeps the
    rows out of Python."""
    columns = tuple(con.sql(query, params=params).columns)  # binds the query without running it
    if columns != COLUMNS:
        raise ValueError(f"the query's columns are not the Community Alignment layout's: {columns}")
    copy = "copy (" + query + ") to $path (format csv, header true, delimiter ',', quote '\"', escape '\"', new_line e'\\n')"
    return con.execute(copy, {**(params or {}), "path": str(path)}).fetchall()[0][0]


# Order in which a quarantined row's reasons are listed; the first is its `reason`.
ROW_PROBLEMS = (
    "missing_field",
    "unknown_language",
    "unknown_country",
    "duplicate_submission",
    "no_turns",
    "missing_middle_turn",
    "bad_label",
    "empty_string",
    "empty_text",
    "duplicate_responses",
    "text_too_long",
)


def split_rows(con: duckdb.DuckDBPyConnection, rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(turns of the rows that are usable as they stand, one row per quarantined file line with its reasons).

    A row is kept or quarantined whole: a conversation whose third turn is broken has no trustworthy history
    for the fourth, and the public release's own filtered file dropped such conversations whole too.
    Every input row is in exactly one of the two results (`rows in = rows kept + rows quarantined`).
    """
    con.register("ca_rows", rows)
    # The turns stay in the database (a temp table) for the row checks and the kept-turn query: at the public
    # release's size a round trip through pandas cost more than the checks.
    con.execute("create or replace temp table ca_turns as " + load_sql("formats", "ca_turns"))
    params = {"langs": list(LANGS), "countries": [c.name for c in COUNTRIES], "max_chars": MAX_CELL_CHARS}
    problems = con.execute(load_sql("formats", "ca_row_problems"), params).df()
    con.register("problem_rows", problems)
    kept = con.sql(load_sql("formats", "ca_kept_turns")).df()
    con.unregister("problem_rows")
    rank = {reason: index for index, reason in enumerate(ROW_PROBLEMS)}
    quarantine = (
        problems.assign(rank=problems["reason"].map(rank))
        .sort_values(["source_line", "rank", "turn"])
        .groupby("source_line", sort=True)
        .agg(reason=("reason", "first"), reasons=("reason", lambda r: list(dict.fromkeys(r))), detail=("detail", "first"))
        .reset_index()
    )
    ids = rows.set_index(SOURCE_LINE)["conversation_id"]
    quarantine.insert(1, "conversation_id", quarantine["source_line"].map(ids))
    return kept, quarantine
