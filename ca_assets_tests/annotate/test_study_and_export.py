"""The annotation app's parts without a server: recruitment files, links, the shown order, and the export to the
inbox being exactly-once across a kill between marking rows and writing their file."""

import json

import pytest

from ca_assets.annotate.export import export
from ca_assets.annotate.store import Store, as_json, now
from ca_assets.annotate.study import (
    RecruitmentRejected,
    annotator_for_panel,
    annotator_for_token,
    create_study,
    read_recruitment,
    reissue_link,
    revoke_link,
)
from ca_assets.annotate.tasks import TASKS_FILE, TaskExport
from ca_assets.defs.annotation.simulation import shown_order

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
    tokens = create_study(store, "s", read_recruitment(_write(tmp_path, GOOD))).tokens
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
        con.execute("insert into conversations (conversation_id, annotator_id, lang, prompt_id, sampler, first_set_id, started_at)"
                    " values ('c1', 'p1', 'fr', 'pr', 'nc', 'set-1', ?)", (now(),))  # fmt: skip
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
    [written] = export(store, tmp_path, tasks)
    row, check = [json.loads(line) for line in written.read_text(encoding="utf-8").splitlines()]
    assert (check["task_id"], check["annotator_id"], check["chosen"], check["seconds"]) == ("gold-1", "p1", "d", 3.0)
    assert row == {"task_id": "set-1", "annotator_id": "p1", "chosen": "c", "shown_order": "dcab", "explanation": None, "seconds": 12.5,
                   "next_message": "Et alors ?", "assigned_lang": "fr", "annotator_country": "france", "annotator_age": "55+",
                   "annotator_gender": None, "annotator_education_level": None, "annotator_ethnicity": None,
                   "annotator_political": None}  # fmt: skip
    assert export(store, tmp_path, tasks) == []  # nothing new
    # Killed after marking the rows, before their file was written: the next export writes that same file.
    content = written.read_bytes()
    written.unlink()
    assert export(store, tmp_path, tasks) == []
    assert written.read_bytes() == content
    assert len(list((tmp_path / "inbox").iterdir())) == 1


def test_a_later_turn_waits_until_the_pipeline_exports_its_task(tmp_path):
    store = Store(tmp_path)
    create_study(store, "s", read_recruitment(_write(tmp_path, GOOD)))
    _one_choice(store, tmp_path)
    with store.transaction() as con:
        con.execute("update choices set set_id = 'set-2-live', turn = 2")  # a set the pipeline has not generated yet
    tasks = TaskExport(tmp_path)
    assert export(store, tmp_path, tasks) == []
    lines = (tmp_path / TASKS_FILE).read_text(encoding="utf-8")
    later = {**json.loads(lines), "task_id": "set-2-live", "set_id": "set-2-live", "turn": 2, "annotator_id": "p2"}
    (tmp_path / TASKS_FILE).write_text(lines + json.dumps(later) + "\n", encoding="utf-8")
    assert export(store, tmp_path, tasks) == []  # exported for another annotator: not this one's to answer
    (tmp_path / TASKS_FILE).write_text(lines + json.dumps({**later, "annotator_id": "p1"}) + "\n", encoding="utf-8")
    assert export(store, tmp_path, tasks) != []


def test_an_opening_goes_to_the_prompts_stage_once_even_across_a_kill(tmp_path):
    from ca_assets.defs.prompts.prompt_bank import PromptSources, read_sources

    store = Store(tmp_path)
    create_study(store, "s", read_recruitment(_write(tmp_path, GOOD)))
    with store.transaction() as con:
        for person, text in (("p1", "Faut-il  dire la vérité ?"), ("p2", "Faut-il dire la vérité ?")):
            con.execute(
                "insert into conversations (conversation_id, annotator_id, lang, prompt_id, sampler, opening, started_at)"
                " values (?, ?, 'fr', 'pr', 'iid', ?, ?)", (f"c-{person}", person, text.replace("  ", " "), now()),
            )  # fmt: skip
    [written] = export(store, tmp_path, TaskExport(tmp_path))  # no choice yet: only the openings
    assert written.parent.name == "openings"
    content = written.read_bytes()
    written.unlink()  # killed after marking, before writing: the next export writes the same file, nothing new
    assert export(store, tmp_path, TaskExport(tmp_path)) == [] and written.read_bytes() == content
    kept, quarantined, read = read_sources(PromptSources(bundled_bank=False), tmp_path)
    # Two people who open with the same words each get a prompt of their own, sampled with the app's sampler.
    assert read == 2 and quarantined.empty and kept["prompt_id"].nunique() == 2
    assert set(kept["annotator_id"]) == {"p1", "p2"} and set(kept["sampler"]) == {"iid"} and set(kept["source"]) == {"annotator"}
    # A hostile openings file: rows that cannot be openings are quarantined with a reason; a broken file is refused.
    (tmp_path / "openings" / "z.jsonl").write_text(
        '{"text": "x", "lang": "fr", "annotator_id": "", "sampler": "nc"}\n'
        '{"text": "y", "lang": "fr", "annotator_id": "p9", "sampler": "greedy"}\n', encoding="utf-8",
    )
    kept, quarantined, read = read_sources(PromptSources(bundled_bank=False), tmp_path)
    assert read == 4 and len(kept) == 2 and list(quarantined["reason"]) == ["no_annotator", "unknown_sampler"]
    (tmp_path / "openings" / "z.jsonl").write_text('{"text": "x", "lang": "fr", "annotator_id": "p", "sampler": "nc", "topic": 1}\n')
    from ca_assets.formats.ca_csv import FileRejected

    with pytest.raises(FileRejected, match="does not know"):
        read_sources(PromptSources(bundled_bank=False), tmp_path)


def test_a_panel_link_maps_a_participant_id_to_their_annotator(tmp_path):
    store = Store(tmp_path)
    with pytest.raises(RecruitmentRejected, match="external_id"):
        create_study(store, "n", read_recruitment(_write(tmp_path, "annotator_id,country,lang\nq1,france,fr\n")), panel_param="PID")
    made = create_study(store, "s", read_recruitment(_write(tmp_path, GOOD)), panel_param="PROLIFIC_PID")
    assert made.panel and made.panel.encode() not in store.path.read_bytes()
    link = annotator_for_panel(store, made.panel, {"PROLIFIC_PID": "PID-1"})
    assert annotator_for_token(store, link)["annotator_id"] == "p1"
    again = annotator_for_panel(store, made.panel, {"PROLIFIC_PID": "PID-1"})  # a second arrival: a fresh link
    assert annotator_for_token(store, again)["annotator_id"] == "p1" and annotator_for_token(store, link) is None
    for token, params in ((made.panel, {"PROLIFIC_PID": "PID-2"}), (made.panel, {"pid": "PID-1"}), (made.admin, {"PROLIFIC_PID": "PID-1"}),
                          (made.panel, {"PROLIFIC_PID": "'; drop table annotators; --"})):  # fmt: skip
        assert annotator_for_panel(store, token, params) is None
