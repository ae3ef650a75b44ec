"""Put the layers together: fold, tell the language, match lexicons in context, score."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache

from accalmie.analysis.context import _NEGATION, Sentences
from accalmie.analysis.language import detect_language
from accalmie.analysis.learned import LinearTextModel
from accalmie.analysis.learned_signals import (
    Reading,
    learned_explanation,
    models_fingerprint,
    signal_model_set,
)
from accalmie.analysis.lexicon import Entry, Pattern, lexicon_fingerprint, lexicon_index
from accalmie.analysis.normalize import fold
from accalmie.analysis.signals import MARKERS, TEXT_SIGNALS

_TEXT_SIGNALS = frozenset(TEXT_SIGNALS)
# Bump when the engine's behaviour changes: stored hits are then analysed again.
ENGINE_VERSION = "1"
WEAKEN = {"question": 0.5, "conditional": 0.6}
# A learned model's probability counts above this floor, scaled to 0..LEARNED_WEIGHT.
LEARNED_FLOOR = 0.5
LEARNED_ALONE_FLOOR = 0.8
LEARNED_WEIGHT = 0.9
# A signal's score must reach this to count as a hit.
HIT_THRESHOLD = 0.3


@dataclass(frozen=True)
class Evidence:
    """The exact words that triggered a hit: offsets into the analysed text."""

    start: int
    end: int
    text: str


# Stands for "no span of its own" (a learned model's words are looked up only for a hit).
_NO_EVIDENCE = Evidence(-1, -1, "")


@dataclass(frozen=True)
class Hit:
    """One signal found in a message, with its evidence and a plain explanation."""

    signal: str
    score: float
    evidence: tuple[Evidence, ...]
    detector: str
    explanation: dict[str, str]

    def as_dict(self) -> dict[str, object]:
        return {
            "signal": self.signal,
            "score": round(self.score, 3),
            "detector": self.detector,
            "evidence": [{"start": e.start, "end": e.end, "text": e.text} for e in self.evidence],
            "explanation": self.explanation,
        }


@dataclass
class Analysis:
    """Everything found in one message."""

    lang: str
    scores: dict[str, float]
    hits: list[Hit]
    markers: dict[str, int] = field(default_factory=dict)
    # The public-data models' reading of the whole message: hostility (fr, en), politeness (en).
    tone: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "lang": self.lang,
            "scores": {k: round(v, 3) for k, v in self.scores.items()},
            "hits": [h.as_dict() for h in self.hits],
            "markers": self.markers,
            "tone": {k: round(v, 3) for k, v in self.tone.items()},
        }


@cache
def detector_version() -> str:
    """Return the version of the whole detector set: engine, lexicons and models."""
    digest = hashlib.sha256(ENGINE_VERSION.encode())
    digest.update(lexicon_fingerprint().encode())
    digest.update(models_fingerprint().encode())
    return digest.hexdigest()[:12]


def _multiplier(entry: Entry, context_flags: dict[str, bool]) -> float:
    factor = 1.0
    for rule, present in context_flags.items():
        if not present:
            continue
        action = entry.rules.get(rule, "keep")
        if action == "drop":
            return 0.0
        if action == "weaken":
            factor *= WEAKEN.get(rule, 0.5)
    return factor


def _matches(
    pattern: Pattern, text: str, windows: list[tuple[int, int]]
) -> Iterator[re.Match[str]]:
    """Yield each match of `pattern` in the windows of `text`, once, never overlapping."""
    regex = pattern.regex
    if pattern.at_anchor:
        last = -1
        for start, _end in windows:
            if start >= last:
                match = regex.match(text, start)
                if match is not None:
                    last = match.end()
                    yield match
        return
    seen: set[tuple[int, int]] = set()
    for start, end in windows:
        for match in regex.finditer(text, start, end):
            # A window's end is not the text's: a match touching it may be cut mid-word.
            if match.end() == end < len(text) or match.span() in seen:
                continue
            seen.add(match.span())
            yield match


def _learned_weights(readings: dict[str, Reading]) -> dict[str, tuple[float, LinearTextModel]]:
    """Return, per signal, the learned model's highest probability and the model."""
    found: dict[str, tuple[float, LinearTextModel]] = {}
    for language, reading in readings.items():
        models = signal_model_set(language).models
        for signal, probability in reading.probabilities.items():
            if signal in _TEXT_SIGNALS and probability > found.get(signal, (0.0,))[0]:
                found[signal] = (probability, models[signal])
    return found


def _learned_evidence(
    readings: dict[str, Reading], wanted: list[tuple[str, str]]
) -> dict[str, list[Evidence]]:
    """Return the words that drove each wanted (signal, language) model."""
    found: dict[str, list[Evidence]] = {}
    for lang in {lang for _signal, lang in wanted}:
        signals = [signal for signal, signal_lang in wanted if signal_lang == lang]
        for signal, spans in signal_model_set(lang).evidence(readings[lang], signals).items():
            found[signal] = [Evidence(start, end, words) for start, end, words in spans]
    return found


def _tone(text: str, lang: str, readings: dict[str, Reading]) -> dict[str, float]:
    """Return the tone models' probabilities for the message's main language."""
    main = "fr" if lang == "mixed" else lang
    read = readings[main].probabilities
    tone = {}
    for name in ("hostility", "politeness") if main == "en" else ("hostility",):
        # Read with the signal models when it shares their features, else on its own.
        found = read.get(f"tone:{name}")
        if found is None:
            found = LinearTextModel.load(f"{name}_{main}").probability(text)
        tone[name] = found
    return tone


def _languages(lang: str) -> tuple[str, ...]:
    return ("fr", "en") if lang == "mixed" else (lang,)


def analyze(text: str, lang: str | None = None) -> Analysis:
    """Return the signals a client's message shows, each with its evidence and explanation."""
    folded = fold(text)
    detected = lang if lang in {"fr", "en"} else detect_language(folded.text)[0]
    sentences: Sentences | None = None
    best: dict[str, list[tuple[float, Evidence, Entry | None]]] = {}
    markers = dict.fromkeys(MARKERS, 0)
    suppressed: set[str] = set()
    haystack = folded.text
    for language in _languages(detected):
        for entry, pattern, windows in lexicon_index(language).candidates(haystack):
            for match in _matches(pattern, haystack, windows):
                if sentences is None:
                    sentences = Sentences(haystack)
                context = sentences.context(match.start(), match.end())
                flags = {
                    "negation": context.negated and not _NEGATION.search(match.group()),
                    "question": context.question,
                    "conditional": context.conditional,
                    "reported": context.reported,
                }
                weight = entry.weight * _multiplier(entry, flags)
                if weight <= 0:
                    # Negated or someone else's words: the learned model, which cannot
                    # tell, must not bring the signal back.
                    suppressed.add(entry.signal)
                    continue
                start, end = folded.span(match.start(), match.end())
                evidence = Evidence(start, end, text[start:end])
                if entry.signal in MARKERS:
                    markers[entry.signal] += 1
                else:
                    best.setdefault(entry.signal, []).append((weight, evidence, entry))
    readings = {
        language: signal_model_set(language).read(text) for language in _languages(detected)
    }
    learned = _learned_weights(readings)
    for signal, (probability, model) in list(learned.items()):
        if signal in suppressed and signal not in best:
            del learned[signal]
            continue
        # Alone, a learned model must be sure; backing a lexicon match, it may be less so.
        floor = LEARNED_FLOOR if signal in best else LEARNED_ALONE_FLOOR
        weight = LEARNED_WEIGHT * max(0.0, (probability - floor) / (1 - floor))
        if weight <= 0:
            del learned[signal]
            continue
        learned[signal] = (weight, model)
        best.setdefault(signal, []).append((weight, _NO_EVIDENCE, None))
    scores = dict.fromkeys(TEXT_SIGNALS, 0.0)
    hits: list[Hit] = []
    needs_words: list[tuple[str, str]] = []
    pending: list[tuple[str, float, set[Evidence], Entry | None]] = []
    for signal, found in best.items():
        if signal not in scores:
            continue
        remaining = 1.0
        weights_by_source: dict[str, float] = {}
        for weight, _evidence, source in found:
            # A learned model brings several evidence spans but counts once.
            key = source.detector if source is not None else "learned"
            weights_by_source[key] = max(weight, weights_by_source.get(key, 0.0))
        for weight in weights_by_source.values():
            remaining *= 1.0 - weight
        score = 1.0 - remaining
        scores[signal] = score
        if score < HIT_THRESHOLD:
            continue
        found.sort(key=lambda item: -item[0])
        top = found[0][2]
        spans = {e for _w, e, _entry in found if e is not _NO_EVIDENCE}
        if signal in learned and (top is None or not spans):
            # The words that drove the learned model: looked up only for hits.
            needs_words.append((signal, learned[signal][1].lang))
        pending.append((signal, score, spans, top))
    words_by_signal = _learned_evidence(readings, needs_words)
    for signal, score, spans, top in pending:
        spans.update(words_by_signal.get(signal, ()))
        ordered = tuple(sorted(spans, key=lambda e: (e.start, e.end)))
        if top is None:  # the learned model weighs more than any lexicon entry
            detector = f"learned:signal_{signal}_{detected}"
            explanation = learned_explanation(signal)
        else:
            detector, explanation = top.detector, top.explanation
        hits.append(Hit(signal, score, ordered, detector, explanation))
    hits.sort(key=lambda h: -h.score)
    return Analysis(
        lang=detected,
        scores=scores,
        hits=hits,
        markers=markers,
        tone=_tone(text, detected, readings),
    )
