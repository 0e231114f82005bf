"""The live annotation web app: Starlette, server-rendered pages (Jinja2, autoescaped), no front-end build.

An annotator's link (/a/<token>) is their only key: every page derives what to show from the annotator's own state
in the store, and a form naming a conversation or turn that is not theirs and current gets 404. Forms carry a CSRF
token bound to the link; bodies, fields and request rates are capped; every page is sent with a strict Content
Security Policy and no Referer (the token is in the URL). The path: consent → demographics → instructions →
conversations (a first-turn set from the pipeline's task export, then sets generated live, up to the study's turns)
→ done (with the study's completion code or redirect).
"""

import hashlib
import hmac
import json
import logging
import random
import secrets
import threading
from pathlib import Path
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ca_assets.annotate.admin import Admin
from ca_assets.annotate.i18n import strings
from ca_assets.annotate.live import LiveGeneration
from ca_assets.annotate.store import Store, as_json, now
from ca_assets.annotate.study import annotator_for_panel, annotator_for_token
from ca_assets.annotate.tasks import TaskExport, pick_first_set
from ca_assets.annotate.web import HEADERS, BadCsrf, NotYours, RateLimit, RateLimited, StudyClosed, TooLarge
from ca_assets.core.ids import stable_id, stable_seed
from ca_assets.defs.annotation.simulation import shown_order
from ca_assets.defs.generation.sets import person_conversation_id, request_id
from ca_assets.defs.prompts.prompt_bank import normalise, prompt_id
from ca_assets.formats.demographics import AGES, EDUCATION_LEVELS, ETHNICITIES, GENDERS, POLITICAL
from ca_assets.models.generation import GenerationError
from ca_assets.vocab import POSITIONS

log = logging.getLogger("ca_assets.annotate")

MAX_BODY_BYTES = 64 * 1024
MAX_EXPLANATION = 2_000
MAX_MESSAGE = 4_000
STAMPS = {
    "consent": "update annotators set consented_at = coalesce(consented_at, ?) where annotator_id = ?",
    "instructions": "update annotators set instructed_at = coalesce(instructed_at, ?) where annotator_id = ?",
}
WRITE = object()  # the annotator's next conversation opens on a message they write
TRANSIENT_REASONS = (GenerationError.reason, "app_error")  # the backend failed, not the output: worth a retry
DEMOGRAPHICS = {
    "age": AGES, "gender": GENDERS, "education_level": EDUCATION_LEVELS, "ethnicity": ETHNICITIES, "political": POLITICAL,
}


def _secret(store: Store) -> bytes:
    """The key CSRF tokens are made with, kept beside the store (0600) so tokens survive a restart."""
    path = store.path.parent / "csrf.key"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_bytes(secrets.token_bytes(32))
    return path.read_bytes()


class AnnotateApp:
    def __init__(self, store: Store, data_dir: Path, live: LiveGeneration | None):
        self.store, self.data_dir, self.live = store, Path(data_dir), live
        self.tasks = TaskExport(self.data_dir)
        self.key = _secret(store)
        self.rate = RateLimit()
        self.templates = Environment(loader=PackageLoader("ca_assets.annotate", "templates"), autoescape=select_autoescape(default=True))
        self._start_lock = threading.Lock()

    # --- plumbing -------------------------------------------------------------------------------------------------

    def csrf(self, annotator) -> str:
        return hmac.new(self.key, annotator["token_sha"].encode(), hashlib.sha256).hexdigest()

    def render(self, name: str, annotator, status: int = 200, **values) -> HTMLResponse:
        lang = annotator["lang"] if annotator is not None else "en"
        html = self.templates.get_template(name).render(t=strings(lang), lang=lang, **values)
        return HTMLResponse(html, status_code=status, headers=HEADERS)

    async def _annotator(self, request: Request):
        token = request.path_params["token"]
        if not self.rate.allow(hashlib.sha256(token.encode()).hexdigest()):
            raise RateLimited
        annotator = annotator_for_token(self.store, token)
        if annotator is None:
            raise NotYours
        return annotator

    async def _form(self, request: Request, annotator) -> dict[str, str]:
        if annotator["closed_at"] is not None:
            raise StudyClosed
        if int(request.headers.get("content-length") or 0) > MAX_BODY_BYTES:
            raise TooLarge
        form = await request.form(max_files=0, max_fields=20, max_part_size=MAX_BODY_BYTES)
        values = {key: str(value) for key, value in form.items()}
        if not hmac.compare_digest(values.get("csrf", ""), self.csrf(annotator)):
            raise BadCsrf
        return values

    def _back(self, request: Request) -> RedirectResponse:
        # POST → redirect → GET: a refresh never posts again.
        return self._back_to(request.path_params["token"])

    def _back_to(self, token: str) -> RedirectResponse:
        return RedirectResponse(f"/a/{token}", status_code=303, headers=HEADERS)

    # --- pages ----------------------------------------------------------------------------------------------------

    async def page(self, request: Request) -> Response:
        annotator = await self._annotator(request)
        token = request.path_params["token"]
        common = {"token": token, "csrf": self.csrf(annotator)}
        if annotator["closed_at"] is not None:
            return self.render("closed.html", annotator)
        if annotator["consented_at"] is None:
            return self._step(annotator, "consent", "consent_heading", "consent_text", "consent_button", common)
        if annotator["demographics"] is None:
            return self.render("about.html", annotator, fields=DEMOGRAPHICS, **common)
        if annotator["instructed_at"] is None:
            return self._step(annotator, "instructions", "instructions_heading", "instructions_text", "start", common)
        if annotator["finished_at"] is None:
            check = self._current_check(annotator)
            if check is not None:
                return self._check_page(annotator, check, common)
            conversation = self._current_conversation(annotator)
            if conversation is WRITE:
                return self.render("open.html", annotator, text="", **common)
            if conversation is not None:
                return self._conversation_page(annotator, conversation, common)
        return self._done(annotator)

    def _step(self, annotator, action: str, heading: str, text: str, button: str, common: dict) -> Response:
        """A page of text and one button (consent, instructions), in the annotator's language."""
        t = strings(annotator["lang"])
        return self.render("step.html", annotator, action=action, heading=t[heading], text=t[text], button=t[button], **common)

    def _done(self, annotator) -> Response:
        code, url = annotator["completion_code"], annotator["redirect_url"]
        if url:
            # The study's URL (set by the admin from the command line) with the completion code appended.
            target = url + ("&" if "?" in url else "?") + urlencode({"cc": code or ""})
            return RedirectResponse(target, status_code=303, headers=HEADERS)
        return self.render("done.html", annotator, code=code)

    def _current_conversation(self, annotator):
        """The open conversation, else a new one on the next first-turn set; WRITE when the annotator is to write the
        next one's opening; None when the annotator is done."""
        open_one = self._open_conversation(annotator)
        if open_one is not None:
            return open_one
        with self._start_lock:  # two tabs must not start two conversations at once
            started = self._started(annotator)
            per_annotator = annotator["conversations_per_annotator"]
            if started < per_annotator and self._writes_opening(annotator, started):
                return WRITE
            first = pick_first_set(self.tasks, self.store, annotator, annotator["annotators_per_set"])
            if started >= per_annotator or first is None:
                with self.store.transaction() as con:
                    con.execute("update annotators set finished_at = ? where annotator_id = ?", (now(), annotator["annotator_id"]))
                return None
            conversation_id = person_conversation_id(annotator["annotator_id"], request_id(first.prompt_id, 1, first.sampler, None))
            with self.store.transaction() as con:
                con.execute(
                    "insert into conversations (conversation_id, annotator_id, lang, prompt_id, sampler, first_set_id, started_at)"
                    " values (?, ?, ?, ?, ?, ?, ?)",
                    (conversation_id, annotator["annotator_id"], first.lang, first.prompt_id, first.sampler, first.set_id, now()),
                )
                con.execute(
                    "insert into sets (conversation_id, turn, status, set_id, messages, answers, shown_order)"
                    " values (?, 1, 'ready', ?, ?, ?, ?)",
                    (conversation_id, first.set_id, as_json(first.messages), as_json(first.answers),
                     shown_order(annotator["annotator_id"], first.set_id)),
                )  # fmt: skip
        return self.store.one("select * from conversations where conversation_id = ?", (conversation_id,))

    def _started(self, annotator) -> int:
        return self.store.one("select count(*) as n from conversations where annotator_id = ?", (annotator["annotator_id"],))["n"]

    def _writes_opening(self, annotator, started: int) -> bool:
        """Whether the annotator's next conversation opens on their own message: a seeded draw per (annotator,
        conversation) at the study's share, when the pipeline samples their language's first turns at all."""
        draw = random.Random(stable_seed("opening", annotator["annotator_id"], started)).random()
        return draw < annotator["written_share"] and bool(self.tasks.samplers(annotator["lang"]))

    def _opening_sampler(self, annotator) -> str:
        """The sampler of a written opening: the one the study's written openings of this language used least."""
        used = {
            row["sampler"]: row["n"]
            for row in self.store.all(
                "select c.sampler, count(*) as n from conversations as c join annotators as a using (annotator_id)"
                " where a.study_id = ? and c.lang = ? and c.opening is not null group by c.sampler",
                (annotator["study_id"], annotator["lang"]),
            )
        }
        samplers, started = self.tasks.samplers(annotator["lang"]), self._started(annotator)  # one query, not one per sampler
        return min(samplers, key=lambda s: (used.get(s, 0), stable_id(annotator["annotator_id"], started, s)))

    def _current_check(self, annotator):
        """An attention check after each finished conversation: the one pending, or a new one if one is due and an
        item of the annotator's language is left; None otherwise."""
        pending = self.store.one("select * from checks where annotator_id = ? and chosen is null", (annotator["annotator_id"],))
        if pending is not None:
            return pending
        ended = self.store.one(
            "select count(*) as n from conversations where annotator_id = ? and ended_at is not null", (annotator["annotator_id"],)
        )["n"]
        answered = {r["item_id"] for r in self.store.all("select item_id from checks where annotator_id = ?", (annotator["annotator_id"],))}
        if ended <= len(answered) or self._open_conversation(annotator) is not None:
            return None
        items = [t for t in self.tasks.gold_items(annotator["lang"]) if t.task_id not in answered]
        if not items:
            return None
        item = min(items, key=lambda t: stable_id(annotator["annotator_id"], t.task_id))
        with self.store.transaction() as con:
            con.execute(
                "insert into checks (annotator_id, item_id, shown_order, shown_at) values (?, ?, ?, ?) on conflict do nothing",
                (annotator["annotator_id"], item.task_id, shown_order(annotator["annotator_id"], item.task_id), now()),
            )
        return self.store.one("select * from checks where annotator_id = ? and item_id = ?", (annotator["annotator_id"], item.task_id))

    def _check_page(self, annotator, check, common: dict, error: str | None = None) -> Response:
        item = self.tasks.tasks().get(check["item_id"])
        if item is None:  # the pipeline's export no longer has it: drop the check rather than block the annotator
            with self.store.transaction() as con:
                con.execute("delete from checks where annotator_id = ? and item_id = ? and chosen is null",
                            (annotator["annotator_id"], check["item_id"]))  # fmt: skip
            return self._back_to(common["token"])
        shown = [item.answers[POSITIONS.index(p)] for p in check["shown_order"]]
        return self.render("check.html", annotator, status=400 if error else 200, error=error, item_id=check["item_id"],
                           prompt=item.messages[-1][1], answers=shown, **common)  # fmt: skip

    def _open_conversation(self, annotator):
        return self.store.one(
            "select * from conversations where annotator_id = ? and ended_at is null order by started_at limit 1",
            (annotator["annotator_id"],),
        )

    def _latest_set(self, conversation_id: str):
        return self.store.one("select * from sets where conversation_id = ? order by turn desc limit 1", (conversation_id,))

    def _conversation_page(self, annotator, conversation, common: dict, error: str | None = None) -> Response:
        current = self._latest_set(conversation["conversation_id"])
        if current["status"] == "generating":
            if self.live is not None:
                self.live.start(conversation["conversation_id"], current["turn"])  # idempotent: resumes after a restart
            return self.render("generating.html", annotator, **common)
        if current["status"] == "quarantined":
            # A retry helps only when the backend failed (the request is sent again); output that stayed unusable
            # would come back the same, since the pipeline must be able to reproduce the set a person sees.
            transient = current["reason"] in TRANSIENT_REASONS
            return self.render("quarantined.html", annotator, turn=current["turn"], conversation=conversation,
                               transient=transient, **common)  # fmt: skip
        if current["shown_at"] is None:
            with self.store.transaction() as con:
                con.execute("update sets set shown_at = ? where conversation_id = ? and turn = ? and shown_at is null",
                            (now(), conversation["conversation_id"], current["turn"]))  # fmt: skip
        answers = json.loads(current["answers"])
        shown = [answers[POSITIONS.index(p)] for p in current["shown_order"]]
        messages = json.loads(current["messages"])
        return self.render(
            "turn.html", annotator, conversation=conversation, turn=current["turn"], max_turns=annotator["max_turns"],
            history=messages[:-1], prompt=messages[-1][1], answers=shown, error=error, status=400 if error else 200, **common,
        )  # fmt: skip

    # --- forms ----------------------------------------------------------------------------------------------------

    async def consent(self, request: Request) -> Response:
        return await self._stamp(request, "consent")

    async def open(self, request: Request) -> Response:
        """The annotator's own opening: stored, then its first set is generated live like any later one."""
        annotator = await self._annotator(request)
        form = await self._form(request, annotator)
        t = strings(annotator["lang"])
        written = form.get("opening", "")
        text = normalise(written)  # as the prompts stage normalises it: the pipeline then asks the very same request
        with self._start_lock:
            started = self._started(annotator)
            due = started < annotator["conversations_per_annotator"] and self._writes_opening(annotator, started)
            if self._open_conversation(annotator) is not None or not due:
                return self._back(request)  # a double submit, or no opening is due
            error = t["write_opening"] if not text else t["too_long"] if len(text) > MAX_MESSAGE else None
            prompt = prompt_id(annotator["lang"], text, annotator["annotator_id"])
            sampler = self._opening_sampler(annotator)
            conversation_id = person_conversation_id(annotator["annotator_id"], request_id(prompt, 1, sampler, None))
            # The pipeline keeps one prompt per (writer, text), sampled with one sampler: the same opening twice could
            # not reach it twice.
            taken = self.store.one("select 1 from conversations where annotator_id = ? and prompt_id = ?",
                                   (annotator["annotator_id"], prompt))  # fmt: skip
            if error is None and taken is not None:
                error = t["already_opened"]
            if error:
                return self.render("open.html", annotator, status=400, error=error, text=written[:MAX_MESSAGE],
                                   token=request.path_params["token"], csrf=self.csrf(annotator))  # fmt: skip
            with self.store.transaction() as con:
                con.execute(
                    "insert into conversations (conversation_id, annotator_id, lang, prompt_id, sampler, opening, started_at)"
                    " values (?, ?, ?, ?, ?, ?, ?)",
                    (conversation_id, annotator["annotator_id"], annotator["lang"], prompt, sampler, text, now()),
                )
                con.execute(
                    "insert into sets (conversation_id, turn, status, messages) values (?, 1, 'generating', ?)",
                    (conversation_id, as_json([("user", text)])),
                )
        if self.live is not None:
            self.live.start(conversation_id, 1)
        return self._back(request)

    async def panel(self, request: Request) -> Response:
        """A panel's arrival: /p/<panel token>?<param>=<participant id> → that annotator's (fresh) link."""
        key = hashlib.sha256(f"{request.path_params['token']}:{request.url.query}".encode()).hexdigest()
        if not self.rate.allow(key):
            raise RateLimited
        token = annotator_for_panel(self.store, request.path_params["token"], request.query_params)
        if token is None:
            raise NotYours
        return self._back_to(token)

    async def _stamp(self, request: Request, step: str) -> Response:
        """Consent and instructions: the first submit records when; a second changes nothing."""
        annotator = await self._annotator(request)
        await self._form(request, annotator)
        with self.store.transaction() as con:
            con.execute(STAMPS[step], (now(), annotator["annotator_id"]))
        return self._back(request)

    async def about(self, request: Request) -> Response:
        annotator = await self._annotator(request)
        form = await self._form(request, annotator)
        answers = {field: form.get(field, "") for field in DEMOGRAPHICS}
        if any(value not in DEMOGRAPHICS[field] for field, value in answers.items()):
            t = strings(annotator["lang"])
            return self.render("about.html", annotator, status=400, fields=DEMOGRAPHICS, error=t["pick_value"],
                               token=request.path_params["token"], csrf=self.csrf(annotator))  # fmt: skip
        with self.store.transaction() as con:
            con.execute("update annotators set demographics = coalesce(demographics, ?) where annotator_id = ?",
                        (as_json(answers), annotator["annotator_id"]))  # fmt: skip
        return self._back(request)

    async def instructions(self, request: Request) -> Response:
        return await self._stamp(request, "instructions")

    def _own_open_set(self, annotator, form: dict):
        """The set a form answers: the annotator's own open conversation, at its latest turn; else NotYours."""
        conversation = self.store.one(
            "select * from conversations where conversation_id = ? and annotator_id = ?",
            (form.get("conversation_id", ""), annotator["annotator_id"]),
        )
        if conversation is None or not form.get("turn", "").isdigit():
            raise NotYours
        current = self._latest_set(conversation["conversation_id"])
        return conversation, current, int(form["turn"])

    async def choose(self, request: Request) -> Response:
        annotator = await self._annotator(request)
        form = await self._form(request, annotator)
        conversation, current, turn = self._own_open_set(annotator, form)
        already = self.store.one("select 1 from choices where conversation_id = ? and turn = ?",
                                 (conversation["conversation_id"], turn))  # fmt: skip
        if already is not None or conversation["ended_at"] is not None:
            return self._back(request)  # a second submit of the same turn (refresh, double click) records nothing
        if turn != current["turn"] or current["status"] != "ready":
            raise NotYours
        t = strings(annotator["lang"])
        choice, explanation = form.get("choice", ""), form.get("explanation", "").strip()
        message, action = form.get("next_message", "").strip(), form.get("action", "")
        last_turn = turn >= annotator["max_turns"]
        error = (
            t["choose_one"] if choice not in ("1", "2", "3", "4")
            else t["too_long"] if len(explanation) > MAX_EXPLANATION or len(message) > MAX_MESSAGE
            else t["write_message"] if action == "send" and not last_turn and not message
            else None
        )  # fmt: skip
        if error:
            return self._conversation_error(annotator, conversation, request, error)
        shown_position = int(choice)
        chosen = current["shown_order"][shown_position - 1]
        goes_on = action == "send" and not last_turn
        answers = json.loads(current["answers"])
        submitted = now()
        with self.store.transaction() as con:
            con.execute(
                "insert into choices (conversation_id, turn, set_id, chosen, shown_position, shown_order, explanation, seconds,"
                " next_message, submitted_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing",
                (conversation["conversation_id"], turn, current["set_id"], chosen, shown_position, current["shown_order"],
                 explanation or None, max(0.0, submitted - (current["shown_at"] or submitted)), message if goes_on else None,
                 submitted),
            )  # fmt: skip
            if goes_on:
                # The next set answers what the pipeline will ask: this set's messages, the chosen answer, the message.
                messages = [*json.loads(current["messages"]), ("assistant", answers[POSITIONS.index(chosen)]), ("user", message)]
                con.execute(
                    "insert into sets (conversation_id, turn, status, messages) values (?, ?, 'generating', ?)"
                    " on conflict do nothing",
                    (conversation["conversation_id"], turn + 1, as_json(messages)),
                )
            else:
                con.execute(
                    "update conversations set ended_at = ?, end_reason = ? where conversation_id = ?",
                    (submitted, "max_turns" if last_turn else "finished", conversation["conversation_id"]),
                )
        if goes_on and self.live is not None:
            self.live.start(conversation["conversation_id"], turn + 1)
        return self._back(request)

    def _conversation_error(self, annotator, conversation, request: Request, error: str) -> Response:
        common = {"token": request.path_params["token"], "csrf": self.csrf(annotator)}
        return self._conversation_page(annotator, conversation, common, error=error)

    async def check(self, request: Request) -> Response:
        annotator = await self._annotator(request)
        form = await self._form(request, annotator)
        check = self.store.one("select * from checks where annotator_id = ? and item_id = ?",
                               (annotator["annotator_id"], form.get("item_id", "")))  # fmt: skip
        if check is None:
            raise NotYours
        if check["chosen"] is not None:
            return self._back(request)  # answered already: a double submit records nothing
        if form.get("choice", "") not in ("1", "2", "3", "4"):
            common = {"token": request.path_params["token"], "csrf": self.csrf(annotator)}
            return self._check_page(annotator, check, common, error=strings(annotator["lang"])["choose_one"])
        position = int(form["choice"])
        submitted = now()
        with self.store.transaction() as con:
            con.execute(
                "update checks set chosen = ?, shown_position = ?, seconds = ?, submitted_at = ?"
                " where annotator_id = ? and item_id = ? and chosen is null",
                (check["shown_order"][position - 1], position, max(0.0, submitted - check["shown_at"]), submitted,
                 annotator["annotator_id"], check["item_id"]),
            )  # fmt: skip
        return self._back(request)

    async def retry(self, request: Request) -> Response:
        annotator = await self._annotator(request)
        form = await self._form(request, annotator)
        conversation, current, turn = self._own_open_set(annotator, form)
        retryable = current["status"] == "quarantined" and current["reason"] in TRANSIENT_REASONS
        if conversation["ended_at"] is None and turn == current["turn"] and retryable:
            with self.store.transaction() as con:
                con.execute("update sets set status = 'generating', reason = null where conversation_id = ? and turn = ?",
                            (conversation["conversation_id"], turn))  # fmt: skip
            if self.live is not None:
                self.live.start(conversation["conversation_id"], turn)
        return self._back(request)

    async def end(self, request: Request) -> Response:
        annotator = await self._annotator(request)
        form = await self._form(request, annotator)
        conversation, current, turn = self._own_open_set(annotator, form)
        if conversation["ended_at"] is None and turn == current["turn"] and current["status"] == "quarantined":
            with self.store.transaction() as con:
                con.execute("update conversations set ended_at = ?, end_reason = 'quarantined' where conversation_id = ?",
                            (now(), conversation["conversation_id"]))  # fmt: skip
        return self._back(request)


def build_app(store: Store, data_dir: Path, live: LiveGeneration | None) -> Starlette:
    app = AnnotateApp(store, data_dir, live)
    admin = Admin(app)

    async def not_found(request, exc):
        return PlainTextResponse("not found", status_code=404, headers=HEADERS)

    async def forbidden(request, exc):
        return PlainTextResponse("this form has expired: go back and reload the page", status_code=403, headers=HEADERS)

    async def too_many(request, exc):
        return PlainTextResponse("too many requests: wait a minute", status_code=429, headers=HEADERS)

    async def too_large(request, exc):
        return PlainTextResponse("too large", status_code=413, headers=HEADERS)

    async def closed(request, exc):
        return RedirectResponse(f"/a/{request.path_params['token']}", status_code=303, headers=HEADERS)

    async def health(request):
        return PlainTextResponse("ok", headers=HEADERS)

    static = StaticFiles(directory=str(Path(__file__).parent / "static"))
    return Starlette(
        routes=[
            Route("/healthz", health),
            Route("/a/{token}", app.page),
            Route("/a/{token}/consent", app.consent, methods=["POST"]),
            Route("/a/{token}/about", app.about, methods=["POST"]),
            Route("/a/{token}/instructions", app.instructions, methods=["POST"]),
            Route("/a/{token}/open", app.open, methods=["POST"]),
            Route("/a/{token}/choose", app.choose, methods=["POST"]),
            Route("/a/{token}/check", app.check, methods=["POST"]),
            Route("/a/{token}/retry", app.retry, methods=["POST"]),
            Route("/a/{token}/end", app.end, methods=["POST"]),
            Route("/p/{token}", app.panel),
            Route("/admin/{token}", admin.page),
            Route("/admin/{token}/close", admin.close, methods=["POST"]),
            Route("/admin/{token}/export", admin.export_now, methods=["POST"]),
            Mount("/static", static, name="static"),
        ],
        exception_handlers={
            NotYours: not_found, 404: not_found, BadCsrf: forbidden, RateLimited: too_many, TooLarge: too_large,
            StudyClosed: closed,
        },
    )
