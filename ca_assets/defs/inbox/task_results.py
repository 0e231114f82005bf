"""The project's own annotation task format: tasks exported for annotation tools, results read back.

Export (`annotation_tasks`, under <data>/exports/tasks/ as JSONL and CSV): one task per candidate set to
annotate (every first-turn set; later-turn sets of the human conversations in progress, for their annotator)
and per attention-check item, with the conversation so far, the four responses and their ids. The right
answer of an attention check is not exported.

Results (dropped in inbox/ as `*.jsonl`, or `*.csv` with a `task_id` column): one row per answered task:
  task_id, annotator_id, chosen (a–d)                          required
  explanation, seconds, next_message                           optional (next_message continues the conversation)
  shown_order                                                  optional: the order the answers were shown in, e.g.
                                                               "cadb" (c first); absent: the export's shown_order
  assigned_lang, annotator_country, annotator_age, annotator_gender, annotator_education_level,
  annotator_ethnicity, annotator_political                     optional, the release's annotator fields
A result may also carry the exported task's own columns (a tool that returns each task with the choice added):
they are ignored. A file whose structure is broken is refused whole, like a Community Alignment CSV: not UTF-8, a
line that is not a JSON object or names a key twice, a CSV line with the wrong number of fields or a column
named twice, the required columns missing, or a column that is neither a result's nor the export's (a
misspelled `explanaton` would otherwise be dropped without a word).
"""

import csv
import json
from pathlib import Path

import pandas as pd

from ca_assets.defs.annotation.schemas import AnnotationTasks
from ca_assets.formats.ca_csv import SOURCE_LINE, FileRejected, csv_records, decode, jsonl_records

TASK_RESULTS_FORMAT = "task_results"
REQUIRED = ("task_id", "annotator_id", "chosen")
OPTIONAL = (
    "explanation", "seconds", "next_message", "assigned_lang", "annotator_country", "annotator_age",
    "annotator_gender", "annotator_education_level", "annotator_ethnicity", "annotator_political", "shown_order",
)
FIELDS = (*REQUIRED, *OPTIONAL)
# The export's columns a returned task may still carry (read, then ignored: the inbox trusts the exported tasks).
EXPORTED = tuple(column for column in AnnotationTasks.to_schema().columns if column not in FIELDS)
# Order in which a quarantined result's reasons are listed; the first is its `reason`.
RESULT_PROBLEMS = (
    "missing_field", "unknown_task", "wrong_annotator", "bad_label", "bad_shown_order", "bad_seconds", "duplicate_submission",
)


def is_task_results(path: Path, data: bytes | None = None) -> bool:
    """JSONL files, and CSVs whose header names a task_id, are task results; other CSVs are the CA layout."""
    if path.suffix.lower() == ".jsonl":
        return True
    if data is None:
        with open(path, "rb") as handle:
            data = handle.readline()
    end = data.find(b"\n")  # the first line only: slicing copies it, not the rest of a large file
    first = (data if end < 0 else data[:end]).decode("utf-8-sig", errors="replace")
    # splitlines: a file with bare CR line ends reads as one line, which csv.reader would refuse outright.
    return "task_id" in next(csv.reader(first.splitlines()[:1]), [])


def read_task_results(path: Path, data: bytes | None = None) -> pd.DataFrame:
    """Every result row as strings (FIELDS, missing ones null), in file order, with its source line. `data`: the
    file's bytes, when the caller already read them."""
    name = Path(path).name
    text = decode(Path(path).read_bytes() if data is None else data, name)
    if text and not text.endswith(("\n", "\r")):
        raise FileRejected("truncated", f"{name} does not end with a line break: it may have been cut off")
    rows, lines = (jsonl_records if name.lower().endswith(".jsonl") else _csv)(text, name)
    missing = [field for field in REQUIRED if rows and not any(field in row for row in rows)]
    if missing:
        raise FileRejected("header", f"{name} has no {missing} in any result; required: {list(REQUIRED)}")
    for row, line in zip(rows, lines, strict=True):
        unknown = [key for key in row if key not in FIELDS and key not in EXPORTED]
        if unknown:
            raise FileRejected(
                "header", f"{name}: line {line} has columns a result does not have: {unknown}; a result has "
                f"{list(FIELDS)} (and may keep the exported task's columns, which are ignored)",
            )
    frame = pd.DataFrame([{field: _text(row.get(field)) for field in FIELDS} for row in rows], columns=list(FIELDS), dtype=object)
    frame[SOURCE_LINE] = lines
    return frame


def _text(value) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value)


def _check_header(header: list[str], name: str) -> None:
    missing = [field for field in REQUIRED if field not in header]
    if missing:
        raise FileRejected("header", f"{name} lacks the task-result columns {missing}; its header is {header[:8]}")
    duplicated = sorted({column for column in header if header.count(column) > 1})
    if duplicated:
        raise FileRejected("header", f"{name} has columns more than once: {duplicated}")


def _csv(text: str, name: str) -> tuple[list[dict], list[int]]:
    header, records, lines = csv_records(text, name, _check_header)
    rows = [{column: (cell if cell != "" else None) for column, cell in zip(header, record, strict=True)} for record in records]
    return rows, lines
