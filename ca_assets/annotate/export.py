"""Completed choices to the pipeline: task-results files in <data>/inbox/, where the inbox sensor ingests them; and
the openings people wrote, as files in <data>/openings/, which the prompts stage reads (defs/prompts/prompt_bank.py).

An opening goes at once: the pipeline then samples its first-turn set (a cache hit: the person saw it) and exports
that set's task for its writer.

A choice is exported once the pipeline knows its task: a first-turn set is in the task export from the start; a
later turn's set (generated live) is in it after the pipeline has ingested the previous turn and generated that turn
itself (from the response cache: the same set id). The inbox refuses a result for a task it never exported, so
holding a result back until then is what lets every turn reach `main.annotations`.

Exactly once: the rows are marked with their file's name in the store first, then the file is written under a
temporary name and renamed. A kill in between leaves rows marked for a file that does not exist, and the next export
writes that file again from the same rows (the same bytes), so nothing is sent twice or lost.
"""

import json
from pathlib import Path

from ca_assets.annotate.store import Store, now
from ca_assets.annotate.tasks import TaskExport
from ca_assets.core.ids import stable_id
from ca_assets.core.paths import written_beside
from ca_assets.defs.prompts.prompt_bank import OPENINGS_DIR

INBOX = "inbox"
PREFIX = "live-"
OPENINGS_ROWS = """
select conversation_id as key_a, annotator_id, lang, sampler, opening as text, opening_exported_in as exported_in
from conversations
where opening is not null
"""
OPENINGS_MARK = "update conversations set opening_exported_in = ? where conversation_id = ? and opening_exported_in is null"

# Choices and answered attention checks, as the rows of one task-results file.
ROWS = """
select * from (
    select
        'choices' as source, ch.conversation_id as key_a, ch.turn as key_b, ch.set_id as task_id, a.annotator_id,
        ch.chosen, ch.shown_order, ch.explanation, ch.seconds, ch.next_message, ch.submitted_at, ch.exported_in,
        a.lang, a.country, a.demographics
    from choices as ch
    join conversations as c using (conversation_id)
    join annotators as a on a.annotator_id = c.annotator_id
    union all
    select
        'checks', k.annotator_id, 0, k.item_id, a.annotator_id,
        k.chosen, k.shown_order, null, k.seconds, null, k.submitted_at, k.exported_in,
        a.lang, a.country, a.demographics
    from checks as k
    join annotators as a using (annotator_id)
    where k.chosen is not null
)
"""
ORDER = " order by submitted_at, key_a, key_b"
MARK = {
    "choices": "update choices set exported_in = ? where conversation_id = ? and turn = ? and exported_in is null",
    "checks": "update checks set exported_in = ? where annotator_id = ? and item_id = ? and exported_in is null",
}


def result_row(row) -> dict:
    """One task result in the project's format (defs/inbox/task_results.py)."""
    demographics = json.loads(row["demographics"] or "{}")
    return {
        "task_id": row["task_id"],
        "annotator_id": row["annotator_id"],
        "chosen": row["chosen"],
        "shown_order": row["shown_order"],  # the order this person saw, seeded per (annotator, set)
        "explanation": row["explanation"],
        "seconds": round(row["seconds"], 3),
        "next_message": row["next_message"],
        "assigned_lang": row["lang"],
        "annotator_country": row["country"],
        **{f"annotator_{field}": demographics.get(field) for field in ("age", "gender", "education_level", "ethnicity", "political")},
    }


def _exportable(store: Store, tasks: TaskExport) -> list:
    known = tasks.tasks()
    return [
        row for row in store.all(ROWS + " where exported_in is null" + ORDER)
        if row["task_id"] in known and known[row["task_id"]].annotator_id in (None, row["annotator_id"])
    ]  # fmt: skip


def opening_row(row) -> dict:
    """One opening as the prompts stage reads it (defs/prompts/prompt_bank.py: OPENING_COLUMNS)."""
    return {"annotator_id": row["annotator_id"], "lang": row["lang"], "sampler": row["sampler"], "text": row["text"]}


def _choices_in(store: Store, name: str) -> str:
    rows = store.all(ROWS + " where exported_in = ?" + ORDER, (name,))
    return "".join(json.dumps(result_row(r), ensure_ascii=False) + "\n" for r in rows)


def _openings_in(store: Store, name: str) -> str:
    rows = store.all(OPENINGS_ROWS + " and opening_exported_in = ? order by started_at, conversation_id", (name,))
    return "".join(json.dumps(opening_row(r), ensure_ascii=False) + "\n" for r in rows)


def export(store: Store, data_dir: Path, tasks: TaskExport) -> list[Path]:
    """Write the openings and the choices ready to go, one file each (and rewrite any file a kill left
    unwritten); the files written."""
    folders = {"openings": Path(data_dir) / OPENINGS_DIR, "choices": Path(data_dir) / INBOX}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    _rewrite_missing(store, folders)
    tasks.tasks()  # read the task export before taking the store's write lock
    written = []
    with store.transaction() as con:  # two exporters (the app's loop, the command) never take the same rows
        openings = store.all(OPENINGS_ROWS + " and opening_exported_in is null order by started_at, conversation_id")
        if openings:
            name = f"{PREFIX}{stable_id([r['key_a'] for r in openings], now())}.jsonl"
            for row in openings:
                con.execute(OPENINGS_MARK, (name, row["key_a"]))
            written.append(("openings", name))
        rows = _exportable(store, tasks)
        if rows:
            name = f"{PREFIX}{stable_id([(r['key_a'], r['key_b'], r['task_id']) for r in rows], now())}.jsonl"
            for row in rows:
                con.execute(MARK[row["source"]], (name, row["key_a"], row["task_id"] if row["source"] == "checks" else row["key_b"]))
            written.append(("choices", name))
    for kind, name in written:  # openings first: the pipeline needs an opening before its choice is any use
        _write(store, folders[kind] / name, kind)
    return [folders[kind] / name for kind, name in written]


WRITERS = {"openings": _openings_in, "choices": _choices_in}


def _write(store: Store, path: Path, kind: str) -> None:
    text = WRITERS[kind](store, path.name)
    with written_beside(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def _rewrite_missing(store: Store, folders: dict[str, Path]) -> None:
    marked = {
        "choices": "select exported_in from choices where exported_in is not null"
        " union select exported_in from checks where exported_in is not null",
        "openings": "select opening_exported_in as exported_in from conversations where opening_exported_in is not null",
    }
    for kind, sql in marked.items():
        for row in store.all(sql):
            if not (folders[kind] / row["exported_in"]).exists():
                _write(store, folders[kind] / row["exported_in"], kind)
