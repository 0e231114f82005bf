"""The production value judge: an LLM reads each text and returns its IW label and axis scores as JSON,
through the generation interface (any backend; structured output where the backend has it).

Same interface as the offline PrototypeJudge: `judge(texts, langs)` -> trad_secular, surv_self, label.
Unparseable verdicts are retried with a new seed, then the text is `unjudged` with the raw output kept.
"""

import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pandas as pd

from ca_assets.core.ids import stable_seed
from ca_assets.models.generation import ChatRequest, GenerationError, Generator, ResponseCache
from ca_assets.models.templates import load_template
from ca_assets.vocab import UNJUDGED, VALUE_LABELS

TEMPLATE_VERSION = 1
VERDICT_SCHEMA = {
    "type": "object",
    "properties": {
        "label": {"type": "string", "enum": list(VALUE_LABELS)},
        "trad_secular": {"type": "number", "minimum": -1, "maximum": 1},
        "surv_self": {"type": "number", "minimum": -1, "maximum": 1},
    },
    "required": ["label", "trad_secular", "surv_self"],
    "additionalProperties": False,
}
PROGRESS_EVERY_SECONDS = 15


def parse_verdict(text: str) -> tuple[float, float, str]:
    """(trad_secular, surv_self, label) from the judge's JSON; ValueError says what is wrong. Scores outside
    [-1, 1] are clipped: a 3 on a -1..1 scale still says which end."""
    verdict = json.loads(text)
    if not isinstance(verdict, dict) or verdict.get("label") not in VALUE_LABELS:
        raise ValueError(f"label must be one of {VALUE_LABELS}")
    scores = []
    for axis in ("trad_secular", "surv_self"):
        value = verdict.get(axis)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{axis} must be a number")
        scores.append(max(-1.0, min(1.0, float(value))))
    return scores[0], scores[1], verdict["label"]


class LlmJudge:
    def __init__(
        self,
        generator: Generator,
        cache: ResponseCache,
        max_attempts: int = 3,
        max_tokens: int = 64,
        log: Callable[[str], None] = print,
    ):
        self.generator = generator
        self.cache = cache
        self.max_attempts = max_attempts
        self.max_tokens = max_tokens
        self.log = log
        self.template = load_template("value_judge", TEMPLATE_VERSION, "en")  # one instruction for all languages
        self.name = f"llm.{generator.model_name}.v{TEMPLATE_VERSION}"

    def judge_one(self, text: str) -> dict:
        tag = f"{self.template.name}.v{self.template.version}.en+{self.template.sha}"
        messages = (("system", self.template.render()), ("user", text))
        raw = ""
        for attempt in range(self.max_attempts):
            request = ChatRequest(messages, 0.0, self.max_tokens, stable_seed("value_judge", text, attempt), tag, VERDICT_SCHEMA)
            try:
                raw = self.generator.complete(request, self.cache).text
                trad_secular, surv_self, label = parse_verdict(raw)
            except GenerationError as error:
                raw = str(error)
                continue
            except ValueError:  # json.JSONDecodeError included
                continue
            return {"trad_secular": trad_secular, "surv_self": surv_self, "label": label, "judge_raw": None}
        return {"trad_secular": None, "surv_self": None, "label": UNJUDGED, "judge_raw": raw}

    def judge(self, texts: list[str], langs: list[str]) -> pd.DataFrame:
        started = last = time.monotonic()
        rows: list = []
        with ThreadPoolExecutor(max_workers=self.generator.parallel_requests) as pool:
            for done, row in enumerate(pool.map(self.judge_one, texts), start=1):
                rows.append(row)
                if time.monotonic() - last >= PROGRESS_EVERY_SECONDS or done == len(texts):
                    last = time.monotonic()
                    unjudged = sum(r["label"] == UNJUDGED for r in rows)
                    self.log(f"LLM judge: {done}/{len(texts)} texts, {unjudged} unjudged, {last - started:.0f}s")
        frame = pd.DataFrame(rows, columns=["trad_secular", "surv_self", "label", "judge_raw"])
        return frame.astype({"trad_secular": float, "surv_self": float})
