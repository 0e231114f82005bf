"""Odd task-result files through the real inbox step: what json and csv readers do quietly (the last of two equal
keys wins, an unknown column is dropped, NaN and 1e999 are numbers) must not reach the tables. Each file is
refused whole with a message naming the file, line and column, or its rows are stored or quarantined exactly."""

import json

import dagster as dg
import pytest

from ca_assets.defs.inbox.assets import inbox
from ca_assets_tests.support.batch_run import batch_run

TASK = "set-1"
LINE = {"task_id": TASK, "annotator_id": "ann-1", "chosen": "b"}


def _jsonl(*rows: dict | str) -> str:
    return "".join((row if isinstance(row, str) else json.dumps(row, ensure_ascii=False)) + "\n" for row in rows)


REFUSED = {
    "duplicate_json_key": ("r.jsonl", '{"task_id": "set-1", "annotator_id": "ann-1", "chosen": "a", "chosen": "b"}\n',
                           ["malformed_row:", "line 1", "'chosen' more than once"]),
    "duplicate_csv_column": ("r.csv", "task_id,annotator_id,chosen,chosen\nset-1,ann-1,a,b\n",
                             ["header:", "more than once", "chosen"]),
    "misspelled_json_key": ("r.jsonl", _jsonl(LINE, {**LINE, "explanaton": "clearer"}),
                            ["header:", "line 2", "explanaton"]),
    "misspelled_csv_column": ("r.csv", "task_id,annotator_id,chosen,secnds\nset-1,ann-1,b,12\n",
                              ["header:", "line 2", "secnds"]),
}  # fmt: skip


def _ingest(duckdb, name: str, text: str) -> dg.ExecuteInProcessResult:
    with duckdb.connect() as con:  # one exported task, as `annotation_tasks` would have written it
        con.execute("create table annotation_tasks as select 'set-1' as task_id, null::varchar as annotator_id")
    (duckdb.subdir("inbox") / name).write_text(text, encoding="utf-8")
    return dg.materialize([inbox], resources={"duckdb": duckdb}, raise_on_error=False, **batch_run(duckdb))


@pytest.mark.parametrize("case", list(REFUSED))
def test_ambiguous_files_are_refused_naming_file_line_and_column(duckdb, case):
    name, text, parts = REFUSED[case]
    result = _ingest(duckdb, name, text)
    assert not result.success
    [failure] = [e for e in result.all_events if e.is_step_failure]
    message = failure.step_failure_data.error.message
    assert failure.step_failure_data.error.cls_name == "Failure" and "nothing was ingested" in message, message
    assert name in message and all(part in message for part in parts), message
    with duckdb.connect(read_only=True) as con:
        tables = {t for (t,) in con.sql("select table_name from information_schema.tables").fetchall()}
    assert "task_results" not in tables


@pytest.mark.parametrize("name, seconds", [
    ("nan.jsonl", "NaN"), ("inf.jsonl", "Infinity"), ("huge.jsonl", "1e999"), ("minus.jsonl", "-Infinity"),
    ("nan.csv", "nan"), ("inf.csv", "inf"), ("huge.csv", "1e999"),
])  # fmt: skip
def test_seconds_that_are_not_a_duration_are_quarantined(duckdb, name, seconds):
    if name.endswith(".jsonl"):  # a bare JSON token, as Python's json module writes NaN and Infinity
        text = '{"task_id": "set-1", "annotator_id": "ann-1", "chosen": "b", "seconds": ' + seconds + "}\n"
    else:
        text = f"task_id,annotator_id,chosen,seconds\nset-1,ann-1,b,{seconds}\n"
    assert _ingest(duckdb, name, text).success
    with duckdb.connect(read_only=True) as con:
        kept = con.sql("select count(*) from task_results").fetchall()[0][0]
        [(reason, reasons)] = con.sql("select reason, reasons from annotation_quarantine").fetchall()
    assert kept == 0 and reason == "bad_seconds" and reasons == ["bad_seconds"]


def test_line_separators_inside_json_strings_and_the_exported_columns_are_kept_as_text(duckdb):
    """U+2028 and U+0085 raw in a string (our export writes them so) are not line breaks; a tool that returns the
    exported task with the choice added is read, its task columns ignored."""
    explanation = "first\u2028second\u0085third"
    returned = {"task_id": TASK, "kind": "set", "lang": "en", "turn": 1, "history": [], "prompt": "Hi?",
                **{f"response_{p}": p for p in "abcd"}, "annotator_id": "ann-1", "chosen": "c", "explanation": explanation}
    assert _ingest(duckdb, "r.jsonl", _jsonl(returned)).success
    with duckdb.connect(read_only=True) as con:
        rows = con.sql("select task_id, chosen_position, explanation, source_line from task_results").fetchall()
        quarantined = con.sql("select count(*) from annotation_quarantine").fetchall()[0][0]
    assert rows == [(TASK, "c", explanation, 1)] and quarantined == 0


def test_a_shown_order_that_is_not_an_order_of_the_four_answers_is_quarantined(duckdb):
    lines = [{"task_id": "set-1", "annotator_id": f"ann-{i}", "chosen": "b", "shown_order": order}
             for i, order in enumerate(["DCBA", "abca", "abcde", "ab", "wxyz"])]  # fmt: skip
    assert _ingest(duckdb, "orders.jsonl", "".join(json.dumps(line) + "\n" for line in lines)).success
    with duckdb.connect(read_only=True) as con:
        kept = con.sql("select shown_order from task_results").fetchall()
        reasons = con.sql("select reason from annotation_quarantine order by source_line").fetchall()
    assert kept == [("dcba",)] and reasons == [("bad_shown_order",)] * 4
