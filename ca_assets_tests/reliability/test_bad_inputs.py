"""Bad input files through the inbox: each case damages a small valid Community Alignment file in one way.
Either the run fails with a message naming the file and the problem, and nothing is loaded; or the file
loads, its bad rows quarantined with a specific reason and its good rows stored verbatim, with
rows in the file = rows loaded + rows quarantined by the tables' own counts. Nothing outside inbox/ and the
database changes, and the dropped files stay as they were."""

import codecs
import contextlib
import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field

import dagster as dg
import duckdb as duckdb_module
import pyarrow.csv
import pyarrow.parquet
import pytest

from ca_assets.core.sql import load_sql
from ca_assets.defs.inbox.assets import inbox
from ca_assets.formats.ca_csv import MAX_CELL_CHARS, TURNS, write_ca_csv
from ca_assets_tests.support.batch_run import batch_run
from ca_assets_tests.support.ca_fixture import make_conversations

TABLES = ("annotation_files", "human_turns", "task_results", "annotation_quarantine")
TEXTS = ("prompt", "response_a", "response_b", "response_c", "response_d", "preferred", "feedback")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
SQL_LIKE = ("'); DROP TABLE human_turns; --", "$1", "%s", "{x}", "?", "%(name)s", "\\N", "NULL", "$(rm -rf ~)")


@dataclass
class Case:
    edit: Callable[[list[dict]], list[dict]] = lambda rows: rows  # the conversations written
    damage: Callable[[bytes], bytes] = lambda data: data  # the file's bytes once written
    names: tuple[str, ...] = ("ca.csv",)  # the file is dropped under each name
    refused: tuple[str, ...] = ()  # the run fails; its message holds these ("reason:" first)
    quarantined: dict[int, str] = field(default_factory=dict)  # row index -> quarantine reason


def cells(*edits: tuple[int, str, str]) -> Callable[[list[dict]], list[dict]]:
    def edit(rows):
        for index, column, value in edits:
            rows[index][column] = value
        return rows

    return edit


def on_line(number: int, old: bytes, new: bytes) -> Callable[[bytes], bytes]:
    def damage(data):
        lines = data.split(b"\n")
        assert old in lines[number - 1]
        lines[number - 1] = lines[number - 1].replace(old, new, 1)
        return b"\n".join(lines)

    return damage


def without_column(name: str) -> Callable[[bytes], bytes]:
    def damage(data):
        records = list(csv.reader(io.StringIO(data.decode(), newline="")))
        drop = records[0].index(name)
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([r[:drop] + r[drop + 1 :] for r in records])
        return out.getvalue().encode()

    return damage


def with_column(name: str) -> Callable[[bytes], bytes]:
    """One more column, after the layout's, with a value on every line that differs from any real cell."""

    def damage(data):
        records = list(csv.reader(io.StringIO(data.decode(), newline="")))
        out = io.StringIO()
        extended = [records[0] + [name], *(record + [f"extra {name} {i}"] for i, record in enumerate(records[1:]))]
        csv.writer(out, lineterminator="\n").writerows(extended)
        return out.getvalue().encode()

    return damage


def mixed_newlines(data: bytes) -> bytes:
    lines = data.split(b"\n")
    return b"".join(line + (b"\r\n" if i % 2 else b"\n") for i, line in enumerate(lines[:-1]))


def as_parquet(data: bytes) -> bytes:
    out = io.BytesIO()
    pyarrow.parquet.write_table(pyarrow.csv.read_csv(io.BytesIO(data)), out)
    return out.getvalue()


def as_json(data: bytes) -> bytes:
    return json.dumps(list(csv.DictReader(io.StringIO(data.decode(), newline="")))).encode()


def fifty_megabytes(rows: list[dict]) -> list[dict]:
    """600 conversations with first-turn responses of ~21k characters each: long, but within the limit."""
    padding = " ".join(f"{word}" for word in range(4_300))
    return [
        dict(row, conversation_id=f"{row['conversation_id']}-{copy}",
             **{f"first_turn_response_{x}": f"{row[f'first_turn_response_{x}']} {padding}" for x in "abcd"})
        for copy in range(30) for row in rows
    ]  # fmt: skip


def duplicate_first(rows: list[dict]) -> list[dict]:
    return [*rows, dict(rows[0])]


CASES = {
    # 1. encodings: UTF-8 with or without a byte-order mark is read; anything else is refused whole
    "utf8_bom": Case(damage=lambda data: codecs.BOM_UTF8 + data),
    "latin1_file": Case(damage=lambda data: data.decode().encode("latin-1", errors="replace"),
                        refused=("encoding:", "is not UTF-8: byte 0x", "re-save it as UTF-8")),
    "utf16_with_bom": Case(damage=lambda data: data.decode().encode("utf-16"),
                           refused=("encoding:", "is UTF-16 text")),
    "utf16_without_bom": Case(damage=lambda data: data.decode().encode("utf-16-le"),
                              refused=("encoding:", "NUL bytes")),
    "invalid_utf8_byte_in_one_cell": Case(damage=on_line(7, b"[", b"[\xff"),
                                          refused=("encoding:", "byte 0xff at line 7")),
    # 2. columns
    "missing_conversation_id_column": Case(damage=without_column("conversation_id"),
                                           refused=("header:", "columns ['conversation_id']")),
    "missing_preferred_column": Case(damage=without_column("first_turn_preferred_response"),
                                     refused=("header:", "columns ['first_turn_preferred_response']")),
    "missing_optional_column": Case(damage=without_column("annotator_age")),
    # a column that is not the layout's is not read, whatever its name: the reshaping query's own names included
    **{f"extra_column_{name}": Case(damage=with_column(name))
       for name in ("feedback", "prompt", "response_a", "preferred", "source_line", "turn", "notes")},
    # 3. unknown labels
    "preferred_e": Case(edit=cells((3, "first_turn_preferred_response", "e")), quarantined={3: "bad_label"}),
    "preferred_Z": Case(edit=cells((4, "first_turn_preferred_response", "Z")), quarantined={4: "bad_label"}),
    "unknown_language": Case(edit=cells((5, "assigned_lang", "xx")), quarantined={5: "unknown_language"}),
    "unknown_country": Case(edit=cells((6, "annotator_country", "atlantis")), quarantined={6: "unknown_country"}),
    "capitalised_country": Case(edit=cells((6, "annotator_country", "France"))),
    # 4. huge cells and files
    "5mb_cell": Case(edit=cells((2, "first_turn_response_b", "x" * 5_000_000)), quarantined={2: "text_too_long"}),
    "long_cell_within_limit": Case(edit=cells((2, "first_turn_response_b", "y" * MAX_CELL_CHARS))),
    "50mb_file": Case(edit=fifty_megabytes),  # 51 MB
    # 5. duplicates
    "duplicate_row": Case(edit=duplicate_first, quarantined={20: "duplicate_submission"}),
    "same_file_under_two_names": Case(names=("ca.csv", "ca (copy).csv")),
    # 6. file names
    "name_with_shell": Case(names=("a b;rm -rf.csv",)),
    "name_dot_dot": Case(names=("..csv",)),
    "name_with_sql": Case(names=("x'); drop table annotations;--.csv",)),
    "name_with_dash": Case(names=("-rf .csv",)),
    "name_with_newline": Case(names=("two\nlines.csv",)),
    "name_unicode": Case(names=("données_日本語_🙂.csv",)),
    "name_255_bytes": Case(names=("n" * 251 + ".csv",)),
    "name_not_utf8": Case(names=("caf\udce9.csv",), refused=("file_name:", "not UTF-8 text")),  # Latin-1 byte 0xe9
    # 7. SQL-like text in cells
    "sql_like_cells": Case(
        edit=cells(
            (1, "annotator_id", "x'); DROP TABLE annotation_files; --"),
            (2, "conversation_id", "'; DELETE FROM human_turns; --"),
            *((3, column, text) for column, text in zip(  # six cells, the first six strings
                ["first_turn_prompt", *(f"first_turn_response_{x}" for x in "abcd"), "first_turn_feedback"],
                SQL_LIKE,
                strict=False,
            )),
            (4, "first_turn_prompt", SQL_LIKE[6]), (4, "first_turn_feedback", " ".join(SQL_LIKE)),
        )
    ),
    # 8. structure
    "empty_file": Case(damage=lambda data: b"", refused=("header:", "is empty")),
    "header_only": Case(edit=lambda rows: []),
    "truncated_last_line": Case(damage=lambda data: data[:-40],
                                refused=("truncated:", "does not end with a line break")),
    "extra_field_on_a_line": Case(damage=on_line(6, b",", b",surplus,"), refused=("malformed_row:", "line 6 has")),
    "crlf": Case(damage=lambda data: data.replace(b"\n", b"\r\n")),
    "mixed_newlines": Case(damage=mixed_newlines),
    "newlines_inside_a_cell": Case(edit=cells((1, "first_turn_feedback", "line one\r\nline two\nline three\rfour"))),
    "cr_only_newlines": Case(damage=lambda data: data.replace(b"\n", b"\r")),
    "png_named_csv": Case(damage=lambda data: PNG, refused=("encoding:", "is not a text file")),
    "parquet_named_csv": Case(damage=as_parquet, refused=("encoding:", "is not a text file")),
    "json_named_csv": Case(damage=as_json, refused=("header:", "lacks the Community Alignment columns")),
}  # fmt: skip


@pytest.fixture(scope="module")
def base() -> list[dict]:
    rows, _ = make_conversations(20, seed=21, quirk_rate=0)
    return rows


def tables(duckdb) -> dict:
    """The inbox tables that exist, as frames."""
    found = {}
    with duckdb.connect(read_only=True) as con:
        for table in TABLES:
            with contextlib.suppress(duckdb_module.CatalogException):  # not created yet
                found[table] = con.table(table).df()
    return found


def listing(root) -> dict:
    """Every file under root with its bytes, but the database, which the run is meant to change."""
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and not p.name.startswith("ca.duckdb")}


def expected_turns(rows: list[dict], skip: set[int]) -> dict:
    """(conversation, turn) -> the texts human_turns must hold for the rows not quarantined."""
    turns = {}
    for index, row in enumerate(rows):
        for number, turn in enumerate(TURNS, start=1):
            if index not in skip and row.get(f"{turn}_turn_prompt"):
                texts = [row[f"{turn}_turn_{column}"] for column in (*TEXTS[:5], "preferred_response")]
                feedback = row.get(f"{turn}_turn_feedback") or None
                turns[(row["conversation_id"], number)] = (*texts, feedback, row["annotator_id"])
    return turns


@pytest.mark.timeout(60)  # a hang is a failure too
@pytest.mark.parametrize("case", [pytest.param(case, id=name) for name, case in CASES.items()])
def test_bad_input_is_refused_or_quarantined_and_reconciles(duckdb, tmp_path, base, case):
    rows = case.edit([dict(row) for row in base])
    scratch = tmp_path / "written.csv"
    write_ca_csv(scratch, rows)
    data = case.damage(scratch.read_bytes())
    scratch.unlink()
    folder = duckdb.subdir("inbox")
    for name in case.names:
        (folder / name).write_bytes(data)
    (tmp_path / "outside.txt").write_text("must not change")
    before = listing(tmp_path)

    result = dg.materialize([inbox], resources={"duckdb": duckdb}, raise_on_error=False, **batch_run(duckdb))

    assert listing(tmp_path) == before  # dropped files as they were, nothing written outside the database
    found = tables(duckdb)
    if case.refused:
        assert not result.success
        [failure] = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE]
        message = failure.step_failure_data.error.message
        shown = case.names[0].encode(errors="surrogateescape").decode(errors="replace")
        assert shown in message and "nothing was ingested" in message, message
        assert all(part in message for part in case.refused), message
        assert failure.step_failure_data.error.cls_name == "Failure"  # refused on purpose, not a crash
        assert all(frame.empty for frame in found.values())
        return

    assert result.success
    assert set(found) == set(TABLES)  # none dropped, whatever the cells and names said
    files, turns, quarantine = found["annotation_files"], found["human_turns"], found["annotation_quarantine"]
    [stored] = files.to_dict("records")  # the same bytes under two names are ingested once
    assert stored["file_name"] in case.names
    assert stored["rows_in"] == len(rows) == turns["source_line"].nunique() + len(quarantine)
    assert (stored["rows_kept"], stored["rows_quarantined"]) == (turns["source_line"].nunique(), len(quarantine))
    with duckdb.connect(read_only=True) as con:
        assert con.sql(load_sql("inbox", "checks", "annotation_files_reconcile")).fetchall() == []
    assert sorted(zip(quarantine["conversation_id"], quarantine["reason"], strict=True)) == sorted(
        (rows[index]["conversation_id"], reason) for index, reason in case.quarantined.items()
    )
    assert quarantine["detail"].str.len().gt(0).all() and (quarantine["file_name"] == stored["file_name"]).all()
    stored_turns = {
        (t["conversation_id"], t["turn"]): (*(t[c] for c in TEXTS), t["annotator_id"])
        for t in turns.to_dict("records")
    }
    assert stored_turns == expected_turns(rows, set(case.quarantined))  # text exactly as written
