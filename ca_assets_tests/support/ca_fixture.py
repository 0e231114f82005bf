"""Write synthetic files in the public Community Alignment CSV layout, quirks included, for tests and the
scale benchmark. Nothing here comes from the real dataset: texts are assembled from short phrases per
language, annotators and their demographics are drawn from the value lists of the public release.

Structure follows the release: pregenerated first prompts (from the bundled prompt bank, the same four
answers for every annotator who gets that prompt) and ≈ 31% annotator-written ones, 1–4 turns,
explanations on ≈ 44% of turns. Quirks of the real file are injected at the given rates, and the returned
manifest says which conversations carry which quirk, so a test can check that each one is caught.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ca_assets.core.ids import stable_id
from ca_assets.defs.prompts.prompt_bank import read_bank
from ca_assets.formats.ca_csv import LABELS, LETTERS, TURNS, write_ca_csv
from ca_assets.formats.demographics import AGES, EDUCATION_LEVELS, ETHNICITIES, GENDERS, POLITICAL
from ca_assets.vocab import COUNTRIES

TURN_COUNTS = (1, 2, 3, 4)
TURN_COUNT_SHARES = (0.25, 0.20, 0.25, 0.30)  # 2.6 turns per conversation: 90k conversations ≈ 233k comparisons
OWN_PROMPT_SHARE = 0.31
FEEDBACK_SHARE = 0.44

# Phrases per language; a response or follow-up is three of them with a conversation-specific tail, so texts
# are long enough for language identification and distinct within a set.
PHRASES = {
    "en": (
        "I think you should talk it over with your family first.",
        "Take your time and weigh what matters most to you.",
        "Many people in your situation choose the safer option.",
        "Your own happiness deserves a place in this decision.",
        "Ask someone you trust what they would do.",
        "Write down the costs and benefits before you decide.",
    ),
    "fr": (
        "Je pense que vous devriez d'abord en parler avec votre famille.",
        "Prenez le temps de peser ce qui compte le plus pour vous.",
        "Beaucoup de gens dans votre situation choisissent l'option la plus sûre.",
        "Votre propre bonheur mérite une place dans cette décision.",
        "Demandez à une personne de confiance ce qu'elle ferait.",
        "Notez les coûts et les avantages avant de décider.",
    ),
    "it": (
        "Penso che dovresti parlarne prima con la tua famiglia.",
        "Prenditi il tempo di valutare ciò che conta di più per te.",
        "Molte persone nella tua situazione scelgono l'opzione più sicura.",
        "La tua felicità merita un posto in questa decisione.",
        "Chiedi a una persona di fiducia cosa farebbe.",
        "Scrivi costi e benefici prima di decidere.",
    ),
    "pt": (
        "Acho que você deveria conversar primeiro com a sua família.",
        "Reserve um tempo para pesar o que mais importa para você.",
        "Muitas pessoas na sua situação escolhem a opção mais segura.",
        "A sua felicidade merece um lugar nessa decisão.",
        "Pergunte a alguém de confiança o que essa pessoa faria.",
        "Anote os custos e os benefícios antes de decidir.",
    ),
    "hi": (
        "मुझे लगता है कि आपको पहले अपने परिवार से बात करनी चाहिए।",
        "समय लीजिए और सोचिए कि आपके लिए सबसे ज़रूरी क्या है।",
        "आपकी स्थिति में कई लोग सुरक्षित रास्ता चुनते हैं।",
        "इस फ़ैसले में आपकी अपनी ख़ुशी की भी जगह होनी चाहिए।",
        "किसी भरोसेमंद व्यक्ति से पूछिए कि वे क्या करते।",
        "फ़ैसला करने से पहले फ़ायदे और नुक़सान लिख लीजिए।",
    ),
}
CONTENT_QUIRKS = ("empty_string", "duplicate_responses", "missing_middle_turn", "bad_label")  # one per row at most


@dataclass
class Manifest:
    """What was written: row counts, and which conversation ids carry each injected quirk."""

    rows: int = 0
    conversations: int = 0  # distinct conversation ids
    turns: int = 0  # filled turns over all distinct conversations (before quirks remove any)
    quirks: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


def _text(rng: np.random.Generator, lang: str, tag: str) -> str:
    picks = rng.choice(len(PHRASES[lang]), size=3, replace=False)
    return " ".join(PHRASES[lang][i] for i in picks) + f" [{tag}]"


def _annotators(rng: np.random.Generator, count: int) -> list[dict]:
    people = []
    for index in range(count):
        country = COUNTRIES[index % len(COUNTRIES)]
        people.append(
            {
                "annotator_id": "ann-" + stable_id("fixture-annotator", index, length=10),
                "assigned_lang": country.lang,
                "annotator_country": country.name,
                "annotator_age": str(rng.choice(AGES)),
                "annotator_gender": str(rng.choice(GENDERS)),
                "annotator_education_level": str(rng.choice(EDUCATION_LEVELS)),
                "annotator_ethnicity": str(rng.choice(ETHNICITIES)),
                "annotator_political": str(rng.choice(POLITICAL)),
            }
        )
    return people


def make_conversations(
    count: int, seed: int = 0, quirk_rate: float = 0.01, annotators: int = 0
) -> tuple[list[dict], Manifest]:
    """`count` conversations (plus duplicated rows when quirks are on) and the manifest of what they hold."""
    rng = np.random.default_rng(seed)
    people = _annotators(rng, annotators or max(5, count // 26))  # median 26 conversations per annotator
    bank: dict[str, list[dict]] = defaultdict(list)
    for prompt in read_bank():
        bank[prompt["lang"]].append(prompt)
    pregenerated_answers: dict[str, list[str]] = {}  # one fixed set of four answers per bank prompt
    manifest = Manifest()
    rows = []
    for index in range(count):
        person = people[int(rng.integers(len(people)))]
        lang = person["assigned_lang"]
        conversation_id = stable_id("fixture-conversation", seed, index, length=16)
        row = {"conversation_id": conversation_id, "wave": "1", **person}
        own_prompt = rng.random() < OWN_PROMPT_SHARE
        row.update(
            is_pregenerated_first_prompt=str(not own_prompt), in_balanced_subset="False", in_balanced_subset_10="False"
        )
        turns = int(rng.choice(TURN_COUNTS, p=TURN_COUNT_SHARES))
        for number, turn in enumerate(TURNS[:turns]):
            if number == 0 and not own_prompt:
                prompt = bank[lang][int(rng.integers(len(bank[lang])))]
                prompt_text = prompt["text"]
                answers = pregenerated_answers.setdefault(
                    prompt_text, [_text(rng, lang, f"{prompt_text[:12]}/{letter}") for letter in LETTERS]
                )
            else:
                prompt_text = _text(rng, lang, f"{conversation_id}/{turn}/prompt")
                answers = [_text(rng, lang, f"{conversation_id}/{turn}/{letter}") for letter in LETTERS]
            row[f"{turn}_turn_prompt"] = prompt_text
            for letter, answer in zip(LETTERS, answers, strict=True):
                row[f"{turn}_turn_response_{letter}"] = answer
            row[f"{turn}_turn_preferred_response"] = LABELS[int(rng.integers(len(LABELS)))]
            if rng.random() < FEEDBACK_SHARE:
                row[f"{turn}_turn_feedback"] = _text(rng, lang, f"{conversation_id}/{turn}/why")
            manifest.turns += 1
        _inject_quirk(rng, row, turns, quirk_rate, manifest)
        rows.append(row)
        if quirk_rate and rng.random() < quirk_rate / 2:
            rows.append(dict(row))  # the same submission twice
            manifest.quirks["duplicate_row"].append(conversation_id)
    manifest.rows, manifest.conversations = len(rows), count
    return rows, manifest


def _inject_quirk(rng: np.random.Generator, row: dict, turns: int, rate: float, manifest: Manifest) -> None:
    """At most one content quirk per conversation, so each quarantined row has one expected reason."""
    if not rate or rng.random() >= rate * 4:
        return
    quirk = str(rng.choice(CONTENT_QUIRKS))
    turn = TURNS[int(rng.integers(turns))]
    if quirk == "missing_middle_turn":
        if turns < 3:
            return
        for column in [c for c in row if c.startswith("second_turn_")]:
            row[column] = ""
    elif quirk == "empty_string":
        row[f"{turn}_turn_response_{LETTERS[int(rng.integers(4))]}"] = "EMPTY STRING"
    elif quirk == "duplicate_responses":
        row[f"{turn}_turn_response_b"] = row[f"{turn}_turn_response_a"]
    else:
        row[f"{turn}_turn_preferred_response"] = str(rng.choice(["response_e", "b", "Response A", ""]))
    manifest.quirks[quirk].append(row["conversation_id"])


def write_fixture(path: Path, count: int, seed: int = 0, quirk_rate: float = 0.01) -> Manifest:
    """Write a Community Alignment CSV of `count` conversations to `path`; return its manifest."""
    rows, manifest = make_conversations(count, seed, quirk_rate)
    write_ca_csv(path, rows)
    return manifest
