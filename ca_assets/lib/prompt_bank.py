"""The bundled prompt bank: prompts/bank/<lang>.jsonl, one {"topic", "text", "source"} object per line."""

import json
import re
import unicodedata

from ca_assets.lib.ids import stable_id
from ca_assets.lib.language import detect_lang
from ca_assets.lib.paths import PROMPTS_DIR
from ca_assets.vocab import LANGS

BANK_DIR = PROMPTS_DIR / "bank"


def normalise(text: str) -> str:
    """NFC, and whitespace runs collapsed to one space: the same prompt typed twice gets one id."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def prompt_id(lang: str, text: str) -> str:
    return stable_id("prompt", lang, normalise(text).casefold())


def read_bank() -> list[dict]:
    """Every bank line as a row, in file order. A malformed line is an error naming file and line:
    the bank ships with the project, so a bad line is a bug to fix, not data to quarantine."""
    rows = []
    for lang in LANGS:
        path = BANK_DIR / f"{lang}.jsonl"
        for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                text = normalise(item["text"])
                topic, source = item["topic"], item["source"]
            except (json.JSONDecodeError, KeyError, TypeError) as error:
                raise ValueError(f"{path}:{line_no}: not a bank line ({error!r})") from None
            if not text:
                raise ValueError(f"{path}:{line_no}: empty prompt text")
            rows.append(
                {
                    "prompt_id": prompt_id(lang, text),
                    "lang": lang,
                    "topic": topic,
                    "text": text,
                    "source": source,
                    "detected_lang": detect_lang(text),
                    "file_order": len(rows),
                }
            )
    return rows
