"""Studies: created from a recruitment file, one unguessable, revocable link per annotator.

Recruitment file (CSV, UTF-8, header required):
    annotator_id, country, lang        required: the pseudonymous id the pipeline stores, the annotator's country
                                        (one of the release's five, lower case) and the language they annotate in
    external_id                         optional: a panel's participant id (e.g. Prolific's PROLIFIC_PID), so a
                                        panel link carrying it maps to this annotator

A link is /a/<token>: 32 random bytes, url-safe. Only its sha256 is stored, so a copy of the store does not hand
out working links; the links are printed once, when the study is created (and can be re-issued per annotator).
"""

import csv
import hashlib
import io
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from ca_assets.annotate.store import Store, now
from ca_assets.core.ids import stable_id
from ca_assets.vocab import COUNTRIES, LANGS, MAX_TURNS

REQUIRED = ("annotator_id", "country", "lang")
OPTIONAL = ("external_id",)
MAX_ANNOTATORS = 100_000
ID_PATTERN = re.compile(r"[A-Za-z0-9_.:@-]{1,128}")  # ids travel in files and URLs: keep them plain


class RecruitmentRejected(ValueError):
    """A recruitment file that cannot start a study, with the line and what is wrong."""


@dataclass(frozen=True)
class Recruit:
    annotator_id: str
    country: str
    lang: str
    external_id: str | None


def read_recruitment(path: Path) -> list[Recruit]:
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise RecruitmentRejected(f"{path}: not UTF-8 ({error.reason} at byte {error.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c not in (*REQUIRED, *OPTIONAL)]
    if missing or unknown or len(set(header)) != len(header):
        raise RecruitmentRejected(
            f"{path}: the header must name {', '.join(REQUIRED)} (and optionally {', '.join(OPTIONAL)}), each once; "
            f"missing {missing}, unknown {unknown}"
        )
    countries = {c.name for c in COUNTRIES}
    recruits, seen, external = [], set(), set()
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise RecruitmentRejected(f"{path}:{line}: {len(row)} fields, the header has {len(header)}")
        cells = {name: cell.strip() for name, cell in zip(header, row, strict=True)}
        problem = (
            "annotator_id must be 1-128 letters, digits or _.:@-" if not ID_PATTERN.fullmatch(cells["annotator_id"])
            else f"country must be one of {sorted(countries)}" if cells["country"].lower() not in countries
            else f"lang must be one of {list(LANGS)}" if cells["lang"] not in LANGS
            else "external_id must be 1-128 letters, digits or _.:@-"
            if cells.get("external_id") and not ID_PATTERN.fullmatch(cells["external_id"])
            else f"annotator_id {cells['annotator_id']} appears twice" if cells["annotator_id"] in seen
            else f"external_id {cells['external_id']} appears twice" if cells.get("external_id") in external
            else None
        )  # fmt: skip
        if problem:
            raise RecruitmentRejected(f"{path}:{line}: {problem}")
        seen.add(cells["annotator_id"])
        if cells.get("external_id"):
            external.add(cells["external_id"])
        recruits.append(Recruit(cells["annotator_id"], cells["country"].lower(), cells["lang"], cells.get("external_id") or None))
        if len(recruits) > MAX_ANNOTATORS:
            raise RecruitmentRejected(f"{path}: more than {MAX_ANNOTATORS} annotators")
    if not recruits:
        raise RecruitmentRejected(f"{path}: no annotators")
    return recruits


def token_sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Created(NamedTuple):
    study_id: str
    tokens: dict[str, str]  # annotator_id: their link's token
    admin: str  # the admin page's token
    panel: str | None  # the panel link's token, when the study has a panel parameter


WRITTEN_SHARE = 0.31  # the public release's share of conversations opened on the annotator's own prompt
PANEL_PARAM = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")


def create_study(
    store: Store, name: str, recruits: list[Recruit], annotators_per_set: int = 10, max_turns: int = MAX_TURNS,
    completion_code: str | None = None, redirect_url: str | None = None, written_share: float = WRITTEN_SHARE,
    panel_param: str | None = None, conversations_per_annotator: int = 3,
) -> Created:
    """A study's links. An annotator already in another study is refused: one id, one person."""
    if not 1 <= max_turns <= MAX_TURNS:
        raise ValueError(f"max_turns must be 1..{MAX_TURNS}")
    if not 1 <= conversations_per_annotator <= 1000:
        raise ValueError("conversations_per_annotator must be 1..1000")
    if not 0 <= written_share <= 1:
        raise ValueError("written_share must be between 0 and 1")
    if panel_param is not None and not PANEL_PARAM.fullmatch(panel_param):
        raise ValueError("the panel parameter must be a plain name such as PROLIFIC_PID")
    if panel_param is not None and not any(r.external_id for r in recruits):
        raise RecruitmentRejected("a panel parameter maps participant ids to annotators: give them an external_id column")
    study_id = stable_id("study", name, now())
    tokens = {r.annotator_id: secrets.token_urlsafe(32) for r in recruits}
    admin = secrets.token_urlsafe(32)
    panel = secrets.token_urlsafe(32) if panel_param else None
    with store.transaction() as con:
        taken = [
            r.annotator_id for r in recruits
            if con.execute("select 1 from annotators where annotator_id = ?", (r.annotator_id,)).fetchone()
        ]  # fmt: skip
        if taken:
            raise RecruitmentRejected(f"annotators already in a study: {taken[:10]}")
        con.execute(
            "insert into studies (study_id, name, created_at, annotators_per_set, max_turns, completion_code, redirect_url,"
            " written_share, admin_token_sha, panel_param, panel_token_sha, conversations_per_annotator)"
            " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (study_id, name, now(), annotators_per_set, max_turns, completion_code, redirect_url, written_share,
             token_sha(admin), panel_param, token_sha(panel) if panel else None, conversations_per_annotator),
        )  # fmt: skip
        con.executemany(
            "insert into annotators (annotator_id, study_id, token_sha, country, lang, external_id) values (?, ?, ?, ?, ?, ?)",
            [(r.annotator_id, study_id, token_sha(tokens[r.annotator_id]), r.country, r.lang, r.external_id) for r in recruits],
        )
    return Created(study_id, tokens, admin, panel)


def annotator_for_panel(store: Store, panel_token: str, params) -> str | None:
    """A panel's arrival (/p/<token>?<param>=<participant id>): a fresh link for the annotator recruited with that
    external id, or None. Each arrival re-issues the link (the store keeps no link it could hand out again), so a
    tab opened earlier stops working; the annotator's work is tied to them, not to a link."""
    if not panel_token or len(panel_token) > 100:
        return None
    study = store.one("select * from studies where panel_token_sha = ?", (token_sha(panel_token),))
    participant = params.get(study["panel_param"], "") if study is not None else ""
    if not participant or not ID_PATTERN.fullmatch(participant):
        return None
    annotator = store.one(
        "select annotator_id from annotators where study_id = ? and external_id = ? and revoked_at is null",
        (study["study_id"], participant),
    )
    return reissue_link(store, annotator["annotator_id"]) if annotator is not None else None


def study_for_admin_token(store: Store, token: str):
    if not token or len(token) > 100:
        return None
    return store.one("select * from studies where admin_token_sha = ?", (token_sha(token),))


def close_study(store: Store, study_id: str) -> None:
    """Links stop opening work: an annotator sees that the study is closed. Nothing stored is removed."""
    with store.transaction() as con:
        con.execute("update studies set closed_at = coalesce(closed_at, ?) where study_id = ?", (now(), study_id))


def reissue_link(store: Store, annotator_id: str) -> str:
    """A new link for an annotator; the old one stops working (a leaked link is revoked this way)."""
    token = secrets.token_urlsafe(32)
    with store.transaction() as con:
        changed = con.execute(
            "update annotators set token_sha = ?, revoked_at = null where annotator_id = ?", (token_sha(token), annotator_id)
        ).rowcount
    if not changed:
        raise KeyError(annotator_id)
    return token


def revoke_link(store: Store, annotator_id: str) -> None:
    with store.transaction() as con:
        if not con.execute("update annotators set revoked_at = ? where annotator_id = ?", (now(), annotator_id)).rowcount:
            raise KeyError(annotator_id)


def annotator_for_token(store: Store, token: str):
    """The annotator a link belongs to (with their study's settings and `closed_at`), or None (unknown or revoked)."""
    if not token or len(token) > 100:
        return None
    return store.one(
        "select a.*, s.closed_at, s.max_turns, s.annotators_per_set, s.completion_code, s.redirect_url, s.written_share,"
        " s.conversations_per_annotator"
        " from annotators as a join studies as s using (study_id)"
        " where a.token_sha = ? and a.revoked_at is null",
        (token_sha(token),),
    )
