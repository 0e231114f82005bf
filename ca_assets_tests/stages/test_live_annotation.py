"""The live annotation app as a person uses it: a real server (`ca-assets annotate serve`, uvicorn) over a copy of
finished conversations, the real model generating each next set while the person waits, a SIGKILL and a restart
mid-conversation, another person's ids refused, markup shown as text; then the export, one pipeline cycle, and the
pipeline writing the very set the person saw live (same set id, nothing new in the response cache)."""

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

import pytest
import yaml

from ca_assets.annotate.store import STORE_DIR, STORE_FILE
from ca_assets.models.generation import Generator
from ca_assets_tests.support.conversation_run import export_tasks, materialize_conversations
from ca_assets_tests.support.local_server import free_port, serve

pytestmark = pytest.mark.slow

CLI = str(Path(sys.executable).with_name("ca-assets"))
MARKUP = '<script>alert(1)</script><img src=x onerror="alert(2)">'
DEMOGRAPHICS = {"age": "35-45", "gender": "female", "education_level": "Post-secondary graduate",
                "ethnicity": "Prefer not to say", "political": "Moderate"}  # fmt: skip


class Client:
    """A person's browser, reduced to forms: follows redirects, keeps nothing but the link."""

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


def _exported(data: Path) -> list[dict]:
    """Every task result the app has written to the inbox, across its files."""
    files = sorted((data / "inbox").glob("live-*.jsonl"))
    return [json.loads(line) for path in files for line in path.read_text(encoding="utf-8").splitlines()]


def _cached(data: Path) -> set[str]:
    return {p.name for p in (data / "cache" / "generation").rglob("*.json")}


@pytest.fixture(scope="module")
def study(copy_of_conversations, tmp_path_factory):
    data = copy_of_conversations.root
    tmp = tmp_path_factory.mktemp("live")
    # The app samples with the pipeline's settings: the run config the conversations were launched with.
    config = tmp / "run_config.yaml"
    config.write_text(yaml.safe_dump({"resources": {"sampling": {"config": {"max_words": 12, "max_tokens": 24}}}}))
    recruitment = tmp / "recruitment.csv"
    recruitment.write_text("annotator_id,country,lang\nlive-en,united states,en\nlive-fr,france,fr\n", encoding="utf-8")
    # One French answer carries markup: the page must show it as text.
    tasks = data / "exports" / "tasks" / "tasks.jsonl"
    rows = [json.loads(line) for line in tasks.read_text(encoding="utf-8").splitlines()]
    for row in rows:
        if row["kind"] == "set" and row["lang"] == "fr":
            row["response_a"] = MARKUP + row["response_a"]
    tasks.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    made = subprocess.run([CLI, "--data-dir", str(data), "annotate", "new-study", str(recruitment), "--name", "t",
                           "--completion-code", "C0DE-42"], capture_output=True, text=True, env=env, check=True)  # fmt: skip
    links = dict(line.split(",") for line in made.stdout.strip().splitlines()[1:])
    links["admin"] = re.search(r"(\S+/admin/\S+)", made.stderr).group(1)  # on stderr, apart from the annotators' CSV
    command = [CLI, "--data-dir", str(data), "annotate", "serve", "--config", str(config)]
    return data, command, env, links


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


@pytest.fixture(scope="module")
def journey(study):
    """live-en: consent, demographics, instructions, three live turns with a SIGKILL and restart after the second
    message, then a second conversation finished at once; the store and pages seen along the way."""
    data, command, env, links = study
    process, root = _start(command, env)
    person = Client(root, links["live-en"])
    seen = {"consent": person.get()}
    assert person.post("consent", {}, seen["consent"])[0] == 200
    about = person.get()
    seen["bad_demographics"] = person.post("about", {**DEMOGRAPHICS, "age": "17"}, about)
    person.post("about", DEMOGRAPHICS, about)
    person.post("instructions", {}, person.get())

    first = person.get()
    form = _turn_form(first, choice="2", explanation="Plus nuancée.", next_message="And my <b>neighbours</b>?", action="send")
    person.post("choose", form, first)
    seen["double_submit"] = person.post("choose", form, first)  # a refresh of the same post
    second = person.wait_for("Turn 2 of 4")
    seen["second"] = second
    person.post("choose", _turn_form(second, choice="1", next_message="Tell me more.", action="send"), second)
    os.killpg(process.pid, signal.SIGKILL)  # mid-conversation: turn 3 is being generated, or about to be
    process.wait(timeout=30)
    with _store(data) as con:
        seen["at_kill"] = [dict(r) for r in con.execute("select turn, status from sets order by turn")]

    with serve("annotate app", [*command, "--port", str(port := free_port())], port, "/healthz", 120, env=env) as root:
        person = Client(root, links["live-en"])
        third = person.wait_for("Turn 3 of 4")
        person.post("choose", _turn_form(third, choice="4", explanation="Short.", action="finish"), third)
        # Then an attention check after each conversation, and the next conversation on the other English
        # first-turn set if the model kept both; then the completion page.
        seen["checks"] = 0
        for _ in range(6):
            page = person.get()
            if "/check" in page:
                person.post("check", {"item_id": _field(page, "item_id"), "choice": "1"}, page)
                seen["checks"] += 1
            elif "Turn 1 of 4" in page:
                person.post("choose", _turn_form(page, choice="3", action="finish"), page)
            else:
                break
        seen["done"] = page
        seen["third"] = third
        yield data, root, links, seen


def test_an_annotator_goes_through_consent_demographics_and_live_turns(journey):
    data, _, _, seen = journey
    assert "Before you start" in seen["consent"] and 'lang="en"' in seen["consent"]
    assert seen["bad_demographics"][0] == 400  # a value outside the release's list
    assert "C0DE-42" in seen["done"]
    with _store(data) as con:
        person = con.execute("select demographics, consented_at, finished_at from annotators where annotator_id = 'live-en'").fetchone()
        choices = [dict(r) for r in con.execute("select * from choices order by submitted_at")]
        sets = [dict(r) for r in con.execute("select * from sets order by conversation_id, turn")]
    assert json.loads(person["demographics"]) == DEMOGRAPHICS and person["consented_at"] and person["finished_at"]
    # Each turn once (the double submit recorded nothing), and the second conversation if there was a second set.
    assert [(c["turn"], c["shown_position"]) for c in choices] in ([(1, 2), (2, 1), (3, 4), (1, 3)], [(1, 2), (2, 1), (3, 4)])
    for c in choices:  # the generation position is the shown one mapped back through the stored order
        assert c["chosen"] == c["shown_order"][c["shown_position"] - 1] and sorted(c["shown_order"]) == list("abcd")
    assert choices[0]["next_message"] == "And my <b>neighbours</b>?" and choices[0]["explanation"] == "Plus nuancée."
    assert choices[2]["next_message"] is None  # finished at turn 3
    with _store(data) as con:
        checks = con.execute("select count(*) from checks where annotator_id = 'live-en' and chosen is not null").fetchone()[0]
    assert checks == seen["checks"] >= 1  # one attention check after each finished conversation
    live = [s for s in sets if s["turn"] > 1]
    assert [s["status"] for s in live] == ["ready", "ready"] and all(s["set_id"] for s in live)
    # The person's own message is markup-free on the page: shown as text, escaped.
    assert "And my &lt;b&gt;neighbours&lt;/b&gt;?" in seen["second"] and "<b>neighbours</b>" not in seen["second"]


def test_a_server_killed_mid_conversation_resumes_where_the_annotator_was(journey):
    _, _, _, seen = journey
    assert [s["turn"] for s in seen["at_kill"]] == [1, 2, 3]  # the second message was stored before the kill
    assert "Turn 3 of 4" in seen["third"] and "Tell me more." in seen["third"]


def test_another_annotators_ids_forged_forms_and_markup(journey):
    data, root, links, _ = journey
    other = Client(root, links["live-fr"])
    consent = other.get()
    assert "Avant de commencer" in consent and 'lang="fr"' in consent
    assert other.post("consent", {"csrf": "0" * 64})[0] == 403  # a form without this link's CSRF token
    other.post("consent", {}, consent)
    other.post("about", DEMOGRAPHICS, other.get())
    other.post("instructions", {}, other.get())
    page = other.get()
    with _store(data) as con:
        theirs = con.execute("select conversation_id from conversations where annotator_id = 'live-en' limit 1").fetchone()[0]
    # The French person's valid CSRF token, the English person's conversation: not found.
    assert other.post("choose", {"conversation_id": theirs, "turn": "1", "choice": "1", "action": "finish"}, page)[0] == 404
    assert Client(root, root + "/a/not-a-link").post("consent", {"csrf": "x"})[0] == 404
    try:
        Client(root, root + "/a/" + links["live-en"].rsplit("/", 1)[1][:-2] + "xx").get()
        raise AssertionError("a guessed link answered")
    except urllib.error.HTTPError as error:
        assert error.code == 404
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page and "<img src=x" not in page
    with urllib.request.urlopen(root + urllib.parse.urlsplit(links["live-fr"]).path) as response:
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        assert response.headers["Referrer-Policy"] == "no-referrer"


def test_the_pipeline_ingests_the_choices_and_writes_the_set_seen_live(journey):
    data, _, _, _ = journey
    from ca_assets.core.duckdb import DuckDB

    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    subprocess.run([CLI, "--data-dir", str(data), "annotate", "export"], env=env, check=True, capture_output=True)
    rows = _exported(data)  # the running app exports too (at start and every minute): together, each row once
    with _store(data) as con:
        live_turn_2 = dict(con.execute("select s.*, c.annotator_id from sets s join conversations c using (conversation_id)"
                                       " where s.turn = 2").fetchone())  # fmt: skip
    # Only the first turns go now: the pipeline exports a later turn's task once it has generated that turn itself.
    with _store(data) as con:
        first_turns = {r[0] for r in con.execute("select set_id from choices where turn = 1")}
        checks = {r[0] for r in con.execute("select item_id from checks where chosen is not null")}
    assert sorted(r["task_id"] for r in rows) == sorted(first_turns | checks) and {r["annotator_id"] for r in rows} == {"live-en"}
    assert all(r["annotator_country"] == "united states" and r["annotator_age"] == "35-45" for r in rows)

    cached_before = _cached(data)
    duckdb = DuckDB(data_dir=str(data))
    assert materialize_conversations(duckdb, Generator()).success
    tasks = export_tasks(duckdb)
    with duckdb.connect(read_only=True) as con:
        people = con.sql("select turn, chosen_position, source from annotations where annotator_id = 'live-en' order by all").fetchall()
        pipeline_set = con.sql("select set_id from turn_2.candidate_sets where conversation_id = $c",
                               params={"c": live_turn_2["conversation_id"]}).fetchall()  # fmt: skip
    assert people == sorted((1, r["chosen"], "human") for r in rows if r["task_id"] in first_turns)
    # The pipeline generated the person's second turn from the cache: the same set, no new request.
    assert pipeline_set == [(live_turn_2["set_id"],)]
    assert _cached(data) == cached_before, "the pipeline sent requests the live app had answered"
    assert [t["task_id"] for t in tasks if t["annotator_id"] == "live-en"] == [live_turn_2["set_id"]]
    # Now the second turn can go: the next export carries it (and nothing twice).
    subprocess.run([CLI, "--data-dir", str(data), "annotate", "export"], env=env, check=True, capture_output=True)
    later = [r for r in _exported(data) if r not in rows]
    assert [r["task_id"] for r in later] == [live_turn_2["set_id"]] and later[0]["next_message"] == "Tell me more."


def test_the_admin_page_shows_progress_and_closes_the_study(journey):
    """Runs last: it closes the study."""
    data, root, links, _ = journey
    admin_path = urllib.parse.urlsplit(links["admin"]).path
    with urllib.request.urlopen(root + admin_path) as response:
        page = response.read().decode()
    assert "Progress per country" in page and "united states" in page and "live-en" in page and "finished" in page
    admin = Client(root, root + admin_path)
    admin.path = admin_path
    assert admin.post("close", {"csrf": "0" * 64})[0] == 403
    person_path = urllib.parse.urlsplit(links["live-en"]).path
    try:  # an annotator's link is not an admin link
        urllib.request.urlopen(root + person_path.replace("/a/", "/admin/"))
        raise AssertionError("an annotator's token opened the admin page")
    except urllib.error.HTTPError as error:
        assert error.code == 404
    status, after = admin.post("close", {}, page)
    assert status == 200 and "Closed" in after
    french = Client(root, links["live-fr"])
    closed = french.get()
    assert "Cette étude est close" in closed
    assert french.post("consent", {"csrf": "x"})[1] == closed  # a form after closing lands on the same page
