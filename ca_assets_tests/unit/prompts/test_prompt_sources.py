"""Bring your own prompts: JSONL, CSV and Parquet files under the data directory read beside (or instead of) the
bundled bank, their bad rows quarantined with a reason so that rows read = prompts + quarantined, broken files and
paths outside the data directory refused; and the language list as configuration."""

import json

import dagster as dg
import pandas as pd
import pytest

from ca_assets.defs.prompts.assets import prompt_quarantine, prompts, prompts_checks
from ca_assets.defs.prompts.prompt_bank import PromptSources, bank_prompts, read_prompt_file, read_sources, split_prompts, user_file
from ca_assets.formats.ca_csv import FileRejected
from ca_assets.vocab import DEFAULT_LANGS, configured_languages

BANK_PROMPT = bank_prompts().query("lang == 'en'").iloc[0]
ROWS = [
    {"text": "Should I tell my parents I am quitting my job to travel?", "lang": "en", "topic": "family"},
    {"text": "  Faut-il   accepter un poste loin de sa famille ?  ", "lang": "fr"},
    {"text": BANK_PROMPT["text"].upper(), "lang": BANK_PROMPT["lang"]},  # the bank's prompt, typed differently
    {"text": "   ", "lang": "en"},
    {"text": "Soll ich meinen Eltern sagen, dass ich kündige?", "lang": "de"},
    {"text": "Faut-il accepter un poste loin de sa famille ?", "lang": "fr", "source": "again"},
]


def _jsonl(path, rows) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")


def test_languages_are_configuration():
    assert configured_languages(None) == configured_languages("") == DEFAULT_LANGS
    assert configured_languages(" en, de ,en") == ("en", "de")
    with pytest.raises(ValueError, match="ISO 639"):
        configured_languages("en,DE;rm")


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_each_format_reads_the_same_rows_with_their_lines(tmp_path, suffix):
    frame = pd.DataFrame([{**{"topic": None, "source": None}, **row} for row in ROWS])[["text", "lang", "topic", "source"]]
    path = tmp_path / f"mine{suffix}"
    if suffix == ".jsonl":
        _jsonl(path, ROWS)
    elif suffix == ".csv":
        frame.to_csv(path, index=False, lineterminator="\n")
    else:
        frame.to_parquet(path)
    rows = read_prompt_file(path, path.name)
    assert [row["lang"] for row in rows] == [row["lang"] for row in ROWS]
    first_line = 2 if suffix == ".csv" else 1  # a CSV's line 1 is its header; a Parquet row counts from 1
    assert [row["line"] for row in rows] == list(range(first_line, first_line + len(ROWS)))
    assert rows[1]["text"] == ROWS[1]["text"] and rows[0]["topic"] == "family"


def test_bad_rows_are_quarantined_with_a_reason_and_the_counts_reconcile(tmp_path):
    _jsonl(tmp_path / "prompts" / "mine.jsonl", ROWS)
    kept, quarantined, rows_read = read_sources(PromptSources(files=["prompts/mine.jsonl"]), tmp_path)
    assert rows_read == len(bank_prompts()) + len(ROWS) == len(kept) + len(quarantined)
    mine = quarantined[quarantined["file"] == "prompts/mine.jsonl"].set_index("line")
    assert mine["reason"].to_dict() == {3: "duplicate", 4: "empty_text", 5: "unknown_language", 6: "duplicate"}
    assert "bank/" in mine.loc[3, "detail"] and "prompts/mine.jsonl:2" in mine.loc[6, "detail"]
    assert json.loads(mine.loc[5, "raw_row"]) == ROWS[4]
    new = kept[kept["file"] == "prompts/mine.jsonl"]
    assert new["text"].tolist() == [ROWS[0]["text"], "Faut-il accepter un poste loin de sa famille ?"]
    assert new["line"].tolist() == [1, 2]
    only_mine, _, read = read_sources(PromptSources(files=["prompts/mine.jsonl"], bundled_bank=False), tmp_path)
    assert read == len(ROWS) and len(only_mine) == 3  # the bank's prompt is no duplicate without the bank


def test_u2028_inside_a_json_string_is_text_not_a_line_break(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps({"text": "one\u2028two is fine", "lang": "en"}, ensure_ascii=False) + "\n", encoding="utf-8")
    assert [row["text"] for row in read_prompt_file(path, "p.jsonl")] == ["one\u2028two is fine"]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("no_lang.jsonl", '{"text": "hello there"}\n', "header"),
        ("typo.jsonl", '{"text": "hello there", "lang": "en", "topc": "x"}\n', "header"),
        ("broken.jsonl", '{"text": "hello there", "lang": "en"\n', "malformed_row"),
        ("list.jsonl", '["hello", "en"]\n', "malformed_row"),
        ("cut.csv", 'text,lang\n"hello,en\n', "truncated"),
        ("latin1.csv", "text,lang\ncaf\xe9,fr\n", "encoding"),
        ("fake.parquet", "text,lang\n", "format"),
    ],
)
def test_a_broken_file_is_refused_whole_naming_file_and_problem(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content.encode("latin-1"))
    with pytest.raises(FileRejected, match=name.split(".")[0]) as refused:
        read_prompt_file(path, name)
    assert refused.value.reason == reason


@pytest.mark.parametrize("relative", ["../outside.jsonl", "/etc/passwd", "prompts/../../x.jsonl", "prompts/mine.txt", "missing.jsonl"])
def test_run_config_cannot_point_outside_the_data_directory(tmp_path, relative):
    data = tmp_path / "data"
    _jsonl(data / "prompts" / "mine.txt", ROWS)
    _jsonl(tmp_path / "outside.jsonl", ROWS)
    with pytest.raises(FileRejected):
        user_file(data, relative)


def test_split_keeps_first_occurrence_in_reading_order():
    rows = [{**row, "topic": None, "source": None, "file": "f", "line": n} for n, row in enumerate(ROWS[:2] * 2, start=1)]
    kept, quarantined = split_prompts(rows)
    assert kept["line"].tolist() == [1, 2] and quarantined["line"].tolist() == [3, 4]


@pytest.mark.slow
def test_the_stage_writes_prompts_and_quarantine_per_language_partition(duckdb):
    _jsonl(duckdb.root / "prompts" / "mine.jsonl", ROWS)
    resources = {"duckdb": duckdb, "prompt_sources": PromptSources(files=["prompts/mine.jsonl"])}
    for lang in ("en", "fr"):
        result = dg.materialize([prompts, prompt_quarantine, *prompts_checks], resources=resources, partition_key=lang)
        assert result.success
        assert all(e.passed for e in result.get_asset_check_evaluations() if e.check_name == "matches_schema")
    with duckdb.connect(read_only=True) as con:
        langs = dict(con.sql("select lang, count(*) from prompts group by lang").fetchall())
        reasons = con.sql("select lang, reason from prompt_quarantine where file = 'prompts/mine.jsonl' order by line").fetchall()
        mine = con.sql("select lang, line from prompts where file = 'prompts/mine.jsonl' order by line").fetchall()
    assert langs == {"en": 25, "fr": 25}  # 24 bank prompts each, and one of the file's
    assert mine == [("en", 1), ("fr", 2)]
    # The unknown language belongs to no partition: each run rewrites it, and it is stored once.
    assert reasons == [("en", "duplicate"), ("en", "empty_text"), ("de", "unknown_language"), ("fr", "duplicate")]
