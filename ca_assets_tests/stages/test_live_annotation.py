"""A study as people do it: a real server (`ca-assets annotate serve`, uvicorn) over a copy of finished
conversations, headless Chromium at a phone's width, the real model generating each set while the person waits.

The person arrives through the panel link, consents, fills the demographics, writes their own opening, completes
four turns (keys and clicks, an explanation, next messages) with a SIGKILL and a restart of the server in the middle,
answers an attention check and gets the completion code. A second person (a bank set, plain HTTP) sees an answer
holding markup as text, and the first person's forged form naming the second's conversation is refused. Then the
app's exports go through the pipeline until the whole conversation is in `main.annotations` (source human, four
turns), in the comparisons and in the release; every set the pipeline writes is the one the person saw, and no run
sends the model a request the app had answered."""

import contextlib
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import dagster as dg
import pyarrow.parquet as pq
import pytest
import yaml

from ca_assets.annotate.store import STORE_DIR, STORE_FILE
from ca_assets.core.duckdb import DuckDB
from ca_assets.defs.aggregates.assets import aggregates, aggregates_checks
from ca_assets.defs.comparisons.assets import comparisons, comparisons_checks
from ca_assets.defs.quality import assets as quality
from ca_assets.defs.quality.rules import QualityRules
from ca_assets.defs.release import assets as releases
from ca_assets.defs.release.files import ReleaseSettings
from ca_assets.models.generation import Generator
from ca_assets_tests.support.browser import browser_page, chromium
from ca_assets_tests.support.conversation_run import export_tasks, materialize_conversations
from ca_assets_tests.support.local_server import free_port, serve

pytestmark = pytest.mark.slow

CLI = str(Path(sys.executable).with_name("ca-assets"))
MARKUP = '<script>alert(1)</script><img src=x onerror="alert(2)">'
OPENING = "How do I tell my <b>neighbours</b> their music is too loud?"
PERSON = "person-7"  # an annotation tool's user: results dropped in the inbox as a file
DEMOGRAPHICS = {"age": "35-45", "gender": "female", "education_level": "Post-secondary graduate",
                "ethnicity": "Prefer not to say", "political": "Moderate"}  # fmt: skip
PHONE = (412, 915)
# CA_ANNOTATE_SCREENSHOTS=docs/images refreshes the screenshots of a turn and the admin page (default: a temp folder).
SCREENSHOTS = os.environ.get("CA_ANNOTATE_SCREENSHOTS")


class Client:
    """A second person's browser, reduced to forms over plain HTTP: follows redirects, keeps nothing but the link."""

    def __init__(self, root: str, link: str):
        self.root, self.path = root, urllib.parse.urlsplit(link).path

    def get(self) -> str:
        with urllib.request.urlopen(self.root + self.path, timeout=30) as response:
            return response.read().decode()

    def post(self, action: str, fields: dict, page: str | None = None) -> tuple[int, str]:
        if page is not None:
            fields = {"csrf": _field(page, "csrf"), **fields}
        data = urllib.parse.urlencode(fields).encode()
        try:
            with urllib.request.urlopen(self.root + self.path + "/" + action, data=data, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def wait_for(self, text: str, timeout: float = 300) -> str:
        deadline = time.monotonic() + timeout
        while True:
            page = self.get()
            if text in page:
                return page
            assert time.monotonic() < deadline, f"no {text!r} in time; the page says: {page[-500:]}"
            time.sleep(0.5)


def _field(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no {name} field in {page[:300]}"
    return found.group(1)


def _turn_form(page: str, **fields) -> dict:
    return {"conversation_id": _field(page, "conversation_id"), "turn": _field(page, "turn"), **fields}


def _store(data: Path) -> sqlite3.Connection:
    con = sqlite3.connect(data / STORE_DIR / STORE_FILE)
    con.row_factory = sqlite3.Row
    return con


def _cached(data: Path) -> set[str]:
    return {p.name for p in (data / "cache" / "generation").rglob("*.json")}


def _new_study(data: Path, env: dict, recruitment: Path, *options: str) -> tuple[dict, str]:
    made = subprocess.run([CLI, "--data-dir", str(data), "annotate", "new-study", str(recruitment), *options],
                          capture_output=True, text=True, env=env, check=True)  # fmt: skip
    return dict(line.split(",") for line in made.stdout.strip().splitlines()[1:]), made.stderr


@pytest.fixture(scope="module")
def study(copy_of_conversations, tmp_path_factory):
    data = copy_of_conversations.root
    tmp = tmp_path_factory.mktemp("live")
    # The app samples with the pipeline's settings: the run config the conversations were launched with.
    config = tmp / "run_config.yaml"
    config.write_text(yaml.safe_dump({"resources": {"sampling": {"config": {"max_words": 12, "max_tokens": 24}}}}))
    # One French answer carries markup: the page must show it as text.
    tasks = data / "exports" / "tasks" / "tasks.jsonl"
    rows = [json.loads(line) for line in tasks.read_text(encoding="utf-8").splitlines()]
    for row in rows:
        if row["kind"] == "set" and row["lang"] == "fr":
            row["response_a"] = MARKUP + row["response_a"]
    tasks.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    (tmp / "written.csv").write_text("annotator_id,country,lang,external_id\nlive-en,united states,en,panel-7\n")
    (tmp / "bank.csv").write_text("annotator_id,country,lang\nlive-fr,france,fr\n")
    # The English study: every conversation opens on the person's own message; one conversation each.
    links, stderr = _new_study(data, env, tmp / "written.csv", "--name", "written", "--written-share", "1",
                               "--conversations-per-annotator", "1", "--completion-code", "C0DE-42", "--panel-param", "PID")  # fmt: skip
    links["admin"] = re.search(r"(\S+/admin/\S+)", stderr).group(1)  # on stderr, apart from the annotators' CSV
    links["panel"] = re.search(r"(\S+/p/\S+)", stderr).group(1)
    links.update(_new_study(data, env, tmp / "bank.csv", "--name", "bank", "--written-share", "0",
                            "--conversations-per-annotator", "1")[0])  # fmt: skip
    command = [CLI, "--data-dir", str(data), "annotate", "serve", "--config", str(config)]
    return data, command, env, links, Path(SCREENSHOTS) if SCREENSHOTS else tmp


def _start(command: list[str], env: dict) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen([*command, "--port", str(port)], env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    root = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(root + "/healthz", timeout=2):
                return process, root
        except OSError:
            assert process.poll() is None and time.monotonic() < deadline, "the app did not start"
            time.sleep(0.3)


def _post_as(root: str, link_path: str, csrf: str, action: str, fields: dict) -> int:
    """A form posted by hand with a person's link and CSRF token (the page's CSP forbids the page's own fetch)."""
    data = urllib.parse.urlencode({"csrf": csrf, **fields}).encode()
    try:
        with urllib.request.urlopen(root + link_path + "/" + action, data=data) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture(scope="module")
def journey(study):
    """live-fr (plain HTTP) takes a bank set and goes on one turn; live-en (Chromium, a phone) does a whole study
    with a SIGKILL of the server after their second message. What the pages showed along the way."""
    if chromium() is None:
        pytest.fail("Chromium is not installed: `make test` installs Debian's chromium package")
    data, command, env, links, shots = study
    process, root = _start(command, env)
    try:
        yield from _journey(data, command, env, links, shots, process, root)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)


def _journey(data, command, env, links, shots, process, root):
    seen = {}

    french = Client(root, links["live-fr"])
    french.post("consent", {}, french.get())
    seen["bad_demographics"] = french.post("about", {**DEMOGRAPHICS, "age": "17"}, french.get())[0]
    french.post("about", DEMOGRAPHICS, french.get())
    french.post("instructions", {}, french.get())
    seen["french_first"] = first = french.get()

    with browser_page(*PHONE, mobile=True) as page:
        # The French set's first answer holds markup: in a browser it is text, and no image or script came of it.
        page.goto(root + urllib.parse.urlsplit(links["live-fr"]).path)
        seen["french_text"] = page.wait_for_text("Tour 1 sur 4")
        seen["french_elements"] = page.evaluate("[document.images.length, document.scripts.length]")
        french.post("choose", _turn_form(first, choice="2", next_message="Et pour mes voisins ?", action="send"), first)

        panel = urllib.parse.urlsplit(links["panel"])  # printed for the default base URL: this server's port differs
        page.goto(f"{root}{panel.path}?{panel.query}panel-7")  # the panel adds the participant id to the study's link
        seen["consent"] = page.wait_for_text("Before you start")
        seen["link"] = page.evaluate("location.pathname")
        page.click_on("button[type=submit]")
        page.wait_for_text("About you")
        for name, value in DEMOGRAPHICS.items():
            page.evaluate(f"document.querySelector('select[name={name}]').value = {json.dumps(value)}")
        page.click_on("button[type=submit]")
        page.wait_for_text("How it works")
        page.click_on("button[type=submit]")

        page.wait_for_text("Start a conversation")
        page.type_into("#opening", OPENING)
        page.click_on("button[type=submit]")
        seen["turn_1"] = page.wait_for_text("Turn 1 of 4", timeout=300)
        seen["opening_tags"] = page.evaluate("document.querySelectorAll('.message b b, .message p b').length")
        seen["phone_fits"] = _no_sideways_scroll(page)
        page.screenshot(shots / "annotate_turn.png")
        # Their own link, another person's conversation: refused.
        with _store(data) as con:
            theirs = con.execute("select conversation_id from conversations where annotator_id = 'live-fr'").fetchone()[0]
        csrf = page.evaluate("document.querySelector('input[name=csrf]').value")
        forged = {"conversation_id": theirs, "turn": "1", "choice": "1", "action": "finish"}
        seen["forged"] = _post_as(root, seen["link"], csrf, "choose", forged)
        page.press("2")  # keys 1-4 choose (static/keys.js)
        page.type_into("#explanation", "More practical.")
        page.type_into("#next_message", "What if they do not answer the door?")
        form = page.evaluate("new URLSearchParams(new FormData(document.querySelector('form'))).toString()")
        page.click_on("button[value=send]")
        with contextlib.suppress(LookupError, RuntimeError):  # a double click: the second lands on the same form, or
            page.click_on("button")  # on the page after it (which has no button)
        seen["turn_2"] = page.wait_for_text("Turn 2 of 4", timeout=300)
        # The same post once more, as a browser's "resend" would: recorded once all the same.
        replay = urllib.request.Request(root + seen["link"] + "/choose", data=(form + "&action=send").encode())
        with urllib.request.urlopen(replay) as response:
            seen["double_submit"] = response.status
        page.click_on(".answer:nth-of-type(1)")
        page.type_into("#next_message", "Tell me more.")
        page.click_on("button[value=send]")
        page.wait_for_text("Writing four new answers", timeout=60)
        os.killpg(process.pid, signal.SIGKILL)  # mid-conversation: turn 3 is being generated
        process.wait(timeout=30)
        with _store(data) as con:
            seen["at_kill"] = [tuple(r) for r in con.execute("select turn, status from sets where conversation_id in"
                                                             " (select conversation_id from conversations where annotator_id = 'live-en')"
                                                             " order by turn")]  # fmt: skip

        with serve("annotate app", [*command, "--port", str(port := free_port())], port, "/healthz", 120, env=env) as root:
            page.goto(root + seen["link"])
            seen["turn_3"] = page.wait_for_text("Turn 3 of 4", timeout=300)
            page.press("4")
            page.type_into("#next_message", "And if it goes on?")
            page.click_on("button[value=send]")
            page.wait_for_text("Turn 4 of 4", timeout=300)
            page.press("3")
            page.type_into("#explanation", "Clear.")
            page.click_on("button[value=finish]")
            seen["check"] = page.wait_for_text("Continue")  # the attention check after the conversation
            page.press("1")
            page.click_on("button[type=submit]")
            seen["done"] = page.wait_for_text("C0DE-42")

            french = Client(root, links["live-fr"])
            second = french.wait_for("Tour 2 sur 4")
            french.post("choose", _turn_form(second, choice="1", action="finish"), second)
            with browser_page(1280, 900) as desk:  # the admin's page, on a desk
                desk.goto(root + urllib.parse.urlsplit(links["admin"]).path)
                seen["admin"] = desk.wait_for_text("Progress per country")
                desk.screenshot(shots / "annotate_admin.png")
            yield data, root, links, seen


def test_a_person_opens_with_their_own_message_and_finishes_four_live_turns(journey):
    data, _, _, seen = journey
    assert seen["link"].startswith("/a/")  # the panel link led to the person's own link
    assert seen["bad_demographics"] == 400  # a value outside the release's list
    assert OPENING in seen["turn_1"] and seen["opening_tags"] == 0  # their markup shown as text, not as a tag
    assert seen["phone_fits"], "the turn page scrolls sideways at a phone's width"
    with _store(data) as con:
        person = con.execute("select demographics, finished_at from annotators where annotator_id = 'live-en'").fetchone()
        conversation = dict(con.execute("select * from conversations where annotator_id = 'live-en'").fetchone())
        choices = [dict(r) for r in con.execute("select * from choices where conversation_id = ? order by turn",
                                                (conversation["conversation_id"],))]  # fmt: skip
        checks = con.execute("select count(*) from checks where annotator_id = 'live-en' and chosen is not null").fetchone()[0]
    assert json.loads(person["demographics"]) == DEMOGRAPHICS and person["finished_at"]
    assert conversation["opening"] == OPENING and conversation["first_set_id"] is None and conversation["end_reason"] == "max_turns"
    # Each turn once (the double submit recorded nothing), at the position the key or click chose.
    assert seen["double_submit"] == 200 and [(c["turn"], c["shown_position"]) for c in choices] == [(1, 2), (2, 1), (3, 4), (4, 3)]
    for c in choices:  # the generation position is the shown one mapped back through the stored order
        assert c["chosen"] == c["shown_order"][c["shown_position"] - 1] and sorted(c["shown_order"]) == list("abcd")
    assert [c["next_message"] for c in choices] == ["What if they do not answer the door?", "Tell me more.", "And if it goes on?", None]
    assert choices[0]["explanation"] == "More practical." and choices[3]["explanation"] == "Clear."
    assert checks == 1 and "C0DE-42" in seen["done"]


def test_a_server_killed_mid_conversation_resumes_where_the_person_was(journey):
    _, _, _, seen = journey
    assert seen["at_kill"][:2] == [(1, "ready"), (2, "ready")] and seen["at_kill"][2][0] == 3  # the message was stored first
    assert "Tell me more." in seen["turn_3"]


def test_another_persons_conversation_is_refused_and_markup_shows_as_text(journey):
    _, root, links, seen = journey
    assert seen["forged"] == 404  # the person's own link and CSRF token, another person's conversation
    assert MARKUP in seen["french_text"] and seen["french_elements"] == [0, 1]  # no image; the app's keys.js only
    assert "<script>alert" not in seen["french_first"] and "<img src=x" not in seen["french_first"]
    with urllib.request.urlopen(root + urllib.parse.urlsplit(links["live-fr"]).path) as response:
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        assert response.headers["Referrer-Policy"] == "no-referrer"
    for path in ("/a/not-a-link", urllib.parse.urlsplit(links["panel"]).path + "?PID=nobody"):
        try:
            urllib.request.urlopen(root + path)
            raise AssertionError(f"{path} answered")
        except urllib.error.HTTPError as error:
            assert error.code == 404


def test_the_admin_page_shows_progress_and_closes_the_study(journey):
    data, root, links, seen = journey
    assert "united states" in seen["admin"] and "live-en" in seen["admin"] and "finished" in seen["admin"]
    admin_path = urllib.parse.urlsplit(links["admin"]).path
    admin = Client(root, root + admin_path)
    admin.path = admin_path
    assert admin.post("close", {"csrf": "0" * 64})[0] == 403
    try:  # an annotator's link is not an admin link
        urllib.request.urlopen(root + "/admin/" + seen["link"].rsplit("/", 1)[1])
        raise AssertionError("an annotator's token opened the admin page")
    except urllib.error.HTTPError as error:
        assert error.code == 404
    with urllib.request.urlopen(root + admin_path) as response:
        page = response.read().decode()
    status, after = admin.post("close", {}, page)
    assert status == 200 and "Closed" in after
    closed = Client(root, root + seen["link"]).get()
    assert "This study is closed" in closed


@pytest.fixture(scope="module")
def pipeline(journey):
    """The app's exports through the pipeline, one refresh at a time, until nothing new arrives: each refresh
    ingests what the last export could send and generates the next turn (from the cache), whose task the next
    export then answers. Then quality control, comparisons and the release.

    Beside the app, an annotation tool's results file (the file path of the same format): PERSON answers a
    first-turn set (no next message: a new turn would be a request the app never made), an attention check, and a
    task that was never exported."""
    data = journey[0]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    duckdb = DuckDB(data_dir=str(data))
    first_export = export_tasks(duckdb)
    task = next(t for t in first_export if t["kind"] == "set" and t["lang"] == "en")
    gold = next(t for t in first_export if t["kind"] == "gold" and t["lang"] == "en")
    with duckdb.connect(read_only=True) as con:
        right = con.sql("select correct_position from gold_items where item_id = $id", params={"id": gold["task_id"]}).fetchall()[0][0]
    results = [
        {"task_id": task["task_id"], "annotator_id": PERSON, "chosen": "b", "explanation": "Le plus honnête.",
         "seconds": 42, "assigned_lang": "en", "annotator_country": "united states"},
        {"task_id": gold["task_id"], "annotator_id": PERSON, "chosen": right, "seconds": 9},
        {"task_id": "no-such-task", "annotator_id": PERSON, "chosen": "a"},
    ]  # fmt: skip
    (duckdb.subdir("inbox") / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in results), encoding="utf-8")
    cached_before = _cached(data)
    refreshes, files = 0, set()
    while True:  # the running app exports too (every minute): rounds go on until no new file arrives
        subprocess.run([CLI, "--data-dir", str(data), "annotate", "export"], env=env, check=True, capture_output=True)
        now = {p.name for folder in ("inbox", "openings") for p in (data / folder).glob("live-*.jsonl")}
        if now == files:
            break
        files = now
        assert materialize_conversations(duckdb, Generator(), export=True).success
        refreshes += 1
        assert refreshes <= 8, "the exports never ran dry"
    result = dg.materialize(
        [quality.gold_items, quality.gold_answers, quality.annotator_quality, quality.quality_quarantine, comparisons,
         aggregates, releases.pii_findings, releases.exclusions, releases.comparisons, *releases.release_files,
         releases.current, *quality.quality_checks, *comparisons_checks, *aggregates_checks, *releases.releases_checks,
         *releases.release_file_checks, releases.current_matches_schema],
        # The person chose within a second or two of each page: quality control's reading-speed rule would drop them.
        resources={"duckdb": duckdb, "quality_rules": QualityRules(max_words_per_second=10**6), "release": ReleaseSettings()},
    )  # fmt: skip
    return duckdb, refreshes, cached_before, result, (task, first_export)


def test_the_pipeline_ingests_the_whole_conversation_and_writes_the_sets_seen_live(journey, pipeline):
    data = journey[0]
    duckdb, refreshes, cached_before, released, _ = pipeline
    with _store(data) as con:
        live = {r["turn"]: dict(r) for r in con.execute(
            "select s.turn, s.set_id, ch.chosen, ch.shown_order, ch.shown_position from sets s join choices ch"
            " using (conversation_id, turn) join conversations c using (conversation_id) where c.annotator_id = 'live-en'")}  # fmt: skip
        french = [tuple(r) for r in con.execute(
            "select ch.turn, ch.set_id from choices ch join conversations c using (conversation_id)"
            " where c.annotator_id = 'live-fr' order by 1")]  # fmt: skip
    with duckdb.connect(read_only=True) as con:
        people = con.sql("select turn, set_id, chosen_position, shown_order, shown_position, source, conversation_id"
                         " from annotations where annotator_id = 'live-en' order by turn").fetchall()  # fmt: skip
        opening = con.sql("select annotator_id, sampler, source from prompts where text = $t", params={"t": OPENING}).fetchall()
        theirs = con.sql("select set_id from annotations where annotator_id = 'live-fr' order by turn").fetchall()
        compared = con.sql("select turn, is_pregenerated_first_prompt from comparisons where annotator_id = 'live-en'"
                           " order by turn").fetchall()  # fmt: skip
    # The opening reached the prompts stage as its writer's prompt; its four turns came in one refresh each after it.
    assert opening == [("live-en", opening[0][1], "annotator")] and 5 <= refreshes <= 7
    # Each turn: the set they saw, their choice, and the order they saw it in and where (what quality control judges).
    expected = [(t, live[t]["set_id"], live[t]["chosen"], live[t]["shown_order"], live[t]["shown_position"], "human") for t in (1, 2, 3, 4)]
    assert [row[:6] for row in people] == expected
    assert len({conversation for *_, conversation in people}) == 1
    assert theirs == [(s,) for _, s in french] and len(french) == 2  # the bank set's conversation, turn 2 live too
    # Every set the pipeline wrote for them is the one they saw, and no run asked the model anything new.
    assert _cached(data) == cached_before, "the pipeline sent requests the live app had answered"
    assert compared == [(t, False) for t in (1, 2, 3, 4) for _ in range(3)]  # three pairs per choice, opened by the person


def test_the_conversation_is_in_the_release_and_a_rerun_generates_nothing(journey, pipeline):
    data = journey[0]
    duckdb, _, cached_before, released, _ = pipeline
    assert released.success and [e.check_name for e in released.get_asset_check_evaluations() if not e.passed] == []
    with duckdb.connect(read_only=True) as con:
        in_release = con.sql("select turn, is_pregenerated_first_prompt from release.comparisons where conversation_id in"
                             " (select conversation_id from release.comparisons where prompt_text = $t) order by turn",
                             params={"t": OPENING}).fetchall()  # fmt: skip
    trl = pq.read_table(duckdb.subdir("releases") / "current" / "trl_preferences.parquet").to_pylist()
    assert in_release == [(t, False) for t in (1, 2, 3, 4) for _ in range(3)]
    assert sum(OPENING in json.dumps(row, ensure_ascii=False) for row in trl) == 12  # every pair of every turn
    assert materialize_conversations(duckdb, Generator()).success
    assert _cached(data) == cached_before


def test_the_task_export_has_open_first_turn_sets_and_attention_checks_without_answers(pipeline):
    _, first = pipeline[4]
    assert {t["kind"] for t in first} == {"set", "gold"}
    for t in first:
        assert "correct_position" not in t and t["history"] == [] and t["annotator_id"] is None
        assert all(t[f"response_{p}"] for p in "abcd") and sorted(t["shown_order"]) == list("abcd")


def test_a_tools_results_join_the_annotations(pipeline):
    duckdb, task = pipeline[0], pipeline[4][0]
    with duckdb.connect(read_only=True) as con:
        rows = con.sql(
            "select turn, chosen_position, shown_order, source, explanation, seconds, source_line from annotations"
            " where annotator_id = $p", params={"p": PERSON},
        ).fetchall()  # fmt: skip
        quarantined = con.sql("select reason from annotation_quarantine where raw_row->>'task_id' = 'no-such-task'").fetchall()
        gold = con.sql("select correct, source from gold_answers where annotator_id = $p", params={"p": PERSON}).fetchall()
        country = con.sql("select country from annotators where annotator_id = $p", params={"p": PERSON}).fetchall()
        going_on = con.sql("select count(*) from turn_2.user_turns where annotator_id = $p", params={"p": PERSON}).fetchall()
    # Traceable to line 1 of results.jsonl; shown in the order the export asked for, since the result names none.
    assert rows == [(1, "b", task["shown_order"], "human", "Le plus honnête.", 42.0, 1)]
    assert quarantined == [("unknown_task",)] and gold == [(True, "human")] and country == [("united states",)]
    assert going_on == [(0,)]  # no next message: the conversation ends at turn 1


def test_llm_persona_chooser_through_the_real_model(pipeline):
    """Runs last: it re-annotates turn 1 with the persona chooser."""
    from ca_assets.defs.annotation.assets import turn_assets

    duckdb = pipeline[0]
    [first_turn] = [a for a in turn_assets if a.key.path == ["turn_1", "annotations"]]
    result = dg.materialize(
        [first_turn], resources={"duckdb": duckdb, "judge_generator": Generator()},
        run_config={"ops": {"turn_1__annotations": {"config": {"chooser": "llm_persona"}}}},
    )  # fmt: skip
    assert result.success
    with duckdb.connect(read_only=True) as con:
        rows = con.sql(
            "select an.chooser, an.source, a.careless, an.explanation, an.chooser_raw from turn_1.annotations an "
            "join annotators a using (annotator_id)"
        ).fetchall()
    for chooser, source, careless, explanation, raw in rows:
        if source == "human":
            assert chooser == "human"
        elif careless:
            assert chooser == "utility"  # a careless annotator does not read, persona or not
        else:
            assert chooser in {"llm_persona", "utility_after_llm_failed"}
            assert (chooser == "llm_persona" and explanation) or (chooser == "utility_after_llm_failed" and raw)
    assert any(chooser == "llm_persona" for chooser, *_ in rows)
