"""Score the shipped learned models and sentiment baselines on the public held-out rows.

`evaluate_public(corpora)` returns one row per (held-out set, method), for `accalmie eval`:
our models against VADER (English), vaderSentiment-fr and textblob-fr (French), on exactly
the rows that training held out. Metrics are computed here in pure Python, so this module
needs no numpy; the baseline packages (the `train` extra) are imported only when used, and a
baseline whose package is missing is left out of the rows with a warning.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from accalmie.analysis.learned import LinearTextModel
from accalmie.analysis.training import SPECS, load, split


def evaluate_public(corpora: Path) -> list[dict[str, Any]]:
    """Return the held-out scores of the shipped models and of the baselines, per set.

    Each row: {"set", "n", "method", "roc_auc", "accuracy", "precision", "recall", "f1"};
    `corpora` is the folder holding `mlma-hate-speech/` and `tydip-politeness/`.
    """
    models = {item.name: LinearTextModel.load(item.name) for item in SPECS}
    return evaluate(models, corpora)


# --- metrics (pure Python: `accalmie eval` and the tests run without numpy) ---


def roc_auc(labels: Sequence[int], scores: Sequence[float]) -> float:
    """Return the ROC-AUC: the chance a positive row outscores a negative one (ties count half)."""
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    ranks = [0.0] * len(scores)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    positives = sum(labels)
    negatives = len(labels) - positives
    if not positives or not negatives:
        return float("nan")
    rank_sum = sum(rank for rank, label in zip(ranks, labels, strict=True) if label)
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def classification(labels: Sequence[int], predicted: Sequence[int]) -> dict[str, float]:
    """Return accuracy, precision, recall and F1 of the positive class."""
    pairs = list(zip(labels, predicted, strict=True))
    tp = sum(1 for y, p in pairs if y and p)
    fp = sum(1 for y, p in pairs if not y and p)
    fn = sum(1 for y, p in pairs if y and not p)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    accuracy = sum(1 for y, p in pairs if y == p) / len(pairs) if pairs else 0.0
    return {"accuracy": accuracy, "precision": precision, "recall": recall, "f1": f1}


def report(
    set_name: str, method: str, labels: Sequence[int], scores: Sequence[float], threshold: float
) -> dict[str, Any]:
    """Return one evaluation row: ROC-AUC of the scores, the rest at `threshold`."""
    row: dict[str, Any] = {"set": set_name, "n": len(labels), "method": method}
    row["roc_auc"] = roc_auc(labels, scores)
    row.update(classification(labels, [int(s >= threshold) for s in scores]))
    return {
        key: round(value, 4) if isinstance(value, float) else value for key, value in row.items()
    }


# --- baselines (eval-only packages, imported when used; all work offline) ---


def _vader_en() -> Callable[[str], float]:
    from vaderSentiment.vaderSentiment import (  # type: ignore[import-untyped]
        SentimentIntensityAnalyzer,
    )

    analyzer = SentimentIntensityAnalyzer()  # lexicon read from the package, no download
    return lambda text: float(analyzer.polarity_scores(text)["compound"])


def _vader_fr() -> Callable[[str], float]:
    with warnings.catch_warnings():
        # fuzzywuzzy warns that it falls back to difflib without python-Levenshtein: harmless.
        warnings.simplefilter("ignore", UserWarning)
        from vaderSentiment_fr.vaderSentiment import (
            SentimentIntensityAnalyzer,
        )

    analyzer = SentimentIntensityAnalyzer()
    return lambda text: float(analyzer.polarity_scores(text)["compound"])


def _textblob_fr() -> Callable[[str], float]:
    # PatternAnalyzer reads the lexicon shipped inside textblob-fr; calling it directly (not
    # through TextBlob(...)) keeps NLTK's tokenisers, and so any corpus download, out of it.
    from textblob_fr import PatternAnalyzer  # type: ignore[import-untyped]

    analyzer = PatternAnalyzer()
    return lambda text: float(analyzer.analyze(text)[0])


# Sentiment polarity, oriented so that a higher score means the model's positive label:
# hostility is negative polarity, politeness positive polarity. Thresholds are each tool's
# usual ones (VADER: |compound| >= 0.05; TextBlob: polarity below zero).
_POLARITY = {"VADER": _vader_en, "vaderSentiment_fr": _vader_fr, "textblob-fr": _textblob_fr}
_THRESHOLD = {"VADER": 0.05, "vaderSentiment_fr": 0.05, "textblob-fr": 1e-9}
BASELINES = {"fr": ("vaderSentiment_fr", "textblob-fr"), "en": ("VADER",)}


def baseline_scores(method: str, task: str, texts: Sequence[str]) -> tuple[list[float], float]:
    """Return a baseline's scores for `texts`, higher = more hostile/polite, and its threshold."""
    polarity = _POLARITY[method]()
    sign = 1.0 if task == "politeness" else -1.0
    return [sign * polarity(text) for text in texts], _THRESHOLD[method]


def evaluate(
    models: dict[str, LinearTextModel], corpora: Path, baselines: bool = True
) -> list[dict[str, Any]]:
    """Score each model and its baselines on the model's held-out rows; one row per method."""
    rows = []
    for item in SPECS:
        if item.name not in models:
            continue
        _train, heldout = split(load(item, corpora))
        texts = [e.text for e in heldout]
        labels = [e.label for e in heldout]
        model = models[item.name]
        scores = [model.probability(text) for text in texts]
        rows.append(report(item.set_name, f"accalmie {item.name}", labels, scores, 0.5))
        for method in BASELINES[item.lang] if baselines else ():
            try:
                base, threshold = baseline_scores(method, item.task, texts)
            except ImportError as exc:
                warnings.warn(
                    f"baseline {method} skipped: {exc} (install the 'train' extra)", stacklevel=2
                )
                continue
            rows.append(report(item.set_name, method, labels, base, threshold))
    return rows
