"""Train one small linear model per text signal and language, from the project's own data.

Training data (never the evaluation set in eval/, written by other people):
- train/signals/<lang>/<signal>.jsonl: client excerpts written for training, positives and
  negatives (hard negatives and ordinary mail);
- the demo stories' client messages, each labelled with the signals its story gives it.
For one signal, every other excerpt of the same language is a negative unless it is
labelled with that signal. Features and fitting are those of `training` (the public
models), so `learned.LinearTextModel` scores them; the files are named
`signal_<signal>_<lang>.json`. Reproducible: the same data gives byte-identical files.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from accalmie.analysis.learned import FORMAT
from accalmie.analysis.signals import TEXT_SIGNALS
from accalmie.analysis.training import (
    Example,
    _fit,
    _matrix,
    _out_of_fold_scores,
    _platt,
    _round,
    _vocabulary,
    dump,
    feature_rows,
)

CHAR_NGRAMS = (3, 5)
C = 1.0
# Small files: the strongest weights carry the decision.
MAX_FEATURES = 4_000
VERSION = "1.0"


def _demo_messages() -> list[tuple[str, str, set[str]]]:
    from accalmie.demo.stories import load_stories

    fill = {
        "contact_first": "Anne", "am_first": "Claire", "project": "le projet",
        "deliverable": "les maquettes", "milestone": "la recette", "weekday": "jeudi",
    }  # fmt: skip
    rows = []
    for story in load_stories():
        for phase in story.data["phases"]:
            for message in phase.get("inbound", []):
                labels = set(message.get("signals", [])) & set(TEXT_SIGNALS)
                text = str(message["body"]).format_map(fill)
                rows.append((story.data["language"], text, labels))
    return rows


def labelled_texts(train_dir: Path, lang: str) -> list[tuple[str, set[str]]]:
    """Return every training text of a language with the signals it shows."""
    by_text: dict[str, set[str]] = {}
    for signal in TEXT_SIGNALS:
        path = train_dir / lang / f"{signal}.jsonl"
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            labels = by_text.setdefault(str(row["text"]), set())
            if row["label"] in (1, True):
                labels.add(signal)
    for row_lang, text, labels in _demo_messages():
        if row_lang == lang:
            by_text.setdefault(text, set()).update(labels)
    return sorted(by_text.items())


def train_signal(signal: str, lang: str, rows: Sequence[tuple[str, set[str]]]) -> dict[str, Any]:
    """Fit the model of one signal and language; return its JSON document."""
    examples = [Example(text, int(signal in labels)) for text, labels in rows]
    features = feature_rows([e.text for e in examples], CHAR_NGRAMS, frozenset())
    labels = [e.label for e in examples]
    vocabulary = _vocabulary(features)
    fitted = _fit(_matrix(features, vocabulary), labels, C)
    slope, offset = _platt(_out_of_fold_scores(features, examples, C), labels)
    weights = [(key, slope * float(w)) for key, w in zip(vocabulary, fitted.coef_[0], strict=True)]
    weights.sort(key=lambda kw: (-abs(kw[1]), kw[0]))
    kept = [(key, _round(w)) for key, w in weights[:MAX_FEATURES] if _round(w) != 0.0]
    return {
        "format": FORMAT,
        "name": f"signal_{signal}_{lang}",
        "lang": lang,
        "version": VERSION,
        "label": signal,
        "features": {"word_ngrams": [1, 2], "char_ngrams": list(CHAR_NGRAMS), "drop_tokens": []},
        "intercept": _round(slope * float(fitted.intercept_[0]) + offset),
        "word_weights": {key: w for (block, key), w in sorted(kept) if block == "w"},
        "char_weights": {key: w for (block, key), w in sorted(kept) if block == "c"},
        "metadata": {
            "task": f"the client's message shows {signal}",
            "c": C,
            "calibration": {"slope": _round(slope), "offset": _round(offset)},
            "rows": {"total": len(examples), "positive": sum(labels)},
            "training_data": "train/signals (the project's own excerpts) + demo stories",
        },
    }


def train_signal_models(train_dir: Path, out: Path) -> list[dict[str, Any]]:
    """Train and write every signal model; return a summary per model."""
    out.mkdir(parents=True, exist_ok=True)
    summary = []
    for lang in ("fr", "en"):
        rows = labelled_texts(train_dir, lang)
        for signal in TEXT_SIGNALS:
            if not any(signal in labels for _text, labels in rows):
                continue
            document = train_signal(signal, lang, rows)
            (out / f"{document['name']}.json").write_text(dump(document), encoding="utf-8")
            summary.append({"model": document["name"], **document["metadata"]["rows"]})
    return summary
