"""What the app reads from the pipeline: its task export, <data>/exports/tasks/tasks.jsonl (never the DuckDB file,
which a run may be writing). The first-turn sets come from there; an annotator's next sets are generated live."""

import json
import threading
from dataclasses import dataclass
from pathlib import Path

from ca_assets.core.ids import stable_id

TASKS_FILE = Path("exports") / "tasks" / "tasks.jsonl"


@dataclass(frozen=True)
class Task:
    task_id: str
    kind: str  # set | gold
    lang: str
    turn: int
    set_id: str | None
    annotator_id: str | None  # set when only that annotator may answer
    prompt_id: str | None
    sampler: str | None
    messages: tuple[tuple[str, str], ...]  # the conversation the answers respond to, ending with the user's message
    answers: tuple[str, str, str, str]  # at generation positions a-d


class TaskExport:
    """tasks.jsonl, re-read when the pipeline rewrites it (it is replaced by rename, never half-written)."""

    def __init__(self, data_dir: Path):
        self.path = Path(data_dir) / TASKS_FILE
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._tasks: dict[str, Task] = {}

    def tasks(self) -> dict[str, Task]:
        with self._lock:
            try:
                stat = self.path.stat()
            except FileNotFoundError:
                return {}
            stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
            if stamp != self._stamp:
                self._tasks = {t.task_id: t for t in _read(self.path)}
                self._stamp = stamp
            return self._tasks

    def gold_items(self, lang: str) -> list[Task]:
        """The attention-check items of a language (their right answers are not in the export)."""
        return sorted((t for t in self.tasks().values() if t.kind == "gold" and t.lang == lang), key=lambda t: t.task_id)

    def first_turn_sets(self, lang: str) -> list[Task]:
        """The open first-turn sets of a language: not the sets of openings people wrote, which only the writer answers."""
        return sorted(
            (t for t in self.tasks().values()
             if t.kind == "set" and t.turn == 1 and t.lang == lang and t.prompt_id and t.annotator_id is None),
            key=lambda t: t.task_id,
        )  # fmt: skip

    def samplers(self, lang: str) -> list[str]:
        """The samplers the pipeline samples a language's first turns with: a written opening gets one of them."""
        return sorted({t.sampler for t in self.first_turn_sets(lang) if t.sampler})


def _read(path: Path) -> list[Task]:
    tasks = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if not line.strip():
            continue
        row = json.loads(line)
        history = tuple((m["role"], m["content"]) for m in row["history"])
        tasks.append(
            Task(
                row["task_id"], row["kind"], row["lang"], int(row["turn"]), row.get("set_id"), row.get("annotator_id"),
                row.get("prompt_id"), row.get("sampler"), (*history, ("user", row["prompt"])),
                (row["response_a"], row["response_b"], row["response_c"], row["response_d"]),
            )
        )
    return tasks


def pick_first_set(export: TaskExport, store, annotator, per_set: int) -> Task | None:
    """The annotator's next first-turn set: of their language, not yet theirs, under the study's quota of
    annotators per set, the least-taken first (ties in a seeded order per annotator): balanced coverage."""
    taken = {
        row["first_set_id"]: row["n"]
        for row in store.all(
            "select first_set_id, count(*) as n from conversations as c join annotators as a using (annotator_id)"
            " where a.study_id = ? group by first_set_id",
            (annotator["study_id"],),
        )
    }
    mine = {row["first_set_id"] for row in store.all(
        "select first_set_id from conversations where annotator_id = ?", (annotator["annotator_id"],)
    )}  # fmt: skip
    open_sets = [
        t for t in export.first_turn_sets(annotator["lang"]) if t.task_id not in mine and taken.get(t.task_id, 0) < per_set
    ]
    if not open_sets:
        return None
    return min(open_sets, key=lambda t: (taken.get(t.task_id, 0), stable_id(annotator["annotator_id"], t.task_id)))
