"""The study's admin page (/admin/<admin token>): progress per country and per language's quota, each annotator's
state, the export's backlog; and two actions, export now and close the study. Its token is separate from every
annotator's link and, like theirs, stored only as a sha256."""

import hashlib
import hmac

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ca_assets.annotate.export import export
from ca_assets.annotate.study import close_study, study_for_admin_token
from ca_assets.annotate.web import HEADERS, BadCsrf, NotYours, RateLimited

PROGRESS = """
select
    a.country,
    count(*) as recruited,
    count(a.consented_at) as consented,
    count(*) filter (where a.instructed_at is not null and a.finished_at is null) as in_progress,
    count(a.finished_at) as finished,
    (select count(*) from conversations c join annotators b using (annotator_id) where b.study_id = a.study_id
        and b.country = a.country) as conversations,
    (select count(*) from choices ch join conversations c using (conversation_id) join annotators b using (annotator_id)
        where b.study_id = a.study_id and b.country = a.country) as choices,
    (select count(*) from checks k join annotators b using (annotator_id) where b.study_id = a.study_id
        and b.country = a.country and k.chosen is not null) as attention_checks
from annotators as a
where a.study_id = ?
group by a.country
order by a.country
"""
ANNOTATORS = """
select
    a.annotator_id, a.country, a.lang, a.external_id,
    case when a.revoked_at is not null then 'revoked' when a.finished_at is not null then 'finished'
         when a.instructed_at is not null then 'in progress' when a.consented_at is not null then 'consented'
         else 'not started' end as state,
    (select count(*) from conversations c where c.annotator_id = a.annotator_id) as conversations,
    (select count(*) from choices ch join conversations c using (conversation_id) where c.annotator_id = a.annotator_id)
        as choices,
    (select max(ch.submitted_at) from choices ch join conversations c using (conversation_id)
        where c.annotator_id = a.annotator_id) as last_choice
from annotators as a
where a.study_id = ?
order by a.country, a.annotator_id
"""
BACKLOG = """
select count(*) filter (where ch.exported_in is not null) as exported, count(*) filter (where ch.exported_in is null) as waiting
from choices ch join conversations c using (conversation_id) join annotators a using (annotator_id)
where a.study_id = ?
"""


class Admin:
    def __init__(self, app):
        self.app = app  # the AnnotateApp: its store, task export, templates, CSRF key and rate limit

    def _study(self, request: Request):
        token = request.path_params["token"]
        if not self.app.rate.allow("admin:" + hashlib.sha256(token.encode()).hexdigest()):
            raise RateLimited
        study = study_for_admin_token(self.app.store, token)
        if study is None:
            raise NotYours
        return study

    def csrf(self, study) -> str:
        return hmac.new(self.app.key, ("admin:" + study["admin_token_sha"]).encode(), hashlib.sha256).hexdigest()

    def quota(self, study) -> list[dict]:
        """Per language: first-turn sets in the export x annotators per set = slots; conversations opened on them, and
        on the annotators' own messages."""
        taken = {
            r["lang"]: r
            for r in self.app.store.all(
                "select c.lang, count(c.first_set_id) as bank, count(c.opening) as written"
                " from conversations c join annotators a using (annotator_id) where a.study_id = ? group by c.lang",
                (study["study_id"],),
            )
        }
        langs = sorted({r["lang"] for r in self.app.store.all("select lang from annotators where study_id = ?", (study["study_id"],))})
        rows = []
        for lang in langs:
            sets = len(self.app.tasks.first_turn_sets(lang))
            opened = taken.get(lang) or {"bank": 0, "written": 0}
            rows.append({"lang": lang, "sets": sets, "slots": sets * study["annotators_per_set"], "taken": opened["bank"],
                         "written": opened["written"]})  # fmt: skip
        return rows

    async def page(self, request: Request) -> Response:
        study = self._study(request)
        store = self.app.store
        html = self.app.templates.get_template("admin.html").render(
            study=study, token=request.path_params["token"], csrf=self.csrf(study),
            progress=store.all(PROGRESS, (study["study_id"],)), quota=self.quota(study),
            annotators=store.all(ANNOTATORS, (study["study_id"],)), backlog=store.one(BACKLOG, (study["study_id"],)),
            message=request.query_params.get("done", "")[:40],
        )  # fmt: skip
        return HTMLResponse(html, headers=HEADERS)

    async def _post(self, request: Request):
        study = self._study(request)
        form = await request.form(max_files=0, max_fields=5, max_part_size=1024)
        if not hmac.compare_digest(str(form.get("csrf", "")), self.csrf(study)):
            raise BadCsrf
        return study

    def _back(self, request: Request, done: str) -> RedirectResponse:
        return RedirectResponse(f"/admin/{request.path_params['token']}?done={done}", status_code=303, headers=HEADERS)

    async def close(self, request: Request) -> Response:
        study = await self._post(request)
        close_study(self.app.store, study["study_id"])
        return self._back(request, "closed")

    async def export_now(self, request: Request) -> Response:
        await self._post(request)
        written = export(self.app.store, self.app.data_dir, self.app.tasks)
        return self._back(request, "exported" if written else "nothing-to-export")
