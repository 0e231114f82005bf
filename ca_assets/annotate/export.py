"""Completed choices to the pipeline: task-results files in <data>/inbox/, where the inbox sensor ingests them.

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

INBOX = "inbox"
PREFIX = "live-"

ROWS = """
select ch.*, a.annotator_id, a.lang, a.country, a.demographics
from choices as ch
join conversations as c using (conversation_id)
join annotators as a on a.annotator_id = c.annotator_id
"""


def result_row(row) -> dict:
    """One task result in the project's format (defs/inbox/task_results.py)."""
    demographics = json.loads(row["demographics"] or "{}")
    return {
        "task_id": row["set_id"],
        "annotator_id": row["annotator_id"],
        "chosen": row["chosen"],
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
        row for row in store.all(ROWS + " where ch.exported_in is null order by ch.submitted_at, ch.conversation_id, ch.turn")
        if row["set_id"] in known and known[row["set_id"]].annotator_id in (None, row["annotator_id"])
    ]  # fmt: skip


def export(store: Store, data_dir: Path, tasks: TaskExport) -> Path | None:
    """Write the choices ready to go as one inbox file (and rewrite any file a kill left unwritten); its path."""
    inbox = Path(data_dir) / INBOX
    inbox.mkdir(parents=True, exist_ok=True)
    _rewrite_missing(store, inbox)
    tasks.tasks()  # read the task export before taking the store's write lock
    with store.transaction() as con:  # two exporters (the app's loop, the command) never take the same rows
        rows = _exportable(store, tasks)
        if not rows:
            return None
        name = f"{PREFIX}{stable_id([(r['conversation_id'], r['turn']) for r in rows], now())}.jsonl"
        con.executemany(
            "update choices set exported_in = ? where conversation_id = ? and turn = ? and exported_in is null",
            [(name, r["conversation_id"], r["turn"]) for r in rows],
        )
    _write(store, inbox, name)
    return inbox / name


def _write(store: Store, inbox: Path, name: str) -> None:
    rows = store.all(ROWS + " where ch.exported_in = ? order by ch.submitted_at, ch.conversation_id, ch.turn", (name,))
    text = "".join(json.dumps(result_row(r), ensure_ascii=False) + "\n" for r in rows)
    with written_beside(inbox / name) as tmp:
        tmp.write_text(text, encoding="utf-8")


def _rewrite_missing(store: Store, inbox: Path) -> None:
    for row in store.all("select distinct exported_in from choices where exported_in is not null"):
        if not (inbox / row["exported_in"]).exists():
            _write(store, inbox, row["exported_in"])
