"""Street addresses, for the release's PII scan (pii.py): a house number next to a street word, in the ways the five
languages write them ("221B Baker Street", "12 rue de la Paix", "via Roma 5", "Rua Augusta, 1500",
"मकान नं. 12" / "12, एमजी रोड"). A street named without a number ("on Baker Street", "in via Roma") locates
nobody and is left out. Person names are not detected at all: that takes a named-entity model in five languages,
which this project cannot ship offline (docs/releases.md says so)."""

import re

_NAME = r"[A-ZÀ-Ý][\w'’.-]*"  # a capitalised word of a street's name
_NUMBER = r"\d{1,5}[A-Za-z]?(?:\s?(?:bis|ter))?"
_EN_STREET = r"Street|St\.?|Avenue|Ave\.?|Road|Rd\.?|Boulevard|Blvd\.?|Lane|Ln\.?|Drive|Dr\.?|Court|Ct\.?|Place|Pl\.?|Terrace|Way"
_FR_STREET = r"rue|avenue|av\.|boulevard|bd|allée|impasse|chemin|place|quai|cours"
_IT_STREET = r"via|viale|piazza|piazzale|corso|vicolo|largo|vico"
_PT_STREET = r"rua|r\.|avenida|av\.|travessa|alameda|praça|estrada|rodovia|largo"
_OF = r"(?:(?:de|du|des|d'|d’|la|le|les|l'|l’|di|del|della|dei|delle|do|da|dos|das|e)\s?)*"
_HI_NUMBER = r"[\d०-९]{1,5}[A-Za-z]?"
_HI_STREET = r"रोड|मार्ग|नगर|गली|सेक्टर|कॉलोनी|विहार|चौक|लेन"

ADDRESS_PATTERNS = (
    # en (and Indian English): number, up to four name words, the street word
    re.compile(rf"(?<![\w.,/-]){_NUMBER},?\s(?:{_NAME}\s){{1,4}}(?:{_EN_STREET})(?![\w])"),
    # fr: number, the street word, the name
    re.compile(rf"(?<![\w.,/-]){_NUMBER},?\s(?i:{_FR_STREET})\s{_OF}{_NAME}(?:\s{_OF}{_NAME}){{0,3}}"),
    # it and pt: the street word, the name, then the number (pt may write "nº")
    re.compile(
        rf"(?<![\w])(?i:{_IT_STREET}|{_PT_STREET})\s{_OF}{_NAME}(?:\s{_OF}{_NAME}){{0,3}},?\s(?:(?i:n[º°o]?\.?)\s?)?\d{{1,5}}[A-Za-z]?"
        r"(?=\s*$|[,;:)!?]|\.(?!\d)|\s[-–]|\s\d{5})"  # then the end, punctuation or a postcode: "via DHL 3 volte" is no address
    ),
    # hi: a house or flat number, or a number then a street word
    re.compile(rf"(?:मकान|फ्लैट|घर|प्लॉट|हाउस)\s?(?:नं\.?|नंबर|संख्या|न\.)\s?{_HI_NUMBER}"),
    re.compile(rf"(?<![\w]){_HI_NUMBER},?\s(?:[\u0900-\u097F]+\s){{1,3}}(?:{_HI_STREET})(?![\u0900-\u097F])"),
)


def find_addresses(text: str):
    for pattern in ADDRESS_PATTERNS:
        for match in pattern.finditer(text):
            yield "street_address", match.start(), match.end()
