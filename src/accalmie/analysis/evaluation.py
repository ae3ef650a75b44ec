"""Score the detectors against a labelled set: precision, recall, F1 and ROC-AUC."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from accalmie.analysis.engine import HIT_THRESHOLD, analyze
from accalmie.analysis.signals import TEXT_SIGNALS


@dataclass(frozen=True)
class Scores:
    """How one detector did on one labelled set."""

    name: str
    lang: str
    n: int
    positives: int
    precision: float
    recall: float
    f1: float
    roc_auc: float | None

    def as_dict(self) -> dict[str, object]:
        return {
            "set": self.name, "lang": self.lang, "n": self.n, "positives": self.positives,
            "precision": round(self.precision, 3), "recall": round(self.recall, 3),
            "f1": round(self.f1, 3),
            "roc_auc": None if self.roc_auc is None else round(self.roc_auc, 3),
        }  # fmt: skip


def roc_auc(labels: Sequence[int], scores: Sequence[float]) -> float | None:
    """Return the area under the ROC curve (ties count half), or None with one class only."""
    positives = [s for s, y in zip(scores, labels, strict=True) if y]
    negatives = [s for s, y in zip(scores, labels, strict=True) if not y]
    if not positives or not negatives:
        return None
    ranked = sorted((s, y) for s, y in zip(scores, labels, strict=True))
    # Mann-Whitney U with average ranks for ties.
    rank_sum, i = 0.0, 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        average = (i + 1 + j) / 2
        rank_sum += average * sum(1 for k in range(i, j) if ranked[k][1])
        i = j
    u = rank_sum - len(positives) * (len(positives) + 1) / 2
    return u / (len(positives) * len(negatives))


def prf(labels: Sequence[int], predicted: Sequence[int]) -> tuple[float, float, float]:
    """Return precision, recall and F1 (0 when undefined)."""
    tp = sum(1 for y, p in zip(labels, predicted, strict=True) if y and p)
    fp = sum(1 for y, p in zip(labels, predicted, strict=True) if not y and p)
    fn = sum(1 for y, p in zip(labels, predicted, strict=True) if y and not p)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def read_jsonl(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as stream:
        return [json.loads(line) for line in stream if line.strip()]


def evaluate_signal_set(root: Path, signals: Iterable[str] = TEXT_SIGNALS) -> list[Scores]:
    """Score each text signal on the project's own labelled excerpts (eval/signals)."""
    results = []
    for lang in ("fr", "en"):
        for signal in signals:
            path = root / lang / f"{signal}.jsonl"
            if not path.exists():
                continue
            rows = read_jsonl(path)
            labels = [int(bool(row["label"])) for row in rows]
            scores = [analyze(str(row["text"]), lang=lang).scores[signal] for row in rows]
            predicted = [int(s >= HIT_THRESHOLD) for s in scores]
            precision, recall, f1 = prf(labels, predicted)
            results.append(
                Scores(
                    signal,
                    lang,
                    len(rows),
                    sum(labels),
                    precision,
                    recall,
                    f1,
                    roc_auc(labels, scores),
                )
            )
    return results


def micro_average(results: Sequence[Scores]) -> dict[str, float]:
    """Return the mean precision, recall and F1 over the given results."""
    if not results:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    n = len(results)
    return {
        "precision": sum(r.precision for r in results) / n,
        "recall": sum(r.recall for r in results) / n,
        "f1": sum(r.f1 for r in results) / n,
    }
