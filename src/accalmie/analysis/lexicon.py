"""Load the lexicons (lexicons/<lang>/<signal>.toml) and compile them for fast matching."""

from __future__ import annotations

import hashlib
import itertools
import re
import re._parser as sre_parse  # the stdlib's own pattern parser, to find required words
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import ahocorasick
import numpy as np

from accalmie.analysis.language import COMMON_WORDS

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
    # Further sets of strings a match needs one of each (e.g. both words of "x {gap} y").
    also: tuple[frozenset[str], ...] = ()
    # True when every match starts with one of the anchors: tried only at their occurrences.
    at_anchor: bool = False


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
_MIN_ALSO = 4


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


def _all_required(items: Any) -> list[frozenset[str]]:
    """Return every set of strings of which a match must contain one (all the sets apply)."""
    found: list[frozenset[str]] = []
    run = ""
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            run += chr(arg)
            continue
        if len(run) >= _MIN_ANCHOR:
            found.append(frozenset({run}))
        run = ""
        if name == "SUBPATTERN":
            found.extend(_all_required(arg[-1]))
        elif name == "BRANCH":
            options = [_required(branch) for branch in arg[1]]
            if all(options):
                found.append(frozenset().union(*options))  # type: ignore[arg-type]
        elif name in {"MAX_REPEAT", "MIN_REPEAT"} and arg[0] >= 1:
            found.extend(_all_required(arg[2]))
    if len(run) >= _MIN_ANCHOR:
        found.append(frozenset({run}))
    return found


# Prefixes are spelled out up to this length, and at most this many of them per pattern.
_PREFIX_LENGTH = 8
_PREFIX_LIMIT = 32


def _spellings(items: Any) -> list[str] | None:
    """Return every string a sequence of items can match, when they are few and literal."""
    spelled = [""]
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            options: list[str] | None = [chr(arg)]
        elif name == "AT":
            options = [""]
        elif name == "SUBPATTERN":
            options = _spellings(arg[-1])
        elif name == "BRANCH":
            branches = [_spellings(branch) for branch in arg[1]]
            options = None if None in branches else [s for b in branches for s in b or ()]
        elif name == "MAX_REPEAT" and arg[0] == 0 and arg[1] == 1:
            inner = _spellings(arg[2])
            options = None if inner is None else ["", *inner]
        else:
            options = None
        if options is None or len(spelled) * len(options) > _PREFIX_LIMIT:
            return None
        spelled = [a + b for a in spelled for b in options]
    return spelled


def _prefixes(items: Any) -> frozenset[str] | None:
    """Return strings one of which every match starts with, or None when there is none.

    Literal words, alternatives and optional words at the start are spelled out, so
    "(vous|tu) (savez|sais) mieux" starts with "vous savez", "vous sais", "tu savez"...
    """
    prefixes = [""]
    for op, arg in items:
        if min(map(len, prefixes)) >= _PREFIX_LENGTH:
            break
        spelled = _spellings([(op, arg)])
        if spelled is not None and len(prefixes) * len(spelled) <= _PREFIX_LIMIT:
            prefixes = [a + b for a in prefixes for b in spelled]
            continue
        name = str(op)
        inner = None
        if name == "SUBPATTERN":
            inner = _prefixes(arg[-1])
        elif name == "BRANCH":
            options = [_prefixes(branch) for branch in arg[1]]
            inner = frozenset().union(*options) if all(options) else None  # type: ignore[arg-type]
        if inner and len(prefixes) * len(inner) <= _PREFIX_LIMIT:
            prefixes = [a + b for a in prefixes for b in inner]
        break
    found = frozenset(prefixes)
    return found if found and min(map(len, found)) >= _MIN_ANCHOR else None


def _parse(pattern: str) -> Any:
    try:
        return list(sre_parse.parse(pattern))
    except re.error:
        return None


def anchors_of(pattern: str) -> frozenset[str] | None:
    """Return the literal strings one of which the text must contain for `pattern` to match."""
    parsed = _parse(pattern)
    return None if parsed is None else _required(parsed)


def requirements_of(pattern: str) -> tuple[frozenset[str], ...]:
    """Return the sets of literal strings a match must draw one string from, each of them."""
    parsed = _parse(pattern)
    return () if parsed is None else tuple(dict.fromkeys(_all_required(parsed)))


def compile_pattern(pattern: str) -> Pattern:
    """Compile a lexicon pattern (word-bounded, `{gap}` expanded)."""
    # "a {gap} b" and "a {gap}b" both mean: a, up to three words, b.
    source = pattern.replace(" {gap} ", " {gap}").replace("{gap}", GAP)
    regex = re.compile(r"\b(?:" + source + r")\b")
    # The rarest-looking requirement (longest strings) is the anchor the windows surround;
    # the others only need to be present. Very short strings are everywhere: not worth it.
    needed = sorted(requirements_of(source), key=_strength, reverse=True)
    anchors = anchors_of(source)
    if needed and (anchors is None or _strength(needed[0]) > _strength(anchors)):
        anchors = needed[0]
    parsed = _parse(source)
    starts = _prefixes(parsed) if parsed is not None else None
    if starts and anchors and min(map(len, starts)) >= _MIN_ANCHOR:
        # Every match starts with one of these: it is tried only where they occur.
        needed.append(anchors)
        anchors = starts
    else:
        starts = None
    also = tuple(
        dict.fromkeys(r for r in needed if r != anchors and min(map(len, r)) >= _MIN_ANCHOR)
    )
    return Pattern(regex, anchors, also if anchors else (), starts is not None)


def _common(string: str) -> bool:
    """Tell a string found in nearly every message: a short or very frequent word."""
    core = string.strip(" '")
    return len(core) < _MIN_ALSO or core in COMMON_WORDS


def _strength(strings: frozenset[str]) -> tuple[bool, int, int]:
    """Rank a requirement: rare words first, then longer strings, then fewer alternatives."""
    return not any(map(_common, strings)), min(map(len, strings)), -len(strings)


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


class LexiconIndex:
    """Find, for a folded text, the few (entry, pattern) pairs worth running.

    Every anchor string of every pattern goes into one Aho-Corasick automaton: a single pass
    in C finds all their occurrences in a text. A pattern is then run only when its anchors
    and every other literal it requires are present, and only on windows around its anchors.
    """

    def __init__(self, entries: tuple[Entry, ...]) -> None:
        self.always: list[tuple[int, Entry, Pattern]] = []
        self.patterns: list[tuple[int, Entry, Pattern]] = []
        order = 0
        for entry in entries:
            for pattern in entry.patterns:
                order += 1
                if pattern.anchors is None:
                    self.always.append((order, entry, pattern))
                else:
                    self.patterns.append((order, entry, pattern))
        # Anchors get numbers first (the strings windows surround), then the other strings.
        self.anchor_ids: dict[str, int] = {}
        for _order, _entry, pattern in self.patterns:
            for anchor in sorted(pattern.anchors or ()):
                self.anchor_ids.setdefault(anchor, len(self.anchor_ids))
        self.key_count = len(self.anchor_ids)
        # For the array test: the string numbers of each requirement, one after the other,
        # where each requirement starts, and where each pattern's requirements start.
        flat: list[int] = []
        group_starts: list[int] = []
        pattern_starts: list[int] = []
        for _order, _entry, pattern in self.patterns:
            pattern_starts.append(len(group_starts))
            for needed in (pattern.anchors or frozenset(), *pattern.also):
                group_starts.append(len(flat))
                for string in sorted(needed):
                    flat.append(self.anchor_ids.setdefault(string, len(self.anchor_ids)))
        self.flat = np.array(flat, dtype=np.intp)
        self.group_starts = np.array(group_starts, dtype=np.intp)
        self.pattern_starts = np.array(pattern_starts, dtype=np.intp)
        self.key_of = [
            [(self.anchor_ids[a], len(a)) for a in sorted(pattern.anchors or ())]
            for _order, _entry, pattern in self.patterns
        ]
        self.automaton = ahocorasick.Automaton()
        for string, number in self.anchor_ids.items():
            self.automaton.add_word(string, number)
        if self.anchor_ids:
            self.automaton.make_automaton()

    def candidates(self, text: str) -> list[tuple[Entry, Pattern, list[tuple[int, int]]]]:
        """Return the patterns that may match `text`, in lexicon order, with where to look.

        A pattern with anchors can only match around one of them: it is run on windows
        around the anchors' occurrences rather than on the whole text. For a pattern whose
        matches start with an anchor, the "windows" are empty spans at the anchors' starts.
        """
        length = len(text)
        whole = [(0, length)]
        found = [(order, entry, pattern, whole) for order, entry, pattern in self.always]
        if self.patterns:
            # Every occurrence as (end, number) pairs, flattened, read in C.
            pairs = np.fromiter(
                itertools.chain.from_iterable(self.automaton.iter(text)), dtype=np.intp
            )
            numbers = pairs[1::2]
            present = np.zeros(len(self.anchor_ids), dtype=np.bool_)
            present[numbers] = True
            # A requirement is met when one of its strings is present, a pattern when all are.
            met = np.maximum.reduceat(present[self.flat], self.group_starts)
            possible = np.flatnonzero(np.minimum.reduceat(met, self.pattern_starts)).tolist()
            if possible:
                keys = numbers < self.key_count
                positions: dict[int, list[int]] = {}
                for number, end in zip(
                    numbers[keys].tolist(), pairs[0::2][keys].tolist(), strict=True
                ):
                    positions.setdefault(number, []).append(end + 1)
                for index in possible:
                    order, entry, pattern = self.patterns[index]
                    if pattern.at_anchor:
                        found.append(
                            (
                                order,
                                entry,
                                pattern,
                                sorted(
                                    (end - size, end - size)
                                    for number, size in self.key_of[index]
                                    for end in positions.get(number, ())
                                ),
                            )
                        )
                        continue
                    windows = [
                        (max(0, end - size - _WINDOW), min(length, end + _WINDOW))
                        for number, size in self.key_of[index]
                        for end in positions.get(number, ())
                    ]
                    found.append((order, entry, pattern, _merge(windows)))
        # Lexicon order, whatever the order of the search: the same text gives the same hits.
        found.sort(key=lambda item: item[0])
        return [(entry, pattern, windows) for _order, entry, pattern, windows in found]


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
