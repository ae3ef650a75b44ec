"""Tell French from English (or both) by their most frequent short words."""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-z']+")
FRENCH = frozenset(
    [
        "le",
        "la",
        "les",
        "de",
        "des",
        "du",
        "un",
        "une",
        "et",
        "est",
        "sont",
        "vous",
        "nous",
        "je",
        "tu",
        "il",
        "elle",
        "on",
        "que",
        "qui",
        "pas",
        "ne",
        "ce",
        "cette",
        "ces",
        "pour",
        "avec",
        "sur",
        "dans",
        "par",
        "mais",
        "ou",
        "donc",
        "au",
        "aux",
        "votre",
        "vos",
        "notre",
        "nos",
        "merci",
        "bonjour",
        "cordialement",
        "c'est",
        "j'ai",
        "n'est",
        "d'un",
        "d'une",
        "l'equipe",
        "qu'il",
        "tres",
        "bien",
        "faire",
        "etre",
        "avons",
        "avez",
        "sera",
        "peut",
    ]
)
ENGLISH = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "is",
        "are",
        "was",
        "were",
        "you",
        "we",
        "i",
        "he",
        "she",
        "it",
        "they",
        "that",
        "which",
        "not",
        "to",
        "of",
        "for",
        "with",
        "on",
        "in",
        "by",
        "but",
        "or",
        "so",
        "your",
        "our",
        "my",
        "thanks",
        "thank",
        "hi",
        "hello",
        "regards",
        "please",
        "this",
        "these",
        "be",
        "have",
        "has",
        "will",
        "would",
        "could",
        "can",
        "do",
        "does",
        "did",
        "it's",
        "i'm",
        "don't",
        "we're",
    ]
)

# Words found in nearly every message of either language (the lexicon index skips them).
COMMON_WORDS = FRENCH | ENGLISH


def detect_language(folded: str) -> tuple[str, dict[str, float]]:
    """Return "fr", "en" or "mixed" for a folded text, with each language's share of cues."""
    words = _WORD.findall(folded[:4000])
    fr = sum(1 for w in words if w in FRENCH)
    en = sum(1 for w in words if w in ENGLISH)
    total = fr + en
    if total == 0:
        return "fr", {"fr": 0.0, "en": 0.0}
    shares = {"fr": fr / total, "en": en / total}
    if total >= 8 and min(shares.values()) >= 0.3:
        return "mixed", shares
    return ("fr" if fr >= en else "en"), shares
