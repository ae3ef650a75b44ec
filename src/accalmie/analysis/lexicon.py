"""Load the lexicons (lexicons/<lang>/<signal>.toml) and compile them for fast matching."""

from __future__ import annotations

import hashlib
import re
import re._parser as sre_parse  # the stdlib's own pattern parser, to find required words
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

GAP = r"(?:\S+\s+){0,3}"
CONTEXT_RULES = {
    "negation": ("drop", "keep"),
    "question": ("weaken", "drop", "keep"),
    "conditional": ("weaken", "drop", "keep"),
    "reported": ("drop", "keep"),
}
DEFAULT_RULES = {"negation": "drop", "question": "weaken", "conditional": "weaken",
                 "reported": "drop"}  # fmt: skip


class LexiconError(ValueError):
    """A lexicon file does not follow lexicons/README.md."""


@dataclass(frozen=True)
class Pattern:
    """One compiled pattern, with the words one of which must appear for it to match."""

    regex: re.Pattern[str]
    anchors: frozenset[str] | None  # None: no cheap pre-check, always run


@dataclass(frozen=True)
class Entry:
    """One lexicon entry: patterns that show a signal, how strongly, and why."""

    signal: str
    lang: str
    id: str
    weight: float
    patterns: tuple[Pattern, ...]
    explanation: dict[str, str]
    rules: dict[str, str]

    @property
    def detector(self) -> str:
        return f"lexicon:{self.lang}:{self.signal}:{self.id}"


# -- anchors: the literal words a pattern cannot match without -------------------------------

_MIN_ANCHOR = 3


def _required(items: Any) -> frozenset[str] | None:
    """Return strings one of which any match must contain, or None when there is no such set."""
    best: frozenset[str] | None = None
    run = ""

    def consider(candidate: frozenset[str] | None) -> None:
        nonlocal best
        if not candidate or any(len(s) < _MIN_ANCHOR for s in candidate):
            return
        if best is None or min(map(len, candidate)) > min(map(len, best)):
            best = candidate

    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            run += chr(arg)
            continue
        consider(frozenset({run}) if run else None)
        run = ""
        if name == "SUBPATTERN":
            consider(_required(arg[-1]))
        elif name == "BRANCH":
            options = [_required(branch) for branch in arg[1]]
            if all(options):
                consider(frozenset().union(*options))  # type: ignore[arg-type]
        elif name in {"MAX_REPEAT", "MIN_REPEAT"} and arg[0] >= 1:
            consider(_required(arg[2]))
    consider(frozenset({run}) if run else None)
    return best


def anchors_of(pattern: str) -> frozenset[str] | None:
    """Return the literal strings one of which the text must contain for `pattern` to match."""
    try:
        parsed = sre_parse.parse(pattern)
    except re.error:
        return None
    return _required(list(parsed))


def compile_pattern(pattern: str) -> Pattern:
    """Compile a lexicon pattern (word-bounded, `{gap}` expanded)."""
    # "a {gap} b" and "a {gap}b" both mean: a, up to three words, b.
    source = pattern.replace(" {gap} ", " {gap}").replace("{gap}", GAP)
    return Pattern(re.compile(r"\b(?:" + source + r")\b"), anchors_of(source))


# -- files ------------------------------------------------------------------------------------


def _entry(signal: str, lang: str, raw: dict[str, Any], where: str) -> Entry:
    for field in ("id", "weight", "patterns", "explanation_fr", "explanation_en"):
        if field not in raw:
            raise LexiconError(f"{where}: an entry lacks `{field}`")
    weight = float(raw["weight"])
    if not 0 < weight <= 1:
        raise LexiconError(f"{where}:{raw['id']}: weight {weight} is not in (0, 1]")
    rules = dict(DEFAULT_RULES)
    for rule, allowed in CONTEXT_RULES.items():
        if rule in raw:
            if raw[rule] not in allowed:
                raise LexiconError(f"{where}:{raw['id']}: {rule} must be one of {allowed}")
            rules[rule] = raw[rule]
    try:
        patterns = tuple(compile_pattern(p) for p in raw["patterns"])
    except re.error as exc:
        raise LexiconError(f"{where}:{raw['id']}: bad pattern: {exc}") from exc
    return Entry(
        signal=signal,
        lang=lang,
        id=str(raw["id"]),
        weight=weight,
        patterns=patterns,
        explanation={"fr": raw["explanation_fr"], "en": raw["explanation_en"]},
        rules=rules,
    )


def _files() -> list[Any]:
    root = resources.files("accalmie.analysis") / "lexicons"
    found = []
    for lang_dir in sorted(root.iterdir(), key=lambda p: p.name):
        if lang_dir.is_dir():
            found.extend(
                sorted(
                    (f for f in lang_dir.iterdir() if f.name.endswith(".toml")),
                    key=lambda f: f.name,
                )
            )
    return found


@cache
def load_lexicons() -> dict[str, tuple[Entry, ...]]:
    """Return every entry of every lexicon, by language."""
    by_lang: dict[str, list[Entry]] = {}
    for file in _files():
        lang = file.parent.name if hasattr(file, "parent") else ""
        data = tomllib.loads(file.read_text(encoding="utf-8"))
        signal = data.get("signal") or file.name.removesuffix(".toml")
        lang = data.get("lang") or lang
        where = f"lexicons/{lang}/{file.name}"
        entries = by_lang.setdefault(lang, [])
        for raw in data.get("entry", []):
            entries.append(_entry(signal, lang, raw, where))
    return {lang: tuple(entries) for lang, entries in by_lang.items()}


_KEY = 4
# How far from its anchor a match may start or end (characters): phrases are short.
_WINDOW = 160


def _merge(windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(windows):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


_LETTERS = re.compile(r"[a-z0-9]+")


def _key(anchor: str) -> str:
    """Return the start of the anchor's longest run of letters: rarer than its first bytes."""
    runs = _LETTERS.findall(anchor)
    longest = max(runs, key=len) if runs else anchor
    if len(longest) < _MIN_ANCHOR:
        longest = anchor
    return longest[:_KEY] if len(longest) >= _KEY else longest[:_MIN_ANCHOR]


class LexiconIndex:
    """Find, for a folded text, the few (entry, pattern) pairs worth running.

    Each pattern is filed under the first characters of its anchors; a text's character
    n-grams then select the candidates in a few hundred set look-ups, instead of trying
    a thousand patterns one by one.
    """

    def __init__(self, entries: tuple[Entry, ...]) -> None:
        self.always: list[tuple[int, Entry, Pattern]] = []
        self.by_gram: dict[str, list[tuple[int, Entry, Pattern, str]]] = {}
        order = 0
        for entry in entries:
            for pattern in entry.patterns:
                order += 1
                if pattern.anchors is None:
                    self.always.append((order, entry, pattern))
                    continue
                for anchor in pattern.anchors:
                    self.by_gram.setdefault(_key(anchor), []).append(
                        (order, entry, pattern, anchor)
                    )

    def candidates(self, text: str) -> list[tuple[Entry, Pattern, list[tuple[int, int]]]]:
        """Return the patterns that may match `text`, in lexicon order, with where to look.

        A pattern with anchors can only match around one of them: it is run on windows
        around the anchors' occurrences rather than on the whole text.
        """
        grams = {text[i : i + _KEY] for i in range(len(text) - _KEY + 1)}
        grams.update(text[i : i + _MIN_ANCHOR] for i in range(len(text) - _MIN_ANCHOR + 1))
        whole = [(0, len(text))]
        chosen: dict[int, tuple[Entry, Pattern, list[tuple[int, int]]]] = {
            order: (entry, pattern, whole) for order, entry, pattern in self.always
        }
        for gram in grams & self.by_gram.keys():
            for order, entry, pattern, anchor in self.by_gram[gram]:
                position = text.find(anchor)
                if position < 0:
                    continue
                windows = chosen.setdefault(order, (entry, pattern, []))[2]
                while position >= 0:
                    windows.append(
                        (
                            max(0, position - _WINDOW),
                            min(len(text), position + len(anchor) + _WINDOW),
                        )
                    )
                    position = text.find(anchor, position + 1)
        # Lexicon order, whatever the order of the set: the same text gives the same hits.
        return [(e, p, _merge(w)) for e, p, w in (chosen[order] for order in sorted(chosen))]


@cache
def lexicon_index(lang: str) -> LexiconIndex:
    """Return the index of one language's lexicons."""
    return LexiconIndex(load_lexicons().get(lang, ()))


@cache
def lexicon_fingerprint() -> str:
    """Return a hash of every lexicon file: part of the detector set's version."""
    digest = hashlib.sha256()
    for file in _files():
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()
