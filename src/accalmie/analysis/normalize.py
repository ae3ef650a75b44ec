"""Fold text for matching (lower case, no accents, plain quotes) and map offsets back."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_SPECIAL = {
    "’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'",
    "“": '"', "”": '"', "«": '"', "»": '"', "„": '"',
    "œ": "oe", "æ": "ae", "ß": "ss", "\u00a0": " ", "\u202f": " ", "\u2009": " ",
    "–": "-", "—": "-", "…": "...",
}  # fmt: skip


@lru_cache(maxsize=4096)
def fold_char(char: str) -> str:
    """Return one character folded: lower case, accents dropped, quotes made plain."""
    if char in _SPECIAL:
        return _SPECIAL[char]
    lowered = char.lower()
    if lowered in _SPECIAL:
        return _SPECIAL[lowered]
    if lowered.isascii():
        return lowered
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(c for c in decomposed if not unicodedata.combining(c)) or lowered


@dataclass(frozen=True)
class Folded:
    """A folded text and, for each of its characters, the offset in the original."""

    text: str
    origin: tuple[int, ...] | None  # None when offsets are unchanged (ASCII input)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Return the original offsets of the folded span [start, end)."""
        if self.origin is None:
            return start, end
        if start >= len(self.origin):
            return len(self.origin), len(self.origin)
        last = self.origin[end - 1] + 1 if end > start else self.origin[start]
        return self.origin[start], last


def fold(text: str) -> Folded:
    """Return the folded text used for matching, with the way back to the original."""
    if text.isascii():
        return Folded(text.lower(), None)
    pieces: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = fold_char(char)
        pieces.append(folded)
        origin.extend([index] * len(folded))
    return Folded("".join(pieces), tuple(origin))
