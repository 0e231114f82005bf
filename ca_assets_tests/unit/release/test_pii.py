"""The PII scanner on en/fr/it/pt/hi chat text: contact details are found with their exact kind and text, the numbers,
handles and generic URLs ordinary answers are full of are not, and redaction replaces exactly what was found."""

import dataclasses

import pytest

from ca_assets.defs.release.pii import PII_KINDS, PiiMatch, find_pii, redact


def found(text: str) -> list[tuple[str, str]]:
    return [(match.kind, match.text) for match in find_pii(text)]


@pytest.mark.parametrize(
    ("text", "email"),
    [
        ("Email me at john.smith@example.com.", "john.smith@example.com"),
        ("Écrivez-moi à jean.dupont@exemple.fr", "jean.dupont@exemple.fr"),
        ("Scrivimi a mario.rossi+lavoro@posta.esempio.it!", "mario.rossi+lavoro@posta.esempio.it"),
        ("Meu e-mail é ana_souza@empresa.com.br, responda lá.", "ana_souza@empresa.com.br"),
        ("मेरा ईमेल ravi.kumar@example.in है", "ravi.kumar@example.in"),
        ("mera email RAVI.K@Gmail.COM hai", "RAVI.K@Gmail.COM"),
        ("Contact: <jean-pierre.dupont@rh.exemple.fr>", "jean-pierre.dupont@rh.exemple.fr"),
        ("contact: john [at] example [dot] com", "john [at] example [dot] com"),
        ("Écrivez à jean (at) exemple.fr", "jean (at) exemple.fr"),
        ("JOHN [AT] EXAMPLE [DOT] CO [DOT] UK please", "JOHN [AT] EXAMPLE [DOT] CO [DOT] UK"),
        ("mario[at]esempio[dot]it", "mario[at]esempio[dot]it"),
        ("jean [arobase] exemple [point] fr", "jean [arobase] exemple [point] fr"),
        ("scrivi a mario (chiocciola) esempio (punto) it", "mario (chiocciola) esempio (punto) it"),
        ("manda para ana {arroba} exemplo {ponto} com", "ana {arroba} exemplo {ponto} com"),
    ],
)
def test_emails_are_found(text, email):
    assert found(text) == [("email", email)]


@pytest.mark.parametrize(
    "text",
    [
        "Follow @jean_dupont for updates",
        "@username",
        "a@b",
        "write to root@localhost",
        "look at google dot com",
        "email me at john at example",
        "10 @ 5 € the kilo",
        "Je suis @ la maison",
    ],
)
def test_handles_and_half_addresses_are_not_emails(text):
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("Call me at +1 (212) 555-0147 tonight.", "+1 (212) 555-0147"),
        ("My cell is 212-555-0147.", "212-555-0147"),
        ("Text (212) 555-0147 after 6pm", "(212) 555-0147"),
        ("Office: 212.555.0147", "212.555.0147"),
        ("Toll free: 1-800-555-1234", "1-800-555-1234"),
        ("Appelez-moi au +33 6 12 34 56 78 demain.", "+33 6 12 34 56 78"),
        ("Mon numéro : 06 12 34 56 78.", "06 12 34 56 78"),
        ("Tél. 06.12.34.56.78", "06.12.34.56.78"),
        ("Tél. 0612345678", "0612345678"),
        ("Numéro : 06\u202f12\u202f34\u202f56\u202f78", "06\u202f12\u202f34\u202f56\u202f78"),
        ("Appelle le 06 12 34 56 78 10 fois", "06 12 34 56 78"),
        ("Chiamami al +39 347 123 4567, grazie.", "+39 347 123 4567"),
        ("Il mio cellulare è 347 1234567.", "347 1234567"),
        ("Ufficio di Milano: 02 1234 5678", "02 1234 5678"),
        ("Meu WhatsApp é +55 (11) 91234-5678.", "+55 (11) 91234-5678"),
        ("Liga no (11) 91234-5678 depois do almoço", "(11) 91234-5678"),
        ("Meu celular: 11 91234-5678", "11 91234-5678"),
        ("मेरा नंबर 98765 43210 है", "98765 43210"),
        ("मेरा नंबर +91 98765 43210 है", "+91 98765 43210"),
        ("फ़ोन: 98765-43210", "98765-43210"),
        ("mera number 9876543210 hai, call karna", "9876543210"),
        ("मेरा नंबर ९८७६५ ४३२१० है", "९८७६५ ४३२१०"),
        ("मेरा नंबर +९१ ९८७६५४३२१० है", "+९१ ९८७६५४३२१०"),
        ("London office +44 (0)20 7946 0958", "+44 (0)20 7946 0958"),
        ("WhatsApp +919876543210", "+919876543210"),
        ("WhatsApp: https://wa.me/919876543210", "919876543210"),
    ],
)
def test_phones_are_found(text, phone):
    assert found(text) == [("phone", phone)]


@pytest.mark.parametrize(
    "text",
    [
        "Between 1990-2020 the population grew.",
        "Entre 1990 2000 2010 tout a changé",
        "Le 12/05/2023 à 14:30",
        "Date: 2023-05-12",
        "La riunione è il 12.05.2023 alle 14.30",
        "O preço é 1.234,56 € por mês",
        "Custa R$ 1.234.567,89 no total",
        "It cost $1,000,000.",
        "Il y a 1.000.000 d'habitants",
        "10 000 personnes",
        "1 000 000 000 de dollars",
        "+1 000 000 000 users joined",
        "Il tasso è del 99,5%",
        "Crescimento de 9876543210%",
        "Il totale è 4155552671,50",
        "ISBN 978-3-16-148410-0",
        "ISBN-10: 0306406152",
        "9783161484100",
        "timestamp 1700000000",
        "order id 123456789012",
        "pi ≈ 3.14159265358979",
        "345 678 901 habitantes",
        "१९९० - २०२० के बीच",
        "१९९०-२०२० के बीच",
        "कीमत ₹ 9876543210",
        "ref ABC9876543210",
        "I was born in 1985 and have 3 kids.",
        "Il pleut depuis 3 jours, 2 heures et 15 minutes.",
        "1 2 3 4 5 6 7 8 9 10",
        "12345678",
        "+33 6 12",
        "My cell is 555-123-4567.",  # no area code 555: outside the numbering plan (phonenumbers)
    ],
)
def test_numbers_that_are_not_phones(text):
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "kind", "number"),
    [
        ("card 4111 1111 1111 1111", "card", "4111 1111 1111 1111"),
        ("Server at 192.168.100.200", "ip_address", "192.168.100.200"),
        ("IBAN FR76 3000 6000 0112 3456 7890 189 BIC AGRIFRPP", "iban", "FR76 3000 6000 0112 3456 7890 189"),
        ("मेरा आधार २३४१ २३४१ २३४६ है", "aadhaar", "२३४१ २३४१ २३४६"),
        ("Meu CPF: 111.444.777-35.", "cpf", "111.444.777-35"),
    ],
)
def test_numbers_with_a_validator_are_found_by_kind(text, kind, number):
    assert found(text) == [(kind, number)]


@pytest.mark.parametrize(
    "text",
    [
        "card 4111 1111 1111 1112",  # Luhn fails
        "Meu CPF: 111.444.777-36",  # check digits fail
        "IBAN FR76 3000 6000 0112 3456 7890 188",
        "version 10.2.3.4",
        "Read John 3:16 and Psalm 23:1-6",
    ],
)
def test_lookalikes_that_fail_their_check_are_not_found(text):
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("See my profile: https://facebook.com/jean.dupont.", "https://facebook.com/jean.dupont"),
        ("Suivez-moi sur https://www.instagram.com/maria_rossi/ !", "https://www.instagram.com/maria_rossi/"),
        ("Seguimi su instagram.com/maria_rossi", "instagram.com/maria_rossi"),
        ("mera account x.com/ravi hai", "x.com/ravi"),
        ("(https://twitter.com/ravi?lang=en)", "https://twitter.com/ravi?lang=en"),
        ("Meu LinkedIn: https://br.linkedin.com/in/ana-souza-123", "https://br.linkedin.com/in/ana-souza-123"),
        ("www.linkedin.com/in/jean-dupont", "www.linkedin.com/in/jean-dupont"),
        ("Segue lá: https://www.tiktok.com/@ana.silva", "https://www.tiktok.com/@ana.silva"),
        ("मेरा चैनल https://www.youtube.com/@ravikumar है", "https://www.youtube.com/@ravikumar"),
        ("Il mio codice: https://github.com/mrossi/progetto", "https://github.com/mrossi/progetto"),
        ("https://gist.github.com/jean/abc123", "https://gist.github.com/jean/abc123"),
        ("Ma page : www.cs.example.edu/~jdoe/pubs.html", "www.cs.example.edu/~jdoe/pubs.html"),
        ("https://www.reddit.com/user/jean_d", "https://www.reddit.com/user/jean_d"),
        ("Eu posto em https://reddit.com/u/ana_br.", "https://reddit.com/u/ana_br"),
        ("https://stackoverflow.com/users/12345/jean", "https://stackoverflow.com/users/12345/jean"),
        ("https://forum.example.it/profile/mario", "https://forum.example.it/profile/mario"),
        ("http://site.org/home/ravi/index.html", "http://site.org/home/ravi/index.html"),
        ("Le fichier est dans C:\\Users\\Jean\\Documents\\cv.pdf.", "C:\\Users\\Jean\\Documents\\cv.pdf"),
        ("Salvei em C:/Users/ana/Desktop/foto.jpg", "C:/Users/ana/Desktop/foto.jpg"),
        ("Run /home/ravi/projects/a.py again", "/home/ravi/projects/a.py"),
        ("Il file è in /Users/maria/Desktop", "/Users/maria/Desktop"),
        ("फ़ाइल /home/ravi/notes.txt में है।", "/home/ravi/notes.txt"),
        ("(voir /home/jean/notes.txt)", "/home/jean/notes.txt"),
        ("file:///home/jean/a.html", "/home/jean/a.html"),
    ],
)
def test_personal_urls_are_found(text, url):
    assert found(text) == [("personal_url", url)]


@pytest.mark.parametrize(
    "text",
    [
        "Read https://en.wikipedia.org/wiki/Pluralism first.",
        "Voir https://www.who.int/news",
        "https://facebook.com/",
        "https://github.com/",
        "https://facebook.com/groups/abc",
        "https://www.instagram.com/p/Cxyz123/",
        "https://x.com/search?q=pluralism",
        "https://www.tiktok.com/discover",
        "https://www.youtube.com/watch?v=abc",
        "https://github.com/features",
        "https://www.linkedin.com/company/acme",
        "https://docs.python.org/3/library/profile.html",
        "https://example.com/users/",
        "Upload it to box.com/abc",
        "cd /home/user/project",
        "C:\\Users\\Public\\Documents",
        "/Users/Shared/data",
        "ls ~/Documents",
    ],
)
def test_generic_urls_and_placeholder_paths_are_not_personal(text):
    assert found(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "What does pluralism mean in a democracy?",
        "Quel est le sens de la vie ?",
        "Qual è la capitale d'Italia? Roma, dal 1871.",
        "Como faço um bolo de cenoura em 45 minutos?",
        "भारत की राजधानी क्या है? दिल्ली।",
        "Bharat ki rajdhani kya hai?",
        "",
    ],
)
def test_plain_sentences_have_no_pii(text):
    assert find_pii(text) == []


def test_none_and_empty_give_nothing():
    assert find_pii(None) == []
    assert find_pii("") == []
    assert redact("") == ""


def test_exact_spans_and_order():
    text = "Écrivez-moi à jean.dupont@exemple.fr ou au 06 12 34 56 78 (https://x.com/jdupont)."
    assert find_pii(text) == [
        PiiMatch("email", 14, 36, "jean.dupont@exemple.fr"),
        PiiMatch("phone", 43, 57, "06 12 34 56 78"),
        PiiMatch("personal_url", 59, 80, "https://x.com/jdupont"),
    ]
    for match in find_pii(text):
        assert text[match.start : match.end] == match.text


def test_span_with_devanagari_digits():
    assert find_pii("नंबर ९८७६५ ४३२१० है") == [PiiMatch("phone", 5, 16, "९८७६५ ४३२१०")]


def test_overlaps_keep_the_longest_match():
    assert found("https://github.com/jean?mail=jean@example.com") == [
        ("personal_url", "https://github.com/jean?mail=jean@example.com")
    ]
    assert found("98765.43210@gmail.com") == [("email", "98765.43210@gmail.com")]


def test_several_of_one_kind():
    assert found("a@x.fr, b@y.it; 06 12 34 56 78 / 347 1234567") == [
        ("email", "a@x.fr"),
        ("email", "b@y.it"),
        ("phone", "06 12 34 56 78"),
        ("phone", "347 1234567"),
    ]
    assert found("nums:0612345678,0698765432") == [("phone", "0612345678"), ("phone", "0698765432")]


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        (
            "Mail jean@x.fr or call 06 12 34 56 78, see https://x.com/jean.",
            "Mail [EMAIL] or call [PHONE], see [PERSONAL_URL].",
        ),
        ("मेरा नंबर 98765 43210 है", "मेरा नंबर [PHONE] है"),
        ("Scrivi a mario [at] esempio [dot] it!", "Scrivi a [EMAIL]!"),
        ("Salvo em C:\\Users\\ana\\cv.pdf e /home/ana/cv.pdf", "Salvo em [PERSONAL_URL] e [PERSONAL_URL]"),
        ("Nothing here since 1990-2020.", "Nothing here since 1990-2020."),
    ],
)
def test_redact(text, redacted):
    assert redact(text) == redacted


def test_match_is_frozen_and_kinds_are_fixed():
    assert PII_KINDS == (
        "email", "card", "iban", "us_ssn", "aadhaar", "pan", "cpf", "nir", "codice_fiscale", "ip_address", "phone", "personal_url",
        "street_address",
    )  # fmt: skip
    match = find_pii("jean@exemple.fr")[0]
    assert match == PiiMatch("email", 0, 15, "jean@exemple.fr")
    with pytest.raises(dataclasses.FrozenInstanceError):
        match.kind = "phone"  # type: ignore[misc]
