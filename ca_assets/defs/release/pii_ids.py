"""Identifiers a validator can check, for the release's PII scan (pii.py): payment cards, IBANs, IP addresses and
the national ids of the five languages' countries. A regex finds the shape each is written in; python-stdnum's
validator then checks the number itself (check digits, lengths, ranges), so ordinary numbers of the same shape,
which fail the check about nine times in ten or more, are not findings.

- card: 13 to 19 digits (spaces or dashes between groups), Luhn, and an issuer prefix (Visa, Mastercard, Amex,
  Discover, Diners, JCB, UnionPay, RuPay, Elo's BIN ranges start with these too).
- iban: country code, check digits and the country's length (mod 97).
- ip_address: IPv4 (an all-single-digit quad such as 1.2.3.4 reads as a section or version number and is left
  out, as is any quad after "version"/"v" in any of the five languages) and IPv6 with at least three colons.
- us_ssn: written 123-45-6789 (or with spaces) and in the issued ranges; nine bare digits are left out (too many
  ordinary numbers look alike, and there is no check digit).
- aadhaar (India): 12 digits, not starting with 0 or 1, Verhoeff check digit.
- pan (India): the ten-character format with its holder-type letter (the check letter's algorithm is not public);
  placeholders (AAAAA9999A, ABCDE1234F) are not findings.
- cpf (Brazil): 11 digits (123.456.789-09), two mod-11 check digits.
- nir (France, numéro de sécurité sociale): 15 characters (Corsica's 2A/2B included), key 97.
- codice_fiscale (Italy): 16 characters, check letter.
Every rule runs on the text with Devanagari digits read as ASCII (one character for one, so spans stay put).
"""

import ipaddress
import re
from collections.abc import Callable, Iterator

from stdnum import iban, luhn
from stdnum.br import cpf
from stdnum.fr import nir
from stdnum.in_ import aadhaar, pan
from stdnum.it import codicefiscale
from stdnum.us import ssn

ID_KINDS = ("card", "iban", "us_ssn", "aadhaar", "pan", "cpf", "nir", "codice_fiscale", "ip_address")

_NOT_AFTER = r"(?<![\w+.,/-])"  # not glued to a word, a sign, or the digits of a longer number
_NOT_BEFORE = r"(?![\w]|[.,/-]\w)"  # a sentence's full stop may follow; the next group of a longer number may not
_CARD_ISSUER = re.compile(r"4|5[1-5]|2(?:2[2-9]|[3-6]|7[01]|720)|3[47]|3(?:0[0-5]|[689])|6(?:011|5|4[4-9]|2|0|52)|35")
_VERSION = re.compile(r"(?:version|versão|versione|संस्करण|वर्ज़न|v\.?)\s*$", re.I)
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"


def _placeholder(number: str) -> bool:
    """A format's placeholder (AAAAA9999A, ABCDE1234F): one letter or digit repeated, or letters and digits in order."""
    letters, digits = number[:5], number[5:9]
    return len(set(letters)) == 1 or len(set(digits)) == 1 or (letters == "ABCDE" and digits == "1234")


def _card(number: str) -> bool:
    digits = re.sub(r"[ -]", "", number)
    return 13 <= len(digits) <= 19 and bool(_CARD_ISSUER.match(digits)) and luhn.is_valid(digits)


def _ipv4(number: str) -> bool:
    return any(len(octet) > 1 for octet in number.split("."))


def _ipv6(number: str) -> bool:
    try:
        ipaddress.IPv6Address(number)
    except ValueError:
        return False
    return number.count(":") >= 3 and sum(1 for group in number.split(":") if group) >= 2


_RULES: tuple[tuple[str, re.Pattern, Callable[[str], bool]], ...] = (
    ("card", re.compile(rf"{_NOT_AFTER}\d{{4}}(?:[ -]?\d{{2,4}}){{2,4}}(?:[ -]?\d{{1,4}})?{_NOT_BEFORE}"), _card),
    ("iban", re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9])"), iban.is_valid),
    ("us_ssn", re.compile(rf"{_NOT_AFTER}\d{{3}}([- ])\d{{2}}\1\d{{4}}{_NOT_BEFORE}"), lambda n: ssn.is_valid(n.replace(" ", ""))),
    ("aadhaar", re.compile(rf"{_NOT_AFTER}[2-9]\d{{3}}([ -]?)\d{{4}}\1\d{{4}}{_NOT_BEFORE}"), aadhaar.is_valid),
    (
        "pan",
        re.compile(r"(?<![A-Za-z0-9])[A-Z]{3}[ABCFGHLJPT][A-Z]\d{4}[A-Z](?![A-Za-z0-9])"),
        lambda number: pan.is_valid(number) and not _placeholder(number),
    ),
    ("cpf", re.compile(rf"{_NOT_AFTER}\d{{3}}(\.?)\d{{3}}\1\d{{3}}[-.]?\d{{2}}{_NOT_BEFORE}"), cpf.is_valid),
    (
        "nir",
        re.compile(rf"{_NOT_AFTER}[1-478] ?\d{{2}} ?\d{{2}} ?(?:\d{{2}}|2[AB]) ?\d{{3}} ?\d{{3}} ?\d{{2}}{_NOT_BEFORE}", re.I),
        lambda number: nir.is_valid(number.upper()),
    ),
    (
        "codice_fiscale",
        re.compile(
            r"(?<![A-Za-z0-9])[A-Z]{6}[0-9LMNP-V]{2}[ABCDEHLMPRST][0-9LMNP-V]{2}[A-Z][0-9LMNP-V]{3}[A-Z](?![A-Za-z0-9])", re.I
        ),
        lambda number: codicefiscale.is_valid(number.upper()),
    ),
    ("ip_address", re.compile(rf"(?<![\w.]){_OCTET}(?:\.{_OCTET}){{3}}(?![\w]|\.\d)"), _ipv4),
    ("ip_address", re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])"), _ipv6),
)


def _shortest_valid_prefix(kind: str, text: str, start: int, end: int, valid: Callable[[str], bool]) -> int | None:
    """An IBAN's groups run on into the next word when it is upper case ("... 189 BIC"): drop whole trailing
    groups until the number is valid."""
    if valid(text[start:end]):
        return end
    if kind != "iban":
        return None
    while (space := text.rfind(" ", start, end)) > start:
        end = space
        if valid(text[start:end]):
            return end
    return None


def find_ids(text: str) -> Iterator[tuple[str, int, int]]:
    """(kind, start, end) of every validated identifier in `text` (already read with ASCII digits)."""
    for kind, pattern, valid in _RULES:
        for match in pattern.finditer(text):
            if kind == "ip_address" and _VERSION.search(text, max(0, match.start() - 12), match.start()):
                continue
            end = _shortest_valid_prefix(kind, text, match.start(), match.end(), valid)
            if end is not None:
                yield kind, match.start(), end
