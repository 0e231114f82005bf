"""The release's PII scan finds every identifier type the audit listed, in the five languages, and the SQL prefilter
lets each such text through to it (a text the prefilter drops is never scanned). The labelled corpus
(bench/pii_corpus.jsonl) holds its size and its recall on the check-digit kinds."""

import json
from collections import Counter

import duckdb
import pytest

from bench.pii import CHECK_DIGIT_KINDS, CORPUS, score
from ca_assets.defs.release.pii import MAYBE_PII, PII_KINDS, find_pii

AUDIT = [  # one per kind the audit found missed, as an annotator might write it
    ("card", "Pode cobrar no cartão 4111 1111 1111 1111, validade 08/27.", "4111 1111 1111 1111"),
    ("iban", "Bonifico sull'IBAN IT60 X054 2811 1010 0000 0123 456, grazie.", "IT60 X054 2811 1010 0000 0123 456"),
    ("ip_address", "Mon serveur est à 203.0.113.54, tu peux te connecter ?", "203.0.113.54"),
    ("us_ssn", "My SSN is 219-09-9998, don't share it.", "219-09-9998"),
    ("aadhaar", "मेरा आधार नंबर 2341 2341 2346 है।", "2341 2341 2346"),
    ("pan", "मेरा पैन कार्ड BNZPM2501F है।", "BNZPM2501F"),
    ("cpf", "Meu CPF é 111.444.777-35.", "111.444.777-35"),
    ("nir", "Mon numéro de sécu : 2 69 05 49 588 157 80.", "2 69 05 49 588 157 80"),
    ("codice_fiscale", "Il mio codice fiscale è RSSMRA85T10A562S.", "RSSMRA85T10A562S"),
    ("email", "write to maria dot rossi at gmail dot com", "maria dot rossi at gmail dot com"),
    ("street_address", "J'habite au 12 rue de la Paix à Paris.", "12 rue de la Paix"),
]


@pytest.mark.parametrize(("kind", "text", "detail"), AUDIT, ids=[kind for kind, _, _ in AUDIT])
def test_each_kind_the_audit_listed_is_found_after_the_sql_prefilter(kind, text, detail):
    assert duckdb.sql("select regexp_matches($text, $maybe)", params={"text": text, "maybe": MAYBE_PII}).fetchall()[0][0]
    assert [(m.kind, m.text) for m in find_pii(text)] == [(kind, detail)]


def test_the_corpus_is_labelled_widely_and_check_digit_kinds_are_found():
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    positives = [r for r in rows if r["pii"]]
    assert len(positives) >= 100 and len(rows) - len(positives) >= 100
    assert set(Counter(r["lang"] for r in positives)) == {"en", "fr", "it", "pt", "hi"}
    assert {d["kind"] for r in positives for d in r["pii"]} == set(PII_KINDS)
    # every positive reaches Python through the prefilter the release's SQL applies
    texts = [r["text"] for r in positives]
    passed = duckdb.sql("select count(*) from unnest($texts) t(text) where regexp_matches(text, $maybe)",
                        params={"texts": texts, "maybe": MAYBE_PII}).fetchall()[0][0]  # fmt: skip
    assert passed == len(texts)
    counts, _ = score(rows)
    found = sum(counts[k]["hit"] for k in CHECK_DIGIT_KINDS)
    labelled = sum(counts[k]["labelled"] for k in CHECK_DIGIT_KINDS)
    assert found / labelled >= 0.95
