"""Fold text for matching (lower case, no accents, plain quotes) and map offsets back."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

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


@cache
def _one_to_one() -> tuple[dict[int, str], re.Pattern[str]]:
    """Return a translation table for the characters that fold to exactly one character,
    and a pattern finding any other non-ASCII character (those need the slow path)."""
    table: dict[int, str] = {}
    for code in range(0x2100):
        char = chr(code)
        folded = fold_char(char)
        if len(folded) == 1 and folded != char:
            table[code] = folded
    same = "".join(chr(c) for c in range(0x80, 0x2100) if len(fold_char(chr(c))) == 1)
    return table, re.compile("[^\x00-\x7f" + re.escape(same) + "]")


def fold(text: str) -> Folded:
    """Return the folded text used for matching, with the way back to the original."""
    if text.isascii():
        return Folded(text.lower(), None)
    table, slow = _one_to_one()  # built on first use, not at import
    if not slow.search(text):
        # Every character folds to one character: offsets do not move.
        return Folded(text.translate(table), None)
    pieces: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = fold_char(char)
        pieces.append(folded)
        origin.extend([index] * len(folded))
    return Folded("".join(pieces), tuple(origin))
