"""Which Inglehart–Welzel value a candidate expresses: the offline embedding-prototype judge.

Each pole is described in prompts/judge/iw_poles.v<version>.json; a candidate's score on an axis is how
much closer it sits to one pole's description than to the opposite pole's. E5 similarities live in a
narrow band, so axis scores are standardised over the candidates judged together (z-scores): they rank
candidates, they are not absolute positions. Issue-level calibration against labelled texts comes later.
"""

import json
from functools import cache

import numpy as np

from ca_assets.lib.paths import PROMPTS_DIR, project_file

POLES = ("traditional", "secular_rational", "survival", "self_expression")
JUDGE_VERSION = 1


@cache
def pole_texts(version: int = JUDGE_VERSION) -> dict[str, str]:
    texts = json.loads(project_file(PROMPTS_DIR, f"judge/iw_poles.v{version}.json").read_text(encoding="utf-8"))
    missing = set(POLES) - set(texts)
    if missing:
        raise ValueError(f"iw_poles.v{version}.json lacks poles {sorted(missing)}")
    return {pole: texts[pole] for pole in POLES}


def _zscore(values: np.ndarray) -> np.ndarray:
    spread = values.std()
    return (values - values.mean()) / spread if spread > 0 else np.zeros_like(values)


def judge(candidates: np.ndarray, poles: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Axis scores (trad_secular, surv_self) and the closest pole for unit-length candidate embeddings.

    `poles` holds the embeddings of POLES in order. The closest pole is taken after removing each pole's
    mean similarity, so a pole that is close to everything does not win every candidate.
    """
    similarity = candidates @ poles.T  # (n, 4)
    trad, secular, survival, self_expression = similarity.T
    trad_secular = _zscore(secular - trad)
    surv_self = _zscore(self_expression - survival)
    centred = similarity - similarity.mean(axis=0, keepdims=True)
    closest = [POLES[i] for i in centred.argmax(axis=1)]
    return trad_secular, surv_self, closest
