"""The per-signal learned models (signal_<signal>_<lang>.json) and what their hits say."""

from __future__ import annotations

import hashlib
import itertools
import math
import re
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

import numpy as np

from accalmie.analysis.learned import (
    _TOKEN,
    _WORD_CACHE_LIMIT,
    LinearTextModel,
    available_models,
    char_ngrams,
    fold,
    raw_tokens,
)
from accalmie.analysis.signals import TEXT_SIGNALS

# One sentence per signal, for a hit that the learned model found on its own.
_EXPLANATIONS: dict[str, tuple[str, str]] = {
    "contempt": ("La formulation rabaisse l'équipe ou son travail.",
                 "The wording belittles the team or its work."),
    "intimidation": ("Le message ressemble à une menace ou à un ultimatum.",
                     "The message reads like a threat or an ultimatum."),
    "passive_aggression": ("Un reproche perce sous la politesse.",
                           "A reproach shows through the politeness."),
    "impoliteness": ("Le ton est sec et sans formule de politesse.",
                     "The tone is curt, with no courtesy at all."),
    "blame_shifting": ("Le client rejette toute la responsabilité sur vous.",
                       "The client puts all the responsibility on you."),
    "supplier_framing": ("Vous êtes traité comme un fournisseur interchangeable.",
                         "You are treated as a replaceable supplier."),
    "manipulation": ("Culpabilisation, promesse inventée ou fausse urgence.",
                     "Guilt-tripping, an invented promise or false urgency."),
    "negativity": ("Le ton est négatif et plaintif.",
                   "The tone is negative and full of complaints."),
    "resistance_to_feedback": ("Le client écarte vos conseils sans les discuter.",
                               "The client dismisses your advice without discussing it."),
    "unrealistic_expectations": ("Le délai ou le résultat demandé paraît hors de portée.",
                                 "The deadline or result asked for looks out of reach."),
    "scope_creep": ("Une demande semble sortir du périmètre convenu.",
                    "A request seems to go beyond the agreed scope."),
    "direction_change": ("Le client change de cap par rapport à ce qui était décidé.",
                         "The client changes course from what was decided."),
    "micromanagement": ("Le client veut suivre ou valider chaque étape.",
                        "The client wants to follow or approve every step."),
    "urgency_pressure": ("Le message met la pression de l'urgence.",
                         "The message piles on urgency."),
    "appreciation": ("Le client remercie ou reconnaît le travail.",
                     "The client thanks you or recognises the work."),
    "collaboration": ("Le client propose de construire ensemble ou vous consulte.",
                      "The client proposes to work together or asks your view."),
    "knowledge_sharing": ("Le client partage du contexte utile au projet.",
                          "The client shares context useful to the project."),
}  # fmt: skip


def learned_explanation(signal: str) -> dict[str, str]:
    """Return the explanation of a hit found by a learned model, in French and English."""
    fr, en = _EXPLANATIONS.get(
        signal, ("Signal relevé par le modèle appris.", "Signal found by the learned model.")
    )
    return {"fr": f"{fr} (modèle appris)", "en": f"{en} (learned model)"}


# Words too common to show a reader why a signal was found.
_FUNCTION_WORDS = frozenset(
    [
        "le",
        "la",
        "les",
        "l",
        "de",
        "des",
        "du",
        "d",
        "un",
        "une",
        "et",
        "ou",
        "a",
        "au",
        "aux",
        "en",
        "que",
        "qu",
        "qui",
        "quoi",
        "ce",
        "cet",
        "cette",
        "ces",
        "se",
        "sa",
        "son",
        "ses",
        "je",
        "j",
        "tu",
        "il",
        "elle",
        "on",
        "nous",
        "vous",
        "ils",
        "elles",
        "me",
        "m",
        "te",
        "t",
        "lui",
        "leur",
        "y",
        "ne",
        "n",
        "pas",
        "est",
        "sont",
        "sur",
        "par",
        "pour",
        "avec",
        "dans",
        "votre",
        "vos",
        "notre",
        "nos",
        "mon",
        "ma",
        "mes",
        "ton",
        "ta",
        "tes",
        "the",
        "an",
        "and",
        "or",
        "to",
        "of",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "is",
        "are",
        "was",
        "were",
        "be",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "i",
        "you",
        "we",
        "they",
        "he",
        "she",
        "me",
        "us",
        "our",
        "your",
        "my",
        "his",
        "her",
        "their",
        "not",
        "do",
        "does",
        "did",
        "have",
        "has",
        "had",
        "will",
        "would",
        "can",
        "could",
    ]
)


class _Features(NamedTuple):
    words: list[str]
    kept: list[int]
    word_rows: list[int]
    char_rows: list[int]
    grams: int


@dataclass(frozen=True)
class Reading:
    """A text as the models read it: its features and every model's probability."""

    text: str
    features: _Features
    probabilities: dict[str, float]


class SignalModelSet:
    """All the signal models of one language, scored together in one pass over the words.

    Every word and word-pair feature of every model is a row of one weight matrix (one column
    per signal), and each distinct word's character n-gram weights are summed once into a row
    of a second matrix. A message is then a list of row numbers, and its scores for all the
    signals two array sums. The arithmetic is `LinearTextModel.logit`'s, done in parallel.
    """

    def __init__(self, models: dict[str, LinearTextModel]) -> None:
        self.signals = list(models)
        self.models = models
        self.column = {signal: i for i, signal in enumerate(self.signals)}
        self.intercepts = np.array([models[s].intercept for s in self.signals])
        sizes = {m.char_sizes for m in models.values()}
        if len(sizes) > 1 or any(m.drop for m in models.values()):
            raise ValueError("signal models must share their features")
        self.char_sizes = sizes.pop() if sizes else (3, 5)
        keys = sorted({key for model in models.values() for key in model.word_weights})
        self.rows = {key: row for row, key in enumerate(keys)}
        # The last row stays zero: where words the models do not know point.
        self.unknown = len(keys)
        self.weights = np.zeros((len(keys) + 1, len(self.signals)))
        for i, signal in enumerate(self.signals):
            for key, weight in models[signal].word_weights.items():
                self.weights[self.rows[key], i] = weight
        grams = sorted({gram for model in models.values() for gram in model.char_weights})
        self.gram_rows = {gram: row for row, gram in enumerate(grams)}
        self.gram_weights = np.zeros((len(grams), len(self.signals)))
        for i, signal in enumerate(self.signals):
            for gram, weight in models[signal].char_weights.items():
                self.gram_weights[self.gram_rows[gram], i] = weight
        self._reset_words()

    def _reset_words(self) -> None:
        # raw token -> (folded word, number of character n-grams, char row, word row)
        self._words: dict[str, tuple[str, int, int, int]] = {}
        self._char = np.zeros((1024, len(self.signals)))

    def _word(self, raw: str) -> tuple[str, int, int, int]:
        cached = self._words.get(raw)
        if cached is None:
            word = fold(raw)
            grams = char_ngrams(word, self.char_sizes) if word else []
            row = len(self._words)
            if row >= len(self._char):
                self._char = np.concatenate([self._char, np.zeros_like(self._char)])
            gram_rows = [r for r in map(self.gram_rows.get, grams) if r is not None]
            if gram_rows:
                self._char[row] = self.gram_weights[gram_rows].sum(axis=0)
            cached = (word, len(grams), row, self.rows.get(word, self.unknown))
            self._words[raw] = cached
        return cached

    def _features(self, tokens: list[str]) -> _Features:
        """Return the words kept (with their token positions), their word rows then their
        pairs' rows, their character rows, and the number of character n-grams."""
        found = list(map(self._words.get, tokens))
        misses = found.count(None)
        if misses and len(self._words) + misses >= _WORD_CACHE_LIMIT:
            # Start afresh before, not during, the message: all its rows must be current.
            self._reset_words()
            found = [None] * len(tokens)
        entries = [e or self._word(t) for e, t in zip(found, tokens, strict=True)]
        kept = list(range(len(entries)))
        if not all(e[0] for e in entries):  # a token that folds to nothing
            kept = [i for i, e in enumerate(entries) if e[0]]
            entries = [entries[i] for i in kept]
        if not entries:
            return _Features([], [], [], [], 0)
        words, counts, char_rows, rows = (list(column) for column in zip(*entries, strict=True))
        pairs = map(" ".join, itertools.pairwise(words))
        rows.extend(map(self.rows.get, pairs, itertools.repeat(self.unknown)))
        return _Features(words, kept, rows, char_rows, sum(counts))

    def read(self, text: str) -> Reading:
        """Return every model's probability for `text`, with the features for `evidence`."""
        features = self._features(raw_tokens(text))
        return Reading(text, features, self._probabilities(features))

    def _probabilities(self, features: _Features) -> dict[str, float]:
        words, _kept, word_rows, char_rows, grams = features
        logits = self.intercepts.copy()
        if words:
            logits += self.weights[word_rows].sum(axis=0) / math.sqrt(2 * len(words) - 1)
            if grams:
                logits += self._char[char_rows].sum(axis=0) / math.sqrt(grams)
        probabilities = 1.0 / (1.0 + np.exp(-logits))
        return dict(zip(self.signals, probabilities.tolist(), strict=True))

    def evidence(
        self, reading: Reading, signals: list[str], top: int = 3
    ) -> dict[str, list[tuple[int, int, str]]]:
        """Return, for each signal, the spans (start, end, words) that pushed it up most."""
        text = reading.text
        words, kept, word_rows, char_rows, grams = reading.features
        if not words:
            return {signal: [] for signal in signals}
        # The same tokens as `raw_tokens`, in the same order: now with their offsets.
        spans = list(map(re.Match.span, _TOKEN.finditer(text)))
        starts = np.array([spans[i][0] for i in kept])
        ends = np.array([spans[i][1] for i in kept])
        columns = [self.column[signal] for signal in signals]
        count = len(words)
        word_scale = 1 / math.sqrt(2 * count - 1)
        char_scale = 1 / math.sqrt(grams) if grams else 0.0
        rows = np.array(word_rows)
        single = self.weights[rows[:count]][:, columns] * word_scale
        single += self._char[char_rows][:, columns] * char_scale
        # Function words may weigh, but they show nothing.
        single[[word in _FUNCTION_WORDS for word in words]] = 0.0
        pairs = self.weights[rows[count:]][:, columns] * word_scale
        values = np.concatenate([single, pairs])
        span_starts = np.concatenate([starts, starts[:-1]])
        span_ends = np.concatenate([ends, ends[1:]])
        result = {}
        for k, signal in enumerate(signals):
            column = values[:, k]
            positive = np.flatnonzero(column > 0)
            order = positive[
                np.lexsort((span_ends[positive], span_starts[positive], -column[positive]))
            ]
            chosen: list[tuple[int, int, str]] = []
            for index in order.tolist():
                start, end = int(span_starts[index]), int(span_ends[index])
                if not any(start < c[1] and c[0] < end for c in chosen):
                    chosen.append((start, end, text[start:end]))
                    if len(chosen) >= top:
                        break
            result[signal] = chosen
        return result


# The tone models read with the signal models when they share their features.
TONE_MODELS = {"fr": {"hostility": "hostility_fr"}, "en": {"politeness": "politeness_en"}}


@cache
def signal_model_set(lang: str) -> SignalModelSet:
    """Return the signal models of a language, and its tone models, ready to score together.

    A tone model is named `tone:<name>` in the set (e.g. "tone:hostility").
    """
    models: dict[str, LinearTextModel] = dict(signal_models(lang))
    names = set(available_models())
    for tone, name in TONE_MODELS.get(lang, {}).items():
        if name in names:
            models[f"tone:{tone}"] = LinearTextModel.load(name)
    return SignalModelSet(models)


@cache
def signal_models(lang: str) -> dict[str, LinearTextModel]:
    """Return the learned model of each text signal for a language (those that ship)."""
    names = set(available_models())
    return {
        signal: LinearTextModel.load(f"signal_{signal}_{lang}")
        for signal in TEXT_SIGNALS
        if f"signal_{signal}_{lang}" in names
    }


@cache
def models_fingerprint() -> str:
    """Return a hash of the shipped signal models' versions: part of the detector version."""
    digest = hashlib.sha256()
    for lang in ("fr", "en"):
        for signal, model in sorted(signal_models(lang).items()):
            digest.update(f"{signal}:{lang}:{model.version}:{model.intercept}".encode())
    return digest.hexdigest()
