"""The per-signal learned models (signal_<signal>_<lang>.json) and what their hits say."""

from __future__ import annotations

import hashlib
import itertools
import math
from functools import cache

from accalmie.analysis.learned import (
    _TOKEN,
    LinearTextModel,
    available_models,
    char_ngrams,
    fold,
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


class SignalModelSet:
    """All the signal models of one language, scored together in one pass over the words.

    Each model alone would look every word up in its own tables; here a word's weights for
    every model sit side by side, so a message costs one look-up per word and word pair,
    whatever the number of signals. The arithmetic is exactly `LinearTextModel.logit`'s.
    """

    def __init__(self, models: dict[str, LinearTextModel]) -> None:
        self.signals = list(models)
        self.models = models
        self.intercepts = [models[s].intercept for s in self.signals]
        sizes = {m.char_sizes for m in models.values()}
        if len(sizes) > 1 or any(m.drop for m in models.values()):
            raise ValueError("signal models must share their features")
        self.char_sizes = sizes.pop() if sizes else (3, 5)
        self.word_index: dict[str, list[tuple[int, float]]] = {}
        for i, signal in enumerate(self.signals):
            for key, weight in models[signal].word_weights.items():
                self.word_index.setdefault(key, []).append((i, weight))
        self._words: dict[str, tuple[str, int, list[tuple[int, float]]]] = {}

    def _word(self, raw: str) -> tuple[str, int, list[tuple[int, float]]]:
        cached = self._words.get(raw)
        if cached is None:
            word = fold(raw)
            grams = char_ngrams(word, self.char_sizes) if word else []
            parts = []
            for i, signal in enumerate(self.signals):
                weights = self.models[signal].char_weights
                total = sum(weights.get(g, 0.0) for g in grams)
                if total:
                    parts.append((i, total))
            cached = (word, len(grams), parts)
            if len(self._words) >= 50_000:
                self._words.clear()
            self._words[raw] = cached
        return cached

    def probabilities(self, tokens: list[str]) -> dict[str, float]:
        """Return each signal's probability for a text split by `raw_tokens`."""
        count = len(self.signals)
        word_sums = [0.0] * count
        char_sums = [0.0] * count
        char_total = 0
        words: list[str] = []
        index = self.word_index
        for raw in tokens:
            word, grams, parts = self._word(raw)
            if not word:
                continue
            words.append(word)
            char_total += grams
            for i, value in parts:
                char_sums[i] += value
            for i, value in index.get(word, ()):
                word_sums[i] += value
        if not words:
            return {s: _logistic(b) for s, b in zip(self.signals, self.intercepts, strict=True)}
        previous = words[0]
        for word in words[1:]:
            for i, value in index.get(f"{previous} {word}", ()):
                word_sums[i] += value
            previous = word
        word_scale = 1 / math.sqrt(2 * len(words) - 1)
        char_scale = 1 / math.sqrt(char_total) if char_total else 0.0
        return {
            signal: _logistic(
                self.intercepts[i] + word_sums[i] * word_scale + char_sums[i] * char_scale
            )
            for i, signal in enumerate(self.signals)
        }

    def evidence(
        self, text: str, signals: list[str], top: int = 3
    ) -> dict[str, list[tuple[int, int, str]]]:
        """Return, for each signal, the spans (start, end, words) that pushed it up most."""
        tokens = []
        for match in _TOKEN.finditer(text):
            word, grams, parts = self._word(match.group())
            if word:
                tokens.append((match.start(), match.end(), word, grams, dict(parts)))
        if not tokens:
            return {signal: [] for signal in signals}
        char_total = sum(t[3] for t in tokens)
        word_scale = 1 / math.sqrt(2 * len(tokens) - 1)
        char_scale = 1 / math.sqrt(char_total) if char_total else 0.0
        result = {}
        for signal in signals:
            i = self.signals.index(signal)
            weights = self.models[signal].word_weights
            candidates = [
                (weights.get(word, 0.0) * word_scale + parts.get(i, 0.0) * char_scale, start, end)
                for start, end, word, _grams, parts in tokens
                if word not in _FUNCTION_WORDS  # they may weigh, but they show nothing
            ]
            candidates.extend(
                (weights.get(f"{left[2]} {right[2]}", 0.0) * word_scale, left[0], right[1])
                for left, right in itertools.pairwise(tokens)
            )
            candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
            chosen: list[tuple[int, int, str]] = []
            for value, start, end in candidates:
                if value <= 0 or len(chosen) >= top:
                    break
                if not any(start < c[1] and c[0] < end for c in chosen):
                    chosen.append((start, end, text[start:end]))
            result[signal] = chosen
        return result


def _logistic(score: float) -> float:
    if score >= 0:
        return 1.0 / (1.0 + math.exp(-score))
    odds = math.exp(score)
    return odds / (1.0 + odds)


@cache
def signal_model_set(lang: str) -> SignalModelSet:
    """Return the signal models of a language, ready to score together."""
    return SignalModelSet(signal_models(lang))


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
