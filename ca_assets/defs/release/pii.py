"""The PII scanner that flags dataset rows before a public release. The text is annotator chat in en, fr, it, pt-BR and
hi, so the rules aim at real contact details and identifiers, not at the numbers such text is full of.
- email: plain addresses (+ tags, subdomains), the bracketed obfuscations used to dodge scrapers, `name [at] domain [dot]
  com`, also in fr/it/pt (arobase, chiocciola, arroba; point, punto, ponto), and the same with bare words ("maria dot rossi
  at gmail dot com") when the domain is a mail provider's or the name has a dot, so "look at google dot com" stays prose.
- phone: digit groups (ASCII or Devanagari) are a phone only with a + country code and 9 to 15 digits (E.164), or when they begin
  with a US, FR, IT, BR or IN national format: the formats keep years, ranges, dates, times, IPs, cards and timestamps out.
  Thousands groupings (1 000 000 000) are amounts; a run glued to a letter, cents, a %, a currency sign or "ISBN" is a number;
  and the number must be valid in its region's numbering plan (phonenumbers).
- personal_url: a URL naming a person (first path segment on facebook/instagram/x/twitter/github, linkedin /in/, tiktok/youtube
  /@; /~name, /users/, /user/, /home/, /profile/, /u/ anywhere) and home-directory paths (C:\\Users\\name, /home/name,
  /Users/name), which leak an account name. Site sections (facebook.com/groups) and placeholders (/home/user) name nobody.
- card, iban, ip_address and the national ids (us_ssn, aadhaar, pan, cpf, nir, codice_fiscale): pii_ids.py, each number
  checked by its validator; street_address: pii_addresses.py. Person names are not detected (docs/releases.md).
Measured on a labelled corpus (bench/pii_corpus.jsonl) by `python -m bench.pii`: docs/releases.md has the table.
"""

import bisect
import re
from dataclasses import dataclass

import phonenumbers

from ca_assets.defs.release.pii_addresses import ADDRESS_PREFILTER, any_of, anycase, find_addresses
from ca_assets.defs.release.pii_ids import ID_KINDS, find_ids

# Order breaks ties between overlapping matches of one length: a validated identifier before a phone.
PII_KINDS = ("email", *ID_KINDS, "phone", "personal_url", "street_address")


@dataclass(frozen=True)
class PiiMatch:
    kind: str  # one of PII_KINDS
    start: int
    end: int
    text: str


_AT = r"\s*[\[({<]\s*(?:at|arobase|chiocciola|arroba)\s*[\])}>]\s*"
_DOT = r"(?:\s*[\[({<]\s*(?:dot|point|punto|ponto)\s*[\])}>]\s*|\.)"
_EMAILS = (
    re.compile(r"(?<![\w.%+-])[a-z0-9._%+-]+@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,24}(?![\w-])", re.I),
    re.compile(rf"(?<![\w.%+-])[a-z0-9._%+-]+{_AT}[a-z0-9-]+(?:{_DOT}[a-z0-9-]+)*{_DOT}[a-z]{{2,24}}(?![\w-])", re.I),
)
# Spelled out with bare words: only a mail provider's domain, or a name with a dot in it, makes it an address.
_WORD_AT = r"\s+(?:at|arobase|chiocciola|arroba)\s+"
_WORD_DOT = r"\s+(?:dot|point|punto|ponto)\s+"
_TLDS = ("com", "net", "org", "edu", "gov", "info", "io", "co", "uk", "fr", "it", "br", "in", "pt", "de", "es", "eu")
_SPELLED = re.compile(
    rf"(?<![\w.%+-])(?P<name>[a-z0-9._%+-]+(?:{_WORD_DOT}[a-z0-9._%+-]+)*){_WORD_AT}(?P<domain>[a-z0-9-]+)"
    rf"(?:{_WORD_DOT}[a-z0-9-]+)*{_WORD_DOT}(?:{'|'.join(_TLDS)})(?![\w-])",
    re.I,
)
_MAIL_PROVIDER = re.compile(
    r"gmail|googlemail|yahoo|ymail|hotmail|outlook|live|msn|icloud|aol|proton(?:mail)?|gmx|yandex|zoho|mail|orange|free|"
    r"laposte|sfr|wanadoo|libero|virgilio|tiscali|alice|tim|uol|bol|terra|rediffmail|rediff",
    re.I,
)

_D = "0-9\u0966-\u096f"  # Devanagari digits: Hindi annotators write numbers in either script
_SEP = "[ .\u00a0\u202f-]"  # French typography puts (narrow) no-break spaces between digit groups
_PHONE_RUN = re.compile(
    rf"(?<![\w+])(?<![{_D}][/:])(?:\+[{_D}]{{1,3}}{_SEP}?)?(?:\([{_D}]{{1,4}}\){_SEP}?)?[{_D}]+(?:{_SEP}[{_D}]+)*"
)
_TO_ASCII = str.maketrans("०१२३४५६७८९\u00a0\u202f", "0123456789  ")  # one char for one, so spans stay aligned
_NATIONAL = {  # each region's national formats; its numbering plan then checks the number (a format may fit two)
    "US": r"(?:1[ .-]?)?(?:\([2-9]\d{2}\) ?|[2-9]\d{2}[ .-]?)\d{3}[ .-]?\d{4}",  # NANP: area codes never start with 0 or 1
    "FR": r"0[1-9](?:[ .-]?\d{2}){4}",
    "IT": r"(?:3\d{2}|0\d{1,3})[ .-]?(?:\d{3,4}[ .-]?\d{3,4}|\d{6,8})",  # mobiles (3xx) and landlines (0x)
    "BR": r"\([1-9]{2}\) ?9?\d{4}[ .-]?\d{4}|[1-9]{2}[ .-]?9\d{4}[ .-]?\d{4}",  # unbracketed DDD only with a 9 mobile
    "IN": r"(?:0|91[ .-]?)?[6-9]\d{4}[ .-]?\d{5}",  # mobiles
}
# Each ends where a digit group ends, so a format that stops mid-group gives way to the next one.
_NATIONAL_RE = {region: re.compile(rf"(?:{pattern})(?= |$)") for region, pattern in _NATIONAL.items()}
_CEP = re.compile(r"\d{5}-\d{3}")
_THOUSANDS = re.compile(r"\d{1,3}([ .])\d{3}(?:\1\d{3})+")
_NOT_A_NUMBER_END = re.compile(r"\w|,\d{1,2}(?!\d)|\s?%")  # ",50" is cents; ",06..." starts the next number of a list

_SOCIAL = (
    r"(?:https?://)?(?:(?:www|m|mobile|gist|[a-z]{2})\.)?"
    r"(?:(?:facebook|instagram|x|twitter|github)\.com/|linkedin\.com/in/|(?:tiktok|youtube)\.com/@)"
)
_PATH_URL = r"(?:https?://|www\.)[^\s/<>\"']+(?:/[^\s/<>\"']*)*?/(?:~|(?:users?|home|profile|u)/)"
_TAIL = r"(?:[/?#][^\s<>\"'\[\]{}]*)?"
_PERSONAL = (
    re.compile(rf"(?<![\w.@/-])(?:{_SOCIAL}|{_PATH_URL})(?P<name>[\w.%-]+){_TAIL}", re.I),
    re.compile(
        r"(?<![\w.~-])(?:[A-Za-z]:[\\/]+(?i:users|documents and settings)[\\/]+|/(?:home|Users)/)"
        r"(?P<name>[^\s\\/:*?\"<>|]+)(?:[\\/][^\s\"<>|]*)?",
    ),
)
_NOT_A_NAME = re.compile(  # site sections (facebook.com/groups) and placeholders (/home/user) name nobody
    r"about|accounts|admin|administrator|all|apps|business|collections|contact|default|developers|enterprise|events|explore|"
    r"features|gaming|groups|guest|hashtag|help|home|i|intent|jobs|login|marketplace|me|messages|name|notifications|orgs|p|"
    r"pages|policies|pricing|privacy|public|reels?|search|security|settings|share|sharer|shared|signup|sponsors|terms|topics|"
    r"tos|trending|user|username|users|watch|you|your_?name"
)


def _trim(text: str, start: int, end: int) -> int:
    """End of a URL or path without the sentence punctuation after it (a ')' stays when it closes one inside)."""
    while end > start and text[end - 1] in ".,;:!?'\"»।)":
        if text[end - 1] == ")" and text.count("(", start, end) >= text.count(")", start, end):
            break
        end -= 1
    return end


def _phone_end(text: str, match: re.Match) -> int | None:
    run = match.group().translate(_TO_ASCII)
    before = text[max(0, match.start() - 12) : match.start()]
    if _NOT_A_NUMBER_END.match(text, match.end()) or re.search(r"[$€£₹]\s?$|isbn(?:-1[03])?\W*$", before, re.I):
        return None
    if run.startswith("+"):
        national = re.sub(r"^\+\d{1,3}[ .-]?", "", run)
        if 9 <= sum(c.isdigit() for c in run) <= 15 and not _THOUSANDS.fullmatch(national) and _in_plan(run, None):
            return match.end()
        return None
    # Prefix, not full match: a phone followed by an unrelated number ("06 12 34 56 78 10 fois") is still found.
    if _CEP.fullmatch(run):  # Brazil's postcodes (01310-100) fit an Italian landline's digits
        return None
    for region, pattern in _NATIONAL_RE.items():
        national = pattern.match(run)
        if national and not _THOUSANDS.fullmatch(national.group()) and _in_plan(national.group(), region):
            return match.start() + national.end()
    return None


def _in_plan(number: str, region: str | None) -> bool:
    """The number is valid in its region's numbering plan (an assigned prefix and length), by phonenumbers."""
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(number, region))
    except phonenumbers.NumberParseException:
        return False


def _candidates(text: str):
    yield from (("email", m.start(), m.end()) for pattern in _EMAILS for m in pattern.finditer(text))
    for m in _SPELLED.finditer(text):
        if _MAIL_PROVIDER.fullmatch(m.group("domain")) or re.search(rf"[._\d]|{_WORD_DOT}", m.group("name"), re.I):
            yield "email", m.start(), m.end()
    yield from find_ids(text.translate(_TO_ASCII))
    yield from find_addresses(text)
    for m in _PHONE_RUN.finditer(text):
        if (end := _phone_end(text, m)) is not None:
            yield "phone", m.start(), end
    for pattern in _PERSONAL:
        for m in pattern.finditer(text):
            if not _NOT_A_NAME.fullmatch(m.group("name").rstrip(".-").strip("<>{}$%").lower()):
                yield "personal_url", m.start(), _trim(text, m.start(), m.end())


_DOT_WORD = any_of("dot", "point", "punto", "ponto")


# What every rule above needs, written so that Python's `re` and DuckDB's RE2 read it alike (literal characters and
# explicit classes; no \s, \w, \d, flags or lookarounds, which the two define differently), so the release scan
# selects its candidates in SQL with it. A text it does not match has no finding: it errs only the other way.
_MAYBE_PARTS = (
    "@",  # email
    rf"[\[({{<][^A-Za-z0-9]*(?:{'|'.join(map(anycase, ('at', 'arobase', 'chiocciola', 'arroba')))})"
    r"[^A-Za-z0-9]*[\])}>]",  # obfuscated email (a run of non-alphanumerics covers \s*)
    # phone: a digit run not glued to a word or a +, of 8+ digits (the shortest national format, IT landlines;
    # E.164 needs 9), digits apart by at most two of the run's separators and brackets, not followed by a word.
    f"(?:^|[^A-Za-z0-9_+])[+(]?[{_D}](?:[() .\u00a0\u202f-]{{0,2}}[{_D}]){{7,}}(?:[^A-Za-z0-9_]|$)",
    rf"\.{anycase('com')}/|://|{anycase('www')}\.",  # personal URL: a social site's .com/, or a scheme or www.
    r"[A-Za-z]:[\\/]|/home/|/Users/",  # home directory
    # spelled-out email: a bare "at" word, a domain, and bare "dot" words up to a top-level domain
    rf"[^A-Za-z0-9](?:{any_of('at', 'arobase', 'chiocciola', 'arroba')})[^A-Za-z0-9]+[A-Za-z0-9-]+"
    rf"(?:[^A-Za-z0-9]+(?:{_DOT_WORD})[^A-Za-z0-9]+[A-Za-z0-9-]+)*[^A-Za-z0-9]+(?:{_DOT_WORD})[^A-Za-z0-9]+"
    rf"(?:{any_of(*_TLDS)})(?:[^A-Za-z0-9]|$)",
    f"[{_D}]{{1,3}}[.][{_D}]{{1,3}}[.][{_D}]{{1,3}}[.][{_D}]{{1,3}}",  # IPv4
    "[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:",  # IPv6
    "[A-Z]{2}[0-9]{2} ?[A-Z0-9]{4}",  # IBAN (cards and the numeric ids are digit runs of 8 or more, above)
    "[A-Z]{5}[0-9]{4}[A-Z]",  # PAN
    "[A-Za-z]{6}[0-9LMNP-Vlmnp-v]{2}[A-Za-z][0-9LMNP-Vlmnp-v]{2}[A-Za-z][0-9LMNP-Vlmnp-v]{3}[A-Za-z]",  # codice fiscale
    "[1-478] ?[0-9]{2} ?[0-9]{2} ?2[ABab]",  # NIR of Corsica (2A/2B break the digit run)
    *ADDRESS_PREFILTER,  # street addresses
)
MAYBE_PII = "|".join(_MAYBE_PARTS)
_MAYBE = re.compile(MAYBE_PII)


def find_pii(text: str | None) -> list[PiiMatch]:
    """All matches in text, ordered by start; None or '' gives [].

    Overlapping matches: keep the longest, then the first kind in PII_KINDS order."""
    if not text or not _MAYBE.search(text):
        return []
    found = sorted(set(_candidates(text)), key=lambda c: (c[1] - c[2], PII_KINDS.index(c[0]), c[1]))
    kept: list[tuple[int, int, str]] = []  # never overlapping, so sorted by start they are sorted by end too
    for kind, start, end in found:
        at = bisect.bisect(kept, start, key=lambda span: span[0])
        if (at == 0 or kept[at - 1][1] <= start) and (at == len(kept) or end <= kept[at][0]):
            kept.insert(at, (start, end, kind))
    return [PiiMatch(kind, start, end, text[start:end]) for start, end, kind in kept]


def redact(text: str) -> str:
    """Each match replaced by [EMAIL], [PHONE] or [PERSONAL_URL]."""
    parts, position = [], 0
    for match in find_pii(text):
        parts += [text[position : match.start], f"[{match.kind.upper()}]"]
        position = match.end
    return "".join(parts) + (text or "")[position:]
