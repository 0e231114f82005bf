"""Stable ids from content, so re-materialising with the same inputs gives the same rows."""

import hashlib
import json


def stable_id(*parts: object, length: int = 16) -> str:
    """Hex digest of the parts (JSON-encoded, so ('a', 'bc') and ('ab', 'c') differ)."""
    payload = json.dumps(parts, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:length]


def stable_seed(*parts: object) -> int:
    """A 31-bit seed derived from the parts: reproducible per item, different across items."""
    return int(stable_id(*parts, length=8), 16) & 0x7FFFFFFF
