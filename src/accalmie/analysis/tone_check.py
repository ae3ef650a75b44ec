"""Check the tone of one's own draft reply before sending it to a client.

A plain library with no Django import, fast enough to run as one types:

    >>> from accalmie.analysis.tone_check import check_tone
    >>> report = check_tone("Vous n'avez pas envoyé les fichiers.")
    >>> [(f.flag, f.text) for f in report.flags]
    [('accusatory_you', "Vous n'avez pas"), ('missing_acknowledgement', ...), ...]

Two kinds of flags:

- *phrase flags* (`accusatory_you`, `defensiveness`, `absolute`, `sarcasm`, `blame`): a
  pattern of `tone/<lang>.toml` matches the folded draft; the flag's span is the matched words
  in the original text.
- *missing flags* (`missing_acknowledgement`, `missing_next_step`): no *cue* pattern of the
  matching kind (`acknowledgement`, `next_step`) is found anywhere in the draft. Their span is
  the draft's opening sentence (after any greeting) and its closing sentence (before any
  sign-off) respectively; an empty draft gets the span 0..0.

Each flag carries one suggestion, a string in the language of the pattern file that raised
it, which is the draft's language (for a draft in both languages, French for missing flags).
The file format is described in docs/tone-check.md.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from accalmie.analysis.context import Sentences
from accalmie.analysis.language import detect_language
from accalmie.analysis.lexicon import GAP, anchors_of
from accalmie.analysis.normalize import Folded, fold

PHRASE_FLAGS = ("accusatory_you", "defensiveness", "absolute", "sarcasm", "blame")
MISSING_FLAGS = {
    "missing_acknowledgement": "acknowledgement",
    "missing_next_step": "next_step",
}
TONE_FLAGS = (*PHRASE_FLAGS, *MISSING_FLAGS)
CUE_KINDS = tuple(MISSING_FLAGS.values())
LANGUAGES = ("fr", "en")
# What a match's context does to it: "drop" cancels the match, "keep" ignores the context.
CONTEXT_RULES = ("negation", "question", "reported")
DEFAULT_RULES = {"negation": "keep", "question": "keep", "reported": "drop"}
# A cue counts wherever it is: "The client wrote that ... and I understand why" acknowledges.
DEFAULT_CUE_RULES = {"negation": "keep", "question": "keep", "reported": "keep"}

# Someone else's words: a reporting verb that introduces them ("il m'a écrit que", "the client
# said that", "wrote:"), or "selon" / "according to". Stricter than context.Sentences: in a
# reply, "comme je l'ai dit" or "as I said" are the writer's own words.
_THEIR_WORDS = re.compile(
    r"\b(said|says|wrote|writes|told (me|us)|complained|claims|dit|dites|ecrit|ecrivez|"
    r"disait|ecrivait|affirme|affirmez|pretend|pretendez)\b( [^ ]+){0,3}( que| qu'| that|:)|"
    r"\b(selon|d'apres|according to)\b"
)

# A greeting that opens a draft, and a sign-off that closes it (folded text).
_GREETING = re.compile(
    r"^\s*(bonjour|bonsoir|salut|coucou|hello|hi|hey|dear|good (morning|afternoon)|"
    r"cher|chere|chers|cheres|madame|monsieur)\b[^.!?\n,]{0,40}[,!\n]\s*"
)
_SIGN_OFF = re.compile(
    r"^\s*(cordialement|bien cordialement|bien a vous|bien a toi|a bientot|bonne journee|"
    r"bonne soiree|bonne reception|belle journee|sinceres salutations|regards|best|"
    r"kind regards|best regards|cheers|thanks|many thanks|all the best|sincerely|merci)\b"
)


class ToneFileError(ValueError):
    """A tone pattern file (tone/<lang>.toml) does not follow docs/tone-check.md."""


@dataclass(frozen=True)
class TonePattern:
    """One compiled pattern, with the literal strings one of which a match must contain."""

    regex: re.Pattern[str]
    anchors: frozenset[str] | None  # None: no cheap pre-check, always run

    def may_match(self, text: str) -> bool:
        return self.anchors is None or any(anchor in text for anchor in self.anchors)


@dataclass(frozen=True)
class ToneEntry:
    """One group of patterns that raise a flag (or, for a cue, that mark a good habit)."""

    id: str
    lang: str
    kind: str  # a phrase flag, or a cue kind ("acknowledgement", "next_step")
    patterns: tuple[TonePattern, ...]
    suggestion: str
    rules: dict[str, str]
    unless: tuple[re.Pattern[str], ...]  # a match whose sentence matches one is ignored

    @property
    def is_cue(self) -> bool:
        return self.kind in CUE_KINDS


@dataclass(frozen=True)
class ToneRules:
    """Everything one language's file holds: entries, and the missing flags' suggestions."""

    lang: str
    entries: tuple[ToneEntry, ...]
    missing: dict[str, str]  # missing flag -> suggestion


@dataclass(frozen=True)
class ToneFlag:
    """One tone problem in a draft: which, where (original offsets), and what to write instead.

    `suggestion` is a single string in the draft's language; `source` names the pattern
    group that raised the flag (not part of `as_dict`).
    """

    flag: str
    start: int
    end: int
    text: str
    suggestion: str
    source: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "flag": self.flag,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "suggestion": self.suggestion,
        }


@dataclass
class ToneReport:
    """The tone check of one draft: its language and its flags, in reading order."""

    lang: str
    flags: list[ToneFlag] = field(default_factory=list)

    @property
    def flag_names(self) -> set[str]:
        return {f.flag for f in self.flags}

    def as_dict(self) -> dict[str, object]:
        return {"lang": self.lang, "flags": [f.as_dict() for f in self.flags]}


# -- files ------------------------------------------------------------------------------------


def compile_tone_pattern(pattern: str) -> TonePattern:
    """Compile a pattern: `{gap}` stands for up to three words; matches are word-bounded."""
    source = pattern.replace(" {gap} ", " {gap}").replace("{gap}", GAP)
    return TonePattern(re.compile(r"\b(?:" + source + r")\b"), anchors_of(source))


def _strings(raw: dict[str, Any], key: str, where: str) -> list[str]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ToneFileError(f"{where}: `{key}` must be a list of strings")
    return value


def _rules(raw: dict[str, Any], where: str, cue: bool) -> dict[str, str]:
    rules = dict(DEFAULT_CUE_RULES if cue else DEFAULT_RULES)
    for rule in CONTEXT_RULES:
        if rule in raw:
            if raw[rule] not in ("drop", "keep"):
                raise ToneFileError(f'{where}: `{rule}` must be "drop" or "keep"')
            rules[rule] = raw[rule]
    return rules


def _entry(lang: str, raw: Any, where: str) -> ToneEntry:
    if not isinstance(raw, dict):
        raise ToneFileError(f"{where}: an entry must be a table")
    for key in ("id", "flag", "patterns"):
        if key not in raw:
            raise ToneFileError(f"{where}: an entry lacks `{key}`")
    where = f"{where}:{raw['id']}"
    kind = raw["flag"]
    if kind not in PHRASE_FLAGS and kind not in CUE_KINDS:
        raise ToneFileError(
            f"{where}: unknown flag {kind!r} (one of {', '.join(PHRASE_FLAGS + CUE_KINDS)})"
        )
    suggestion = raw.get("suggestion", "")
    if kind in PHRASE_FLAGS and (not isinstance(suggestion, str) or not suggestion.strip()):
        raise ToneFileError(f"{where}: a `{kind}` entry needs a `suggestion`")
    patterns = _strings(raw, "patterns", where)
    if not patterns:
        raise ToneFileError(f"{where}: `patterns` is empty")
    try:
        compiled = tuple(compile_tone_pattern(p) for p in patterns)
        unless = tuple(re.compile(p) for p in _strings(raw, "unless", where))
    except re.error as exc:
        raise ToneFileError(f"{where}: bad pattern: {exc}") from exc
    return ToneEntry(
        id=str(raw["id"]),
        lang=lang,
        kind=kind,
        patterns=compiled,
        suggestion=str(suggestion),
        rules=_rules(raw, where, kind in CUE_KINDS),
        unless=unless,
    )


def parse_tone_file(text: str, lang: str, where: str = "") -> ToneRules:
    """Parse one tone file's text; raise ToneFileError when it is malformed."""
    where = where or f"tone/{lang}.toml"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ToneFileError(f"{where}: not valid TOML: {exc}") from exc
    if data.get("lang", lang) != lang:
        raise ToneFileError(f"{where}: declares lang {data.get('lang')!r}, expected {lang!r}")
    missing_raw = data.get("missing", {})
    missing: dict[str, str] = {}
    for flag in MISSING_FLAGS:
        table = missing_raw.get(flag) if isinstance(missing_raw, dict) else None
        suggestion = table.get("suggestion") if isinstance(table, dict) else None
        if not isinstance(suggestion, str) or not suggestion.strip():
            raise ToneFileError(f"{where}: [missing.{flag}] needs a `suggestion`")
        missing[flag] = suggestion
    raw_entries = data.get("entry", [])
    if not isinstance(raw_entries, list) or not raw_entries:
        raise ToneFileError(f"{where}: no [[entry]]")
    entries = tuple(_entry(lang, raw, where) for raw in raw_entries)
    seen: set[str] = set()
    for entry in entries:
        if entry.id in seen:
            raise ToneFileError(f"{where}: duplicate entry id {entry.id!r}")
        seen.add(entry.id)
    return ToneRules(lang=lang, entries=entries, missing=missing)


@cache
def load_tone_rules(lang: str) -> ToneRules:
    """Return one language's tone rules, read once from the package's tone/<lang>.toml."""
    if lang not in LANGUAGES:
        raise ValueError(f"no tone rules for language {lang!r}")
    file = resources.files("accalmie.analysis") / "tone" / f"{lang}.toml"
    return parse_tone_file(file.read_text(encoding="utf-8"), lang)


# -- matching ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Draft:
    """A draft ready to be matched: the original, its folded form, and its sentences."""

    text: str
    folded: Folded
    sentences: Sentences

    def original(self, start: int, end: int) -> tuple[int, int]:
        """Return the original offsets of a folded span, trimmed of surrounding blanks."""
        o_start, o_end = self.folded.span(start, end)
        while o_start < o_end and self.text[o_start].isspace():
            o_start += 1
        while o_end > o_start and self.text[o_end - 1].isspace():
            o_end -= 1
        return o_start, o_end


def _reported(draft: _Draft, position: int) -> bool:
    """Return whether the words at `position` are quoted or someone else's, reported."""
    s_start, _s_end, _ = draft.sentences.around(position)
    before = draft.folded.text[s_start:position]
    return before.count('"') % 2 == 1 or bool(_THEIR_WORDS.search(before))


def _kept(entry: ToneEntry, draft: _Draft, match: re.Match[str]) -> bool:
    """Return whether a match survives its entry's context rules and exceptions."""
    context = draft.sentences.context(match.start(), match.end())
    present = {
        "negation": context.negated,
        "question": context.question,
        "reported": _reported(draft, match.start()),
    }
    if any(present[rule] and entry.rules[rule] == "drop" for rule in CONTEXT_RULES):
        return False
    if entry.unless:
        s_start, s_end, _ = draft.sentences.around(match.start())
        sentence = draft.folded.text[s_start:s_end]
        if any(exception.search(sentence) for exception in entry.unless):
            return False
    return True


def _matches(entry: ToneEntry, draft: _Draft) -> Iterable[re.Match[str]]:
    haystack = draft.folded.text
    for pattern in entry.patterns:
        if not pattern.may_match(haystack):
            continue
        for match in pattern.regex.finditer(haystack):
            if match.end() > match.start() and _kept(entry, draft, match):
                yield match


def _phrase_flags(entry: ToneEntry, draft: _Draft) -> list[ToneFlag]:
    found = []
    for match in _matches(entry, draft):
        start, end = draft.original(match.start(), match.end())
        flag = ToneFlag(entry.kind, start, end, draft.text[start:end], entry.suggestion, entry.id)
        found.append(flag)
    return found


def _has_cue(entries: Iterable[ToneEntry], draft: _Draft) -> bool:
    return any(next(iter(_matches(entry, draft)), None) is not None for entry in entries)


def _content_sentences(draft: _Draft) -> list[tuple[int, int]]:
    """Return the folded spans of the draft's sentences, without greeting or sign-off."""
    text = draft.folded.text
    spans = []
    for start, end, _terminator in draft.sentences.bounds:
        if start == 0 and (greeting := _GREETING.match(text, 0, end)):
            start = greeting.end()
        piece = text[start:end]
        if not piece.strip() or _SIGN_OFF.match(piece):
            continue
        spans.append((start, end))
    # A name alone on the last line ("Margaux") is a signature, not the closing sentence.
    while len(spans) > 1 and len(text[spans[-1][0] : spans[-1][1]].split()) <= 2:
        spans.pop()
    return spans


def _missing_flag(flag: str, suggestion: str, draft: _Draft, opening: bool) -> ToneFlag:
    spans = _content_sentences(draft)
    if not spans:
        return ToneFlag(flag, 0, 0, "", suggestion, "missing")
    start, end = spans[0] if opening else spans[-1]
    o_start, o_end = draft.original(start, end)
    return ToneFlag(flag, o_start, o_end, draft.text[o_start:o_end], suggestion, "missing")


def _dedupe(flags: list[ToneFlag]) -> list[ToneFlag]:
    """Keep, per flag, the first of overlapping spans (the longest when they start together)."""
    flags.sort(key=lambda f: (f.start, -(f.end - f.start), f.flag))
    kept: list[ToneFlag] = []
    last_end: dict[str, int] = {}
    for item in flags:
        if item.end > item.start and item.start < last_end.get(item.flag, -1):
            continue
        kept.append(item)
        last_end[item.flag] = max(item.end, last_end.get(item.flag, -1))
    return kept


def check_tone(text: str, lang: str | None = None) -> ToneReport:
    """Return the tone problems of a draft reply, each with its span and a suggestion.

    `lang` is "fr" or "en"; any other value (or None) detects it. A draft in both
    languages is checked with both pattern files.
    """
    folded = fold(text)
    detected = lang if lang in LANGUAGES else detect_language(folded.text)[0]
    languages = LANGUAGES if detected == "mixed" else (detected,)
    draft = _Draft(text, folded, Sentences(folded.text))
    rules = [load_tone_rules(language) for language in languages]
    flags: list[ToneFlag] = []
    for rule_set in rules:
        for entry in rule_set.entries:
            if not entry.is_cue:
                flags.extend(_phrase_flags(entry, draft))
    for flag, kind in MISSING_FLAGS.items():
        cues = [e for rule_set in rules for e in rule_set.entries if e.kind == kind]
        if not _has_cue(cues, draft):
            suggestion = rules[0].missing[flag]
            opening = flag == "missing_acknowledgement"
            flags.append(_missing_flag(flag, suggestion, draft, opening))
    return ToneReport(lang=detected, flags=_dedupe(flags))
