"""PII scan benchmark: precision and recall per kind on the labelled corpus (bench/pii_corpus.jsonl, built by
bench/pii_corpus.py), with 95% Wilson intervals, and the scan's speed against a same-run baseline.

    .venv/bin/python -m bench.pii

The corpus has two splits: `tuning`, which the rules were adjusted on until they got it right (its figures show
only that the rules do what they were written to do), and `held_out`, written afterwards and never tuned on
(its figures are the estimate). A finding counts as right when a labelled detail of the same kind overlaps it;
a labelled detail is found when a finding of its kind overlaps it. Precision is over the findings (on positives
and hard negatives alike), recall over the labelled details. The baseline for speed is the SQL prefilter alone
(pii.MAYBE_PII through Python's `re`), the least a scan costs; the scan runs only on the texts it lets through.
"""

import json
import math
import time
from collections import Counter
from pathlib import Path

from tabulate import tabulate

from ca_assets.defs.release.pii import _MAYBE, PII_KINDS, find_pii

CORPUS = Path(__file__).with_name("pii_corpus.jsonl")
CHECK_DIGIT_KINDS = ("card", "iban", "aadhaar", "cpf", "nir", "codice_fiscale")


def wilson(hits: int, total: int, z: float = 1.96) -> tuple[float, float]:
    if total == 0:
        return math.nan, math.nan
    p = hits / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return max(0.0, centre - half), min(1.0, centre + half)


def _spans(text: str, details: list[dict]) -> list[tuple[str, int, int]]:
    spans = []
    for detail in details:
        start = text.index(detail["text"])
        spans.append((detail["kind"], start, start + len(detail["text"])))
    return spans


def score(rows: list[dict]) -> tuple[dict, list[str]]:
    """Per kind: labelled, found, true positives among findings, labelled details found; and the misses."""
    counts = {kind: Counter() for kind in PII_KINDS}
    misses = []
    for row in rows:
        labelled = _spans(row["text"], row["pii"])
        found = [(m.kind, m.start, m.end) for m in find_pii(row["text"])]
        # Each finding against the labels (precision), then each label against the findings (recall).
        sides = ((found, labelled, "found", "right", "false"), (labelled, found, "labelled", "hit", "missed"))
        for spans, others, total, agreed, miss in sides:
            for kind, start, end in spans:
                counts[kind][total] += 1
                matched = any(k == kind and s < end and start < e for k, s, e in others)
                counts[kind][agreed] += matched
                if not matched:
                    misses.append(f"{miss} {kind}: {row['text'][start:end]!r} in {row['text']!r}")
    return counts, misses


def _interval(hits: int, total: int) -> str:
    if not total:
        return "-"
    low, high = wilson(hits, total)
    return f"{hits / total:.3f} [{low:.2f}, {high:.2f}]"


def main() -> None:
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    positives = sum(1 for r in rows if r["pii"])
    languages = Counter(r["lang"] for r in rows if r["pii"])
    print(f"corpus: {positives} positives ({dict(sorted(languages.items()))}), {len(rows) - positives} hard negatives")

    for split in ("tuning", "held_out", "all"):
        chosen = [r for r in rows if split in ("all", r["split"])]
        _report(split, chosen)
    _speed(rows)


def _report(split: str, rows: list[dict]) -> None:
    positives = sum(1 for r in rows if r["pii"])
    print(f"\n## {split}: {positives} positives, {len(rows) - positives} hard negatives")
    counts, misses = score(rows)
    table = [
        [kind, c["labelled"], c["found"], _interval(c["right"], c["found"]), _interval(c["hit"], c["labelled"])]
        for kind, c in counts.items()
        if c["labelled"] or c["found"]
    ]
    total = sum(counts.values(), Counter())
    table.append(["all", total["labelled"], total["found"], _interval(total["right"], total["found"]),
                  _interval(total["hit"], total["labelled"])])  # fmt: skip
    print(tabulate(table, headers=["kind", "labelled", "found", "precision [95% CI]", "recall [95% CI]"], tablefmt="github"))
    check = sum((counts[k] for k in CHECK_DIGIT_KINDS), Counter())
    print(f"check-digit kinds ({', '.join(CHECK_DIGIT_KINDS)}): recall {check['hit'] / check['labelled']:.3f} "
          f"(target 0.95), precision {check['right'] / check['found']:.3f}")  # fmt: skip
    for line in misses:
        print(line)


def _speed(rows: list[dict]) -> None:
    texts = [r["text"] for r in rows] * 50
    started = time.perf_counter()
    passed = [t for t in texts if _MAYBE.search(t)]
    prefilter = time.perf_counter() - started
    started = time.perf_counter()
    for text in texts:
        find_pii(text)
    scan = time.perf_counter() - started
    print()
    print(tabulate(
        [["prefilter only (baseline)", len(texts), f"{prefilter * 1e6 / len(texts):.1f}", "1.0"],
         [f"scan ({len(passed)} texts pass the prefilter)", len(texts), f"{scan * 1e6 / len(texts):.1f}", f"{scan / prefilter:.1f}"]],
        headers=["path", "texts", "µs per text", "ratio"], tablefmt="github",
    ))  # fmt: skip


if __name__ == "__main__":
    main()
