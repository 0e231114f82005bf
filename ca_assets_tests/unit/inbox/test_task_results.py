"""The project's task-result format: strict reading (a broken file is refused whole) and the row checks
against the exported tasks (every row kept or quarantined with its reasons)."""

import json

import duckdb
import pandas as pd
import pytest

from ca_assets.defs.inbox.assets import _split_results
from ca_assets.defs.inbox.task_results import is_task_results, read_task_results
from ca_assets.formats.ca_csv import FileRejected

KNOWN = pd.DataFrame({"task_id": ["set-1", "set-2", "gold-1"], "annotator_id": [None, "ann-2", None]})
EARLIER = pd.DataFrame({"annotator_id": ["ann-9"], "task_id": ["set-1"]})


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_jsonl_and_csv_read_the_same_rows_with_their_lines(tmp_path):
    jsonl = _write(tmp_path, "r.jsonl", '{"task_id": "set-1", "annotator_id": "ann-1", "chosen": "b", "seconds": 31.5}\n\n'
                   '{"task_id": "gold-1", "annotator_id": "ann-1", "chosen": "response_c", "next_message": "Et après ?"}\n')
    csv = _write(
        tmp_path, "r.csv", "task_id,annotator_id,chosen,seconds,next_message\nset-1,ann-1,b,31.5,\ngold-1,ann-1,response_c,,Et après ?\n"
    )
    a, b = read_task_results(jsonl), read_task_results(csv)
    assert list(a["source_line"]) == [1, 3] and list(b["source_line"]) == [2, 3]
    for frame in (a, b):
        assert list(frame["task_id"]) == ["set-1", "gold-1"] and frame["seconds"].iloc[0] == "31.5"
        assert frame["next_message"].iloc[1] == "Et après ?" and pd.isna(frame["explanation"]).all()
    assert is_task_results(jsonl) and is_task_results(csv)
    assert not is_task_results(_write(tmp_path, "ca.csv", "conversation_id,annotator_id\n1,2\n"))


def test_raw_line_separators_inside_a_json_string_stay_text(tmp_path):
    """The project's own exports write U+2028 and U+0085 unescaped (ensure_ascii=False): they are not line breaks."""
    explanation = "first\u2028second\u0085third"
    row = {"task_id": "set-1", "annotator_id": "ann-1", "chosen": "b", "explanation": explanation}
    path = _write(tmp_path, "r.jsonl", json.dumps(row, ensure_ascii=False) + "\n")
    frame = read_task_results(path)
    assert list(frame["explanation"]) == [explanation] and list(frame["source_line"]) == [1]


@pytest.mark.parametrize(
    "name, text, reason",
    [
        ("bad.jsonl", '{"task_id": "set-1", "annotator_id": "a", "chosen": "b"}\n{"task_id": \n', "malformed_row"),
        ("list.jsonl", '["set-1", "a", "b"]\n', "malformed_row"),
        ("cut.jsonl", '{"task_id": "set-1", "annotator_id": "a", "chosen": "b"}', "truncated"),
        ("nochosen.csv", "task_id,annotator_id\nset-1,a\n", "header"),
        ("fields.csv", "task_id,annotator_id,chosen\nset-1,a,b,extra\n", "malformed_row"),
    ],
)
def test_broken_files_are_refused_whole(tmp_path, name, text, reason):
    with pytest.raises(FileRejected) as error:
        read_task_results(_write(tmp_path, name, text))
    assert error.value.reason == reason


def test_latin1_file_is_refused_with_the_line(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("task_id,annotator_id,chosen,explanation\nset-1,a,b,trop compliqu\xe9\n".encode("latin-1"))
    with pytest.raises(FileRejected, match="line 2"):
        read_task_results(path)


def test_rows_are_kept_or_quarantined_with_reasons(tmp_path):
    lines = [
        '{"task_id": "set-1", "annotator_id": "ann-1", "chosen": "a"}',  # kept
        '{"task_id": "set-2", "annotator_id": "ann-2", "chosen": "d", "seconds": 12}',  # kept: its own annotator
        '{"task_id": "set-2", "annotator_id": "ann-1", "chosen": "d"}',  # another annotator's conversation
        '{"task_id": "set-7", "annotator_id": "ann-1", "chosen": "a"}',  # never exported
        '{"task_id": "gold-1", "annotator_id": "ann-1", "chosen": "e"}',  # no such label
        '{"task_id": "gold-1", "annotator_id": "ann-3", "chosen": "a", "seconds": "soon"}',  # not seconds
        '{"task_id": "set-1", "annotator_id": "ann-1", "chosen": "b"}',  # answered on line 1
        '{"task_id": "set-1", "annotator_id": "ann-9", "chosen": "b"}',  # answered in an earlier file
        '{"task_id": "", "annotator_id": "ann-1", "chosen": "b"}',  # empty task id
    ]
    rows = read_task_results(_write(tmp_path, "r.jsonl", "\n".join(lines) + "\n"))
    with duckdb.connect() as con:
        kept, quarantine = _split_results(con, rows, KNOWN, EARLIER)
    assert list(kept["source_line"]) == [1, 2]
    assert len(kept) + len(quarantine) == len(rows)
    assert dict(zip(quarantine["source_line"], quarantine["reason"], strict=True)) == {
        3: "wrong_annotator", 4: "unknown_task", 5: "bad_label", 6: "bad_seconds", 7: "duplicate_submission",
        8: "duplicate_submission", 9: "missing_field",
    }
    assert list(quarantine.loc[quarantine["source_line"] == 6, "reasons"].iloc[0]) == ["bad_seconds"]
