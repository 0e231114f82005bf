"""The annotation app's own store: SQLite in WAL mode under <data>/annotate/, never the pipeline's DuckDB file.

Every submission is committed (synchronous=FULL) before the next page is shown, so a server killed at any moment
loses nothing an annotator saw confirmed. A choice is keyed by (conversation, turn): a second submit of the same
turn (a refresh, a double click) records nothing new.
"""

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

STORE_DIR = "annotate"
STORE_FILE = "study.sqlite3"

SCHEMA = """
create table if not exists studies (
    study_id text primary key,
    name text not null,
    created_at real not null,
    closed_at real,
    annotators_per_set integer not null,
    max_turns integer not null,
    conversations_per_annotator integer not null default 3,
    completion_code text,
    redirect_url text,
    written_share real not null default 0,  -- the share of conversations opened on the annotator's own message
    admin_token_sha text,             -- the admin page's link; like annotators' links, only its sha256
    panel_param text,                 -- the query parameter a panel puts its participant id in (e.g. PROLIFIC_PID)
    panel_token_sha text              -- the study's panel link: /p/<token>?<panel_param>=<external_id>
);
create table if not exists annotators (
    annotator_id text primary key,
    study_id text not null references studies (study_id),
    token_sha text not null unique,   -- the link's token is never stored, only its sha256
    country text not null,
    lang text not null,
    external_id text,
    revoked_at real,
    consented_at real,
    demographics text,                -- JSON: the release's annotator fields
    instructed_at real,
    finished_at real
);
create table if not exists conversations (
    conversation_id text primary key,
    annotator_id text not null references annotators (annotator_id),
    lang text not null,
    prompt_id text not null,
    sampler text not null,
    first_set_id text,                -- the bank set it opened on; null when the annotator wrote the opening
    opening text,                     -- the annotator's own first message (normalised as the prompts stage does)
    opening_exported_in text,         -- the openings file that carried it to the pipeline
    started_at real not null,
    ended_at real,
    end_reason text                   -- finished | max_turns | quarantined
);
create table if not exists sets (     -- every set an annotator was (or is about to be) shown
    conversation_id text not null references conversations (conversation_id),
    turn integer not null,
    status text not null,             -- generating | ready | quarantined
    set_id text,
    messages text not null,           -- JSON: the conversation this set answers, ending with the user's message
    answers text,                     -- JSON: the four answers at generation positions a-d
    shown_order text,                 -- a permutation of 'abcd': shown_order[i] is the answer shown i-th
    reason text,
    raw_text text,
    seconds real,                     -- generation time, live
    shown_at real,
    primary key (conversation_id, turn)
);
create table if not exists choices (
    conversation_id text not null references conversations (conversation_id),
    turn integer not null,
    set_id text not null,
    chosen text not null,             -- generation position a-d (what the pipeline stores)
    shown_position integer not null,  -- 1-4: where the annotator saw it
    shown_order text not null,
    explanation text,
    seconds real not null,
    next_message text,
    submitted_at real not null,
    exported_in text,                 -- the inbox file that carried it to the pipeline
    primary key (conversation_id, turn)
);
create table if not exists checks (   -- attention checks: one after each finished conversation
    annotator_id text not null references annotators (annotator_id),
    item_id text not null,            -- the pipeline's gold item (its task in the export)
    shown_order text not null,
    shown_at real not null,
    chosen text,                      -- generation position a-d; null until answered
    shown_position integer,
    seconds real,
    submitted_at real,
    exported_in text,
    primary key (annotator_id, item_id)
);
"""


class Store:
    """One SQLite file; one connection per thread (sqlite3 connections are not shared across threads)."""

    def __init__(self, data_dir: Path):
        self.path = Path(data_dir) / STORE_DIR / STORE_FILE
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._connection().executescript(SCHEMA)  # `create ... if not exists`: its own transaction per statement

    def _connection(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            con.row_factory = sqlite3.Row
            con.execute("pragma journal_mode = wal")
            con.execute("pragma synchronous = full")  # a commit is on disk before the page that confirms it
            con.execute("pragma foreign_keys = on")
            self._local.con = con
        return con

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        con = self._connection()
        con.execute("begin immediate")
        try:
            yield con
        except BaseException:
            con.execute("rollback")
            raise
        con.execute("commit")

    def one(self, sql: str, params: tuple = ()) -> sqlite3.Row | None:
        return self._connection().execute(sql, params).fetchone()

    def all(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        return self._connection().execute(sql, params).fetchall()


def now() -> float:
    return time.time()


def as_json(value) -> str:
    return json.dumps(value, ensure_ascii=False)
