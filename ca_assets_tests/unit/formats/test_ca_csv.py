"""The Community Alignment CSV reader on fixture files: well-formed files read back exactly, with source lines;
structurally broken files are refused whole with the reason and the line."""

import io
import random

import duckdb
import pandas as pd
import pytest

from ca_assets.formats.ca_csv import COLUMNS, REQUIRED_COLUMNS, SOURCE_LINE, FileRejected, copy_ca_csv, read_ca_csv, write_ca_csv
from ca_assets_tests.support.ca_fixture import make_conversations, write_fixture


def test_fixture_reads_back_row_for_row(tmp_path):
    path = tmp_path / "ca.csv"
    manifest = write_fixture(path, count=300, seed=1, quirk_rate=0.05)
    frame = read_ca_csv(path)
    assert len(frame) == manifest.rows > manifest.conversations == 300
    assert frame["conversation_id"].nunique() == 300
    assert list(frame.columns[: len(COLUMNS)]) == list(COLUMNS)
    assert frame[SOURCE_LINE].iloc[0] == 2 and frame[SOURCE_LINE].is_monotonic_increasing
    assert set(manifest.quirks) <= {
        "empty_string",
        "duplicate_responses",
        "missing_middle_turn",
        "bad_label",
        "duplicate_row",
    }
    assert len(manifest.quirks) >= 4  # at 5% over 300 conversations every kind shows up
    own = (frame["is_pregenerated_first_prompt"] == "False").mean()
    assert 0.2 < own < 0.42  # about 31% annotator-written first prompts, as in the release


def test_pregenerated_prompts_repeat_with_the_same_four_answers():
    rows, _ = make_conversations(400, seed=2, quirk_rate=0)
    answers: dict[str, set] = {}
    for row in rows:
        if row["is_pregenerated_first_prompt"] == "True":
            four = tuple(row[f"first_turn_response_{letter}"] for letter in "abcd")
            answers.setdefault(row["first_turn_prompt"], set()).add(four)
    assert any(len(rows_) for rows_ in answers.values())
    assert all(len(sets) == 1 for sets in answers.values())


def test_lines_split_as_stringio_does():
    # The reader splits the text itself (StringIO would copy it at four bytes a character): the lines and their
    # ends must be what csv.reader got from io.StringIO(text, newline=""), the form feeds, \u2028 and \x85 that
    # str.splitlines would also split on included.
    from ca_assets.formats.ca_csv import _lines

    rng = random.Random(3)
    alphabet = ["a", "é", "न", ",", '"', "\n", "\r", "\r\n", "\f", "\v", "\x1c", "\x85", "\u2028"]
    texts = ["", "a", "a\r\nb", "\r\r\n", "x\n"] + ["".join(rng.choices(alphabet, k=rng.randint(0, 15))) for _ in range(3000)]
    for text in texts:
        assert list(_lines(text)) == list(io.StringIO(text, newline="")), repr(text)


def test_duckdb_writer_reads_back_cell_for_cell(tmp_path):
    # The release writes its CSV with DuckDB (copy_ca_csv): the strict reader must get every cell back, with the
    # line each record starts on, whatever the cells hold. (The csv module, with "\n" as line terminator, does
    # not quote a lone "\r", and its reader then splits the record: write_ca_csv is only for test fixtures.)
    rows, _ = make_conversations(40, seed=5, quirk_rate=0)
    tricky = ['a "quoted" word, and a comma', "two\nlines", "carriage\rreturn", "crlf\r\nend", "", "EMPTY STRING",
              "नमस्ते, दुनिया", " padded ", "NULL", "'single'"]  # fmt: skip
    for row, cell in zip(rows, tricky, strict=False):
        row["first_turn_feedback"] = cell
    frame = pd.DataFrame([{column: row.get(column) for column in COLUMNS} for row in rows])
    frame.loc[len(rows) - 1, "second_turn_feedback"] = None
    with duckdb.connect() as con:
        con.register("conversations", frame)
        written = copy_ca_csv(con, "select * from conversations", tmp_path / "duckdb.csv")
        with pytest.raises(ValueError, match="layout"):
            copy_ca_csv(con, "select conversation_id from conversations", tmp_path / "wrong.csv")
    assert written == len(rows)
    read = read_ca_csv(tmp_path / "duckdb.csv")
    pd.testing.assert_frame_equal(read[list(COLUMNS)], frame.fillna(""))  # a missing cell reads back empty
    assert list(read["first_turn_feedback"].iloc[: len(tricky)]) == tricky
    def lines(row) -> int:  # a record's lines: 1 + its line breaks (\n, \r or \r\n)
        return 1 + sum(cell.count("\n") + cell.count("\r") - cell.count("\r\n") for cell in row if cell)

    assert list(read[SOURCE_LINE]) == [2 + sum(map(lines, frame.to_numpy()[:i])) for i in range(len(frame))]


def test_multiline_cells_keep_their_starting_line(tmp_path):
    path = tmp_path / "ca.csv"
    rows, _ = make_conversations(3, seed=3, quirk_rate=0)
    rows[0]["first_turn_feedback"] = "line one\nline two"
    write_ca_csv(path, rows)
    frame = read_ca_csv(path)
    assert frame["first_turn_feedback"].iloc[0] == "line one\nline two"
    assert list(frame[SOURCE_LINE]) == [2, 4, 5]


def test_byte_order_mark_and_missing_optional_columns_are_accepted(tmp_path):
    path = tmp_path / "ca.csv"
    header = ",".join(REQUIRED_COLUMNS)
    values = ",".join(["c1", "ann1", "en", "Should I move?", "a1", "b1", "c1", "d1", "response_b"])
    path.write_bytes(("\ufeff" + header + "\n" + values + "\n").encode("utf-8"))
    frame = read_ca_csv(path)
    assert frame["first_turn_preferred_response"].tolist() == ["response_b"]
    assert frame["second_turn_prompt"].isna().all() and frame["annotator_age"].isna().all()


@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "ca.csv"
    write_fixture(path, count=20, seed=4, quirk_rate=0)
    return path


def test_wrong_encoding_is_refused_with_the_line(good_file):
    lines = good_file.read_bytes().split(b"\n")
    lines[4] = lines[4].replace(b",", b",caf\xe9 ", 1)  # a Latin-1 byte in line 5
    good_file.write_bytes(b"\n".join(lines))
    with pytest.raises(FileRejected, match=r"encoding: ca\.csv is not UTF-8: byte 0xe9 at line 5;"):
        read_ca_csv(good_file)


def test_broken_header_is_refused(good_file):
    lines = good_file.read_text(encoding="utf-8").split("\n", 1)
    good_file.write_text(lines[0].replace("annotator_id", "annotator") + "\n" + lines[1], encoding="utf-8")
    with pytest.raises(FileRejected, match=r"header: .*lacks the Community Alignment columns \['annotator_id'\]"):
        read_ca_csv(good_file)
    good_file.write_text(lines[0] + ",wave\n" + lines[1], encoding="utf-8")
    with pytest.raises(FileRejected, match=r"header: .*more than once: \['wave'\]"):
        read_ca_csv(good_file)


@pytest.mark.parametrize("cut", [1, 7, 200])
def test_truncated_last_line_is_refused(good_file, cut):
    data = good_file.read_bytes()
    good_file.write_bytes(data[: len(data) - cut])  # a partial copy: the last record loses its end
    with pytest.raises(FileRejected, match=r"truncated: ca\.csv does not end with a line break \(line 21\)"):
        read_ca_csv(good_file)


def test_cut_off_quoted_field_is_refused(good_file):
    with open(good_file, "a", encoding="utf-8") as handle:
        handle.write('c9,ann9,en,"an unterminated prompt\n')
    with pytest.raises(FileRejected, match="truncated: .*cut off"):
        read_ca_csv(good_file)


def test_line_with_extra_fields_is_refused(good_file):
    lines = good_file.read_text(encoding="utf-8").splitlines()
    lines[3] += ",surplus"
    good_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(FileRejected, match="malformed_row: ca.csv: line 4 has"):
        read_ca_csv(good_file)


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(FileRejected, match="header: empty.csv is empty"):
        read_ca_csv(path)


def test_every_row_is_kept_or_quarantined_with_its_quirk(tmp_path):
    import duckdb

    from ca_assets.formats.ca_csv import split_rows

    path = tmp_path / "ca.csv"
    manifest = write_fixture(path, count=600, seed=5, quirk_rate=0.03)
    rows = read_ca_csv(path)
    kept, quarantine = split_rows(duckdb.connect(), rows)
    kept_lines = set(kept["source_line"])
    assert len(kept_lines) + len(quarantine) == len(rows)  # rows in = rows kept + rows quarantined
    assert not kept_lines & set(quarantine["source_line"])
    by_id = quarantine.groupby("conversation_id")["reasons"].sum()
    expected = {
        "empty_string": "empty_string",
        "duplicate_responses": "duplicate_responses",
        "missing_middle_turn": "missing_middle_turn",
        "bad_label": "bad_label",
        "duplicate_row": "duplicate_submission",
    }
    for quirk, reason in expected.items():
        assert manifest.quirks[quirk], quirk
        for conversation_id in manifest.quirks[quirk]:
            assert reason in by_id[conversation_id], (quirk, conversation_id, by_id.get(conversation_id))
    quirky = {c for ids in manifest.quirks.values() for c in ids}
    assert set(quarantine["conversation_id"]) == quirky  # nothing clean is quarantined
    # kept conversations expand to one annotation per filled turn
    assert kept.groupby("source_line")["turn"].max().eq(kept.groupby("source_line").size()).all()
    assert set(kept["preferred"]) <= {"response_a", "response_b", "response_c", "response_d"}
