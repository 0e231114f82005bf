"""The annotation app's parts without a server: recruitment files, links, the shown order, and the export to the
inbox being exactly-once across a kill between marking rows and writing their file."""

import json

import pytest

from ca_assets.annotate.export import export
from ca_assets.annotate.live import shown_order
from ca_assets.annotate.store import Store, as_json, now
from ca_assets.annotate.study import (
    RecruitmentRejected,
    annotator_for_token,
    create_study,
    read_recruitment,
    reissue_link,
    revoke_link,
)
from ca_assets.annotate.tasks import TASKS_FILE, TaskExport

GOOD = "annotator_id,country,lang,external_id\np1,france,fr,PID-1\np2,India,hi,\n"


def _write(tmp_path, text: str | bytes):
    path = tmp_path / "recruitment.csv"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_a_recruitment_file_is_read_or_refused_naming_the_line(tmp_path):
    recruits = read_recruitment(_write(tmp_path, GOOD))
    assert [(r.annotator_id, r.country, r.lang, r.external_id) for r in recruits] == [
        ("p1", "france", "fr", "PID-1"), ("p2", "india", "hi", None)
    ]
    refused = {
        "annotator_id,country\np1,france\n": "the header must name",
        "annotator_id,country,lang,email\np1,france,fr,a@b.c\n": "unknown ['email']",
        "annotator_id,country,lang\np1,germany,fr\n": ":2: country must be one of",
        "annotator_id,country,lang\np1,france,de\n": ":2: lang must be one of",
        "annotator_id,country,lang\np1,france,fr\np1,italy,it\n": ":3: annotator_id p1 appears twice",
        "annotator_id,country,lang\n../x,france,fr\n": ":2: annotator_id must be",
        "annotator_id,country,lang\np1,france\n": ":2: 2 fields, the header has 3",
        "annotator_id,country,lang\n": "no annotators",
    }
    for text, message in refused.items():
        with pytest.raises(RecruitmentRejected, match=message.replace("[", r"\[").replace("]", r"\]")):
            read_recruitment(_write(tmp_path, text))
    with pytest.raises(RecruitmentRejected, match="not UTF-8"):
        read_recruitment(_write(tmp_path, "annotator_id,country,lang\np1,fran\xe7e,fr\n".encode("latin-1")))


def test_links_are_stored_hashed_and_can_be_revoked_and_reissued(tmp_path):
    store = Store(tmp_path)
    _, tokens, admin = create_study(store, "s", read_recruitment(_write(tmp_path, GOOD)))
    assert len(set(tokens.values())) == 2 and all(len(t) >= 40 for t in tokens.values())
    stored = store.path.read_bytes()
    assert not any(token.encode() in stored for token in tokens.values())  # only their sha256
    assert annotator_for_token(store, tokens["p1"])["annotator_id"] == "p1"
    assert annotator_for_token(store, tokens["p1"][:-1] + "x") is None
    revoke_link(store, "p1")
    assert annotator_for_token(store, tokens["p1"]) is None
    fresh = reissue_link(store, "p1")
    assert annotator_for_token(store, fresh)["annotator_id"] == "p1" and annotator_for_token(store, tokens["p1"]) is None
    with pytest.raises(RecruitmentRejected, match="already in a study"):
        create_study(store, "again", read_recruitment(_write(tmp_path, GOOD)))


def test_the_shown_order_is_a_seeded_permutation_per_annotator_and_set():
    orders = {shown_order(f"p{i}", "set-1") for i in range(40)}
    assert all(sorted(o) == list("abcd") for o in orders) and len(orders) > 10
    assert shown_order("p1", "set-1") == shown_order("p1", "set-1")


def _one_choice(store: Store, tmp_path, turn: int = 1) -> None:
    task = {"task_id": "set-1", "kind": "set", "lang": "fr", "turn": 1, "set_id": "set-1", "annotator_id": None,
            "prompt_id": "pr", "sampler": "nc", "history": [], "prompt": "Bonjour ?",
            **{f"response_{p}": f"réponse {p}" for p in "abcd"}}  # fmt: skip
    (tmp_path / TASKS_FILE).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / TASKS_FILE).write_text(json.dumps(task) + "\n", encoding="utf-8")
    with store.transaction() as con:
        con.execute("update annotators set demographics = ? where annotator_id = 'p1'", (as_json({"age": "55+"}),))
        con.execute("insert into conversations values ('c1', 'p1', 'fr', 'pr', 'nc', 'set-1', ?, null, null)", (now(),))
        con.execute(
            "insert into choices (conversation_id, turn, set_id, chosen, shown_position, shown_order, seconds, next_message,"
            " submitted_at) values ('c1', ?, 'set-1', 'c', 2, 'dcab', 12.5, 'Et alors ?', ?)",
            (turn, now()),
        )


def test_the_export_sends_each_choice_once_even_across_a_kill(tmp_path):
    store = Store(tmp_path)
    create_study(store, "s", read_recruitment(_write(tmp_path, GOOD)))
    _one_choice(store, tmp_path)
    gold = {"task_id": "gold-1", "kind": "gold", "lang": "fr", "turn": 1, "set_id": None, "annotator_id": None,
            "prompt_id": None, "sampler": None, "history": [], "prompt": "Test ?", **{f"response_{p}": p for p in "abcd"}}  # fmt: skip
    with open(tmp_path / TASKS_FILE, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(gold) + "\n")
    with store.transaction() as con:  # an answered attention check goes with it; an unanswered one does not
        con.execute("insert into checks values ('p1', 'gold-1', 'bdca', ?, 'd', 2, 3.0, ?, null)", (now(), now() + 1))
        con.execute("insert into checks values ('p2', 'gold-1', 'bdca', ?, null, null, null, null, null)", (now(),))
    tasks = TaskExport(tmp_path)
    written = export(store, tmp_path, tasks)
    row, check = [json.loads(line) for line in written.read_text(encoding="utf-8").splitlines()]
    assert (check["task_id"], check["annotator_id"], check["chosen"], check["seconds"]) == ("gold-1", "p1", "d", 3.0)
    assert row == {"task_id": "set-1", "annotator_id": "p1", "chosen": "c", "explanation": None, "seconds": 12.5,
                   "next_message": "Et alors ?", "assigned_lang": "fr", "annotator_country": "france", "annotator_age": "55+",
                   "annotator_gender": None, "annotator_education_level": None, "annotator_ethnicity": None,
                   "annotator_political": None}  # fmt: skip
    assert export(store, tmp_path, tasks) is None  # nothing new
    # Killed after marking the rows, before their file was written: the next export writes that same file.
    content = written.read_bytes()
    written.unlink()
    assert export(store, tmp_path, tasks) is None
    assert written.read_bytes() == content
    assert len(list((tmp_path / "inbox").iterdir())) == 1


def test_a_later_turn_waits_until_the_pipeline_exports_its_task(tmp_path):
    store = Store(tmp_path)
    create_study(store, "s", read_recruitment(_write(tmp_path, GOOD)))
    _one_choice(store, tmp_path)
    with store.transaction() as con:
        con.execute("update choices set set_id = 'set-2-live', turn = 2")  # a set the pipeline has not generated yet
    tasks = TaskExport(tmp_path)
    assert export(store, tmp_path, tasks) is None
    lines = (tmp_path / TASKS_FILE).read_text(encoding="utf-8")
    later = {**json.loads(lines), "task_id": "set-2-live", "set_id": "set-2-live", "turn": 2, "annotator_id": "p2"}
    (tmp_path / TASKS_FILE).write_text(lines + json.dumps(later) + "\n", encoding="utf-8")
    assert export(store, tmp_path, tasks) is None  # exported for another annotator: not this one's to answer
    (tmp_path / TASKS_FILE).write_text(lines + json.dumps({**later, "annotator_id": "p1"}) + "\n", encoding="utf-8")
    assert export(store, tmp_path, tasks) is not None
