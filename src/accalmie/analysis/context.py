"""Where a match stands in its sentence: negated, asked, supposed, or someone else's words."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SENTENCE_END = re.compile(r"[.!?\n]+")
_CLAUSE_BREAK = re.compile(r"[,;:()]|\b(mais|but|however|cependant|pourtant|et|and)\b")
_NEGATION = re.compile(
    r"\b(ne|n'|pas|jamais|aucun|aucune|aucunement|nullement|sans|ni|plus aucun|"
    r"not|n't|never|no|without|nor|none|hardly)\b|n't\b"
)
_CONDITIONAL = re.compile(
    r"\b(si|s'il|s'ils|sinon|faute de|a defaut|if|unless|otherwise|would|or else)\b"
)
_REPORTED = re.compile(
    r"\b(a dit|ont dit|m'a dit|nous a dit|disait|disent|a ecrit|ont ecrit|nous a ecrit|"
    r"m'a ecrit|selon|d'apres|rapporte|raconte|se plaint|se plaignent|pretend|affirme|"
    r"said|says|told (me|us)|wrote|writes|according to|complained|claims|reported)\b"
)
# How far before a match a negation still applies (characters).
NEGATION_WINDOW = 40


@dataclass(frozen=True)
class Context:
    """The grammatical setting of one match."""

    negated: bool
    question: bool
    conditional: bool
    reported: bool


class Sentences:
    """The sentences of a folded text, to look up the one a match is in."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.bounds: list[tuple[int, int, str]] = []
        start = 0
        for end_match in _SENTENCE_END.finditer(text):
            self.bounds.append((start, end_match.end(), end_match.group()))
            start = end_match.end()
        if start < len(text):
            self.bounds.append((start, len(text), ""))

    def around(self, position: int) -> tuple[int, int, str]:
        for start, end, terminator in self.bounds:
            if start <= position < end:
                return start, end, terminator
        return 0, len(self.text), ""

    def context(self, start: int, end: int) -> Context:
        """Return the context of the match [start, end)."""
        s_start, _s_end, terminator = self.around(start)
        before = self.text[s_start:start]
        clause_start = 0
        for brk in _CLAUSE_BREAK.finditer(before):
            clause_start = brk.end()
        clause = before[clause_start:][-NEGATION_WINDOW:]
        quotes_before = before.count('"')
        return Context(
            negated=bool(_NEGATION.search(clause)),
            question="?" in terminator,
            conditional=bool(_CONDITIONAL.search(before)),
            reported=bool(quotes_before % 2 == 1 or _REPORTED.search(before)),
        )
