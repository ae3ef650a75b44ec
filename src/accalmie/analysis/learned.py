"""Score a text with a learned linear model (logistic regression over bags of n-grams).

Pure standard library: the weights live in JSON files in `models/`, read with
`importlib.resources`, and scoring is a few dictionary look-ups per word. The models are
trained by `accalmie.analysis.training`, which uses the very feature extraction defined
here (`tokenize`, `feature_counts`), so what is scored is what was learned.

Features, for each model:
- words: the folded tokens (lower case, accents dropped) and the pairs of adjacent tokens;
  `!` and `?` are tokens too (they carry tone);
- characters: the n-grams of each word padded with a space on both sides (`" merci "`),
  which catch spelling variants and word endings that the word features miss.
Each block is scaled by 1/sqrt(its number of feature occurrences), so long and short texts
stay comparable; the score is `intercept + Σ weight × value` and the probability its logistic.
Because the character n-grams never cross a word, a word's character contribution is cached
per word: scoring an e-mail costs a look-up per word and one per pair of words.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

# The JSON files sit in the `models/` folder of this package (package data, not a module).
MODELS_FOLDER = "models"
FORMAT = 1

# Letters and digits (no underscore) with any combining accents (text typed on some systems
# arrives decomposed, "e" + U+0301), or one tone mark. Offsets are those of the original
# text, so a span shown to the user is exactly what the client wrote.
_TOKEN = re.compile(r"[^\W_](?:[^\W_]|[\u0300-\u036f])*|[!?]")
_PUNCTUATION = frozenset("!?")
# Folding kept here rather than shared with the lexicon engine's normaliser: a model's
# weights are only valid for the exact folding it was trained with, so it must not change
# when the normaliser does.
_LIGATURES = {"œ": "oe", "æ": "ae", "ß": "ss", "ĳ": "ij"}
# Bound the per-model cache of word contributions: mail vocabularies are open-ended.
_WORD_CACHE_LIMIT = 50_000


@lru_cache(maxsize=65_536)
def fold(token: str) -> str:
    """Return a token in lower case with its accents and ligatures removed."""
    lowered = token.lower()
    if lowered.isascii():
        return lowered
    for ligature, plain in _LIGATURES.items():
        lowered = lowered.replace(ligature, plain)
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class Token:
    """A token of the input: its offsets in the original text and its folded form."""

    start: int
    end: int
    folded: str


def raw_tokens(text: str) -> list[str]:
    """Return the tokens of `text` as written (before folding): what the models score."""
    return _TOKEN.findall(text)


def tokenize(text: str, drop: frozenset[str] = frozenset()) -> list[Token]:
    """Split `text` into folded tokens with their offsets, leaving out the `drop` words."""
    tokens = []
    for match in _TOKEN.finditer(text):
        folded = fold(match.group())
        if folded and folded not in drop:
            tokens.append(Token(match.start(), match.end(), folded))
    return tokens


def char_ngrams(word: str, sizes: tuple[int, int]) -> list[str]:
    """Return the character n-grams of a word padded with spaces, sizes inclusive."""
    if word in _PUNCTUATION:
        return []
    padded = f" {word} "
    low, high = sizes
    return [padded[i : i + n] for n in range(low, high + 1) for i in range(len(padded) - n + 1)]


def feature_counts(words: list[str], sizes: tuple[int, int]) -> tuple[Counter[str], Counter[str]]:
    """Count the word features (unigrams, bigrams) and character n-grams of folded tokens."""
    word_counts: Counter[str] = Counter(words)
    word_counts.update(f"{a} {b}" for a, b in itertools.pairwise(words))
    char_counts: Counter[str] = Counter()
    for word in words:
        char_counts.update(char_ngrams(word, sizes))
    return word_counts, char_counts


def block_scale(counts: Counter[str]) -> float:
    """Return the factor applied to every feature of a block: 1/sqrt(occurrences)."""
    total = sum(counts.values())
    return 1.0 / math.sqrt(total) if total else 0.0


@dataclass(frozen=True)
class Contribution:
    """A span of the input text and its contribution to the score (in logit units)."""

    start: int
    end: int
    text: str
    weight: float


class LinearTextModel:
    """A logistic regression over word and character n-grams, read from JSON."""

    def __init__(self, data: dict[str, Any]) -> None:
        """Build the model from its decoded JSON document."""
        if data.get("format") != FORMAT:
            raise ValueError(f"unsupported model format {data.get('format')!r}")
        self.name: str = data["name"]
        self.lang: str = data["lang"]
        self.version: str = data["version"]
        self.label: str = data.get("label", "")
        self.metadata: dict[str, Any] = data.get("metadata", {})
        features = data["features"]
        self.char_sizes: tuple[int, int] = (features["char_ngrams"][0], features["char_ngrams"][1])
        self.drop: frozenset[str] = frozenset(features.get("drop_tokens", []))
        self.intercept: float = float(data["intercept"])
        self.word_weights: dict[str, float] = data["word_weights"]
        self.char_weights: dict[str, float] = data["char_weights"]
        self._word_cache: dict[str, tuple[str, float, int]] = {}

    @classmethod
    def load(cls, name: str) -> LinearTextModel:
        """Return the shipped model `name` (e.g. "hostility_fr"), read once and cached."""
        return _load(name)

    @classmethod
    def from_json(cls, raw: str | bytes) -> LinearTextModel:
        """Build a model from the text of its JSON file (used by training and tests)."""
        return cls(json.loads(raw))

    def _word(self, raw: str) -> tuple[str, float, int]:
        """Return a token's folded form, its character n-gram weight sum and count (cached).

        A dropped word comes back as ("", 0.0, 0). Cached per raw token, since mail repeats
        its words; a folded word is its own fold, so folded words may be looked up too.
        """
        cached = self._word_cache.get(raw)
        if cached is None:
            word = fold(raw)
            if word in self.drop or not word:
                cached = ("", 0.0, 0)
            else:
                grams = char_ngrams(word, self.char_sizes)
                weights = self.char_weights
                cached = (word, sum(weights.get(g, 0.0) for g in grams), len(grams))
            if len(self._word_cache) >= _WORD_CACHE_LIMIT:
                self._word_cache.clear()
            self._word_cache[raw] = cached
        return cached

    def logit(self, text: str) -> float:
        """Return the raw score (log-odds) of `text`."""
        return self.logit_of_tokens(raw_tokens(text))

    def logit_of_tokens(self, tokens: list[str]) -> float:
        """Return the raw score of a text already split by `raw_tokens` (shared by models)."""
        words: list[str] = []
        char_sum = 0.0
        char_total = 0
        known = self._word_cache
        for raw in tokens:
            word, part, count = known.get(raw) or self._word(raw)
            if word:
                words.append(word)
                char_sum += part
                char_total += count
        if not words:
            return self.intercept
        weights = self.word_weights
        word_sum = sum(weights.get(w, 0.0) for w in words)
        word_sum += sum(weights.get(f"{a} {b}", 0.0) for a, b in itertools.pairwise(words))
        score = self.intercept + word_sum / math.sqrt(2 * len(words) - 1)
        if char_total:
            score += char_sum / math.sqrt(char_total)
        return score

    def probability(self, text: str) -> float:
        """Return the probability, between 0 and 1, that `text` has the model's label."""
        return self.probability_of_tokens(raw_tokens(text))

    def probability_of_tokens(self, tokens: list[str]) -> float:
        """Return the probability for a text already split by `raw_tokens`."""
        score = self.logit_of_tokens(tokens)
        # Written so that exp() never overflows, whatever the sign of the score.
        if score >= 0:
            return 1.0 / (1.0 + math.exp(-score))
        odds = math.exp(score)
        return odds / (1.0 + odds)

    def contributions(self, text: str, top: int = 5) -> list[Contribution]:
        """Return the words and word pairs that pushed the score up most, strongest first.

        A word's contribution is its own weight plus those of its character n-grams; a pair's
        is the weight of the pair (both scaled as in `logit`, so the contributions of every
        word and pair, negative ones included, plus the intercept add up to the logit).
        Spans returned do not overlap: a stronger span hides the weaker ones it overlaps.
        """
        tokens = tokenize(text, self.drop)
        if not tokens or top <= 0:
            return []
        words = [t.folded for t in tokens]
        word_counts, char_counts = feature_counts(words, self.char_sizes)
        word_scale, char_scale = block_scale(word_counts), block_scale(char_counts)
        weights = self.word_weights
        candidates: list[tuple[float, int, int]] = []
        for token in tokens:
            _folded, part, _count = self._word(token.folded)
            value = weights.get(token.folded, 0.0) * word_scale + part * char_scale
            candidates.append((value, token.start, token.end))
        for left, right in itertools.pairwise(tokens):
            value = weights.get(f"{left.folded} {right.folded}", 0.0) * word_scale
            candidates.append((value, left.start, right.end))
        # Strongest first; ties broken by position so the output is stable.
        candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
        chosen: list[Contribution] = []
        for value, start, end in candidates:
            if value <= 0 or len(chosen) >= top:
                break
            if any(start < c.end and c.start < end for c in chosen):
                continue
            chosen.append(Contribution(start, end, text[start:end], round(value, 4)))
        return chosen


def _folder() -> Traversable:
    """Return the folder of the shipped models."""
    return resources.files(__package__ or "accalmie.analysis").joinpath(MODELS_FOLDER)


@cache
def _load(name: str) -> LinearTextModel:
    """Read a shipped model from the package data."""
    if name not in available_models():
        raise KeyError(f"no learned model named {name!r} (available: {available_models()})")
    raw = _folder().joinpath(f"{name}.json").read_bytes()
    return LinearTextModel.from_json(raw)


def available_models() -> list[str]:
    """Return the names of the shipped models, sorted."""
    folder = _folder()
    if not folder.is_dir():
        return []
    return sorted(
        entry.name.removesuffix(".json")
        for entry in folder.iterdir()
        if entry.name.endswith(".json") and entry.is_file()
    )
