"""Street addresses, for the release's PII scan (pii.py): a house number next to a street word, in the ways the five
languages write them ("221B Baker Street", "12 rue de la Paix", "via Roma 5", "Rua Augusta, 1500",
"मकान नं. 12" / "12, एमजी रोड"). A street named without a number ("on Baker Street", "in via Roma") locates
nobody and is left out. Person names are not detected at all: that takes a named-entity model in five languages,
which this project cannot ship offline (docs/releases.md says so)."""

import re

_NAME = r"[A-ZÀ-Ý][\w'’.-]*"  # a capitalised word of a street's name
_NUMBER = r"\d{1,5}[A-Za-z]?(?:\s?(?:bis|ter))?"
EN_STREET = ("Street", "St", "Avenue", "Ave", "Road", "Rd", "Boulevard", "Blvd", "Lane", "Ln", "Drive", "Dr", "Court", "Ct",
             "Place", "Pl", "Terrace", "Way")  # fmt: skip
FR_STREET = ("rue", "avenue", "av.", "boulevard", "bd", "allée", "impasse", "chemin", "place", "quai", "cours")
IT_PT_STREET = ("via", "viale", "piazza", "piazzale", "corso", "vicolo", "largo", "vico",
                "rua", "r.", "avenida", "av.", "travessa", "alameda", "praça", "estrada", "rodovia")  # fmt: skip
HI_HOUSE = ("मकान", "फ्लैट", "घर", "प्लॉट", "हाउस")
HI_NUMBER_WORD = ("नं", "नंबर", "संख्या", "न.")
HI_STREET = ("रोड", "मार्ग", "नगर", "गली", "सेक्टर", "कॉलोनी", "विहार", "चौक", "लेन")
_EN_STREET = "|".join(rf"{word}\.?" if len(word) <= 4 and word not in ("Lane", "Road", "Way") else word for word in EN_STREET)
_FR_STREET = "|".join(map(re.escape, FR_STREET))
_IT_PT_STREET = "|".join(map(re.escape, IT_PT_STREET))
_OF = r"(?:(?:de|du|des|d'|d’|la|le|les|l'|l’|di|del|della|dei|delle|do|da|dos|das|e)\s?)*"
_HI_NUMBER = r"[\d०-९]{1,5}[A-Za-z]?"
_HI_STREET = "|".join(HI_STREET)

ADDRESS_PATTERNS = (
    # en (and Indian English): number, up to four name words, the street word
    re.compile(rf"(?<![\w.,/-]){_NUMBER},?\s(?:{_NAME}\s){{1,4}}(?:{_EN_STREET})(?![\w])"),
    # fr: number, the street word, the name
    re.compile(rf"(?<![\w.,/-]){_NUMBER},?\s(?i:{_FR_STREET})\s{_OF}{_NAME}(?:\s{_OF}{_NAME}){{0,3}}"),
    # it and pt: the street word, the name, then the number (pt may write "nº")
    re.compile(
        rf"(?<![\w])(?i:{_IT_PT_STREET})\s{_OF}{_NAME}(?:\s{_OF}{_NAME}){{0,3}},?\s(?:(?i:n[º°o]?\.?)\s?)?\d{{1,5}}[A-Za-z]?"
        r"(?=\s*$|[,;:)!?]|\.(?!\d)|\s[-–]|\s\d{5})"  # then the end, punctuation or a postcode: "via DHL 3 volte" is no address
    ),
    # hi: a house or flat number, or a number then a street word
    re.compile(rf"(?:{'|'.join(HI_HOUSE)})\s?(?:नं\.?|नंबर|संख्या|न\.)\s?{_HI_NUMBER}"),
    re.compile(rf"(?<![\w]){_HI_NUMBER},?\s(?:[\u0900-\u097F]+\s){{1,3}}(?:{_HI_STREET})(?![\u0900-\u097F])"),
)


def anycase(word: str) -> str:
    """`word` as re.I reads it (the ASCII letter either way, and the non-ASCII letters Python folds onto s and i)."""
    return "".join(
        f"[{c}{c.upper()}{'ſ' if c == 's' else 'İı' if c == 'i' else ''}]" if c.isalpha() else re.escape(c) for c in word
    )


def any_of(*words: str) -> str:
    return "|".join(map(anycase, words))


# What each rule above needs, for pii.MAYBE_PII (read alike by Python's `re` and DuckDB's RE2: no \s, \w, \d or
# flags; a separator is any non-alphanumeric character, which covers \s). Close to the rules, so that ordinary
# text with a street word and a number somewhere stays out of the Python scan.
_SEP = "[^A-Za-z0-9]"
ADDRESS_PREFILTER = (
    rf"[0-9][A-Za-z]?,?{_SEP}(?:[^ \n]+{_SEP}){{1,4}}(?:{'|'.join(EN_STREET)})",  # en
    rf"[0-9][A-Za-z]?(?:{_SEP}?(?:bis|ter))?,?{_SEP}(?:{any_of(*FR_STREET)}){_SEP}",  # fr
    rf"(?:^|[^A-Za-z0-9_])(?:{any_of(*IT_PT_STREET)}){_SEP}(?:[a-z'’]+{_SEP}?){{0,4}}[A-ZÀ-Ý]",  # it, pt: a capitalised name
    rf"(?:{'|'.join(HI_HOUSE)}){_SEP}?(?:{'|'.join(map(re.escape, HI_NUMBER_WORD))})",  # hi
    rf"[0-9०-९][A-Za-z]?,?{_SEP}(?:[^ \n]+{_SEP}){{1,3}}(?:{_HI_STREET})",
)


def find_addresses(text: str):
    for pattern in ADDRESS_PATTERNS:
        for match in pattern.finditer(text):
            yield "street_address", match.start(), match.end()
