"""Separate the new text of a reply from the quoted history and the signature.

Recognised, in French and English clients' formats:
- attribution lines, on one to three lines: "Le lun. 3 mars 2025 à 10:12, Marie <m@x.fr>
  a écrit :", "On Mon, Mar 3, 2025 at 10:12 AM Marie <m@x.fr> wrote:";
- Outlook header blocks ("De : / Envoyé : / À : / Objet :", "From: / Sent: / To: /
  Subject:", with "Date" variants), with or without a line of underscores above;
- separators: "-----Original Message-----", "-----Message d'origine-----",
  "---------- Forwarded message ---------", "-------- Message transféré --------",
  "Begin forwarded message:";
- lines quoted with ">", at the end or interleaved with the answer;
- signatures after "-- ", "--" or "__", and mobile footers ("Envoyé de mon iPhone").

Guards against cutting real content: an attribution line counts only when it carries a
date, a time or an address, or when quoted lines follow it; a header block needs several
header fields; a signature separator needs text above it and a short text below it; and
a body that would be cut away entirely is kept whole.
"""

from __future__ import annotations

import re

# Attributions are short; a longer line ending in "wrote:" is a sentence.
_MAX_ATTRIBUTION = 300
_MAX_ATTRIBUTION_LINES = 3
_MAX_SIGNATURE_LINES = 25
_MAX_FOOTER = 80
_HEADER_BLOCK_SPAN = 8

_ATTRIBUTION_START = re.compile(r"^\s*(?:On|Le|Am)\s", re.IGNORECASE)
_ATTRIBUTION_END = re.compile(r"(?:\bwrote|\ba\s+écrit|\bschrieb)\s*:\s*$", re.IGNORECASE)
_EVIDENCE = re.compile(r"\d|@")
_SEPARATOR = re.compile(
    r"^\s*[-_=*]{2,}\s*(?:original message|message d['’]origine|forwarded message"
    r"|message transf[ée]r[ée]|ursprüngliche nachricht)[\s\-_=*]*$"
    r"|^\s*(?:begin forwarded message|début du message (?:réexpédié|transféré))\s*:\s*$",
    re.IGNORECASE,
)
# Each part matches its own characters, so a long run of spaces cannot backtrack.
_FIELD = r"^\s*(?:\*+\s*)?(?:{names})\s*(?:\*+\s*)?:"
_FROM_FIELD = re.compile(_FIELD.format(names="from|de"), re.IGNORECASE)
_OTHER_FIELD = re.compile(
    _FIELD.format(names="sent|envoyé|date|to|à|a|cc|cci|bcc|subject|objet|reply-to|importance"),
    re.IGNORECASE,
)
_KEY_FIELD = re.compile(_FIELD.format(names="sent|envoyé|date|subject|objet"), re.IGNORECASE)
_RULE = re.compile(r"^\s*(?:_{5,}|-{5,})\s*$")
_QUOTED = re.compile(r"^\s*>")
_SIGNATURE_SEPARATOR = re.compile(r"^(?:-- ?|_{2,})\s*$")
_FOOTER = re.compile(
    r"^\s*(?:"
    r"(?:envoyé|envoye|expédié)\s+(?:de|depuis|à partir de|avec)\s+"
    r"(?:mon|ma|mes|l['’]|outlook|yahoo|gmail|mail|samsung)\b.*"
    r"|sent\s+(?:from|with|via|using)\s+(?:my|outlook|yahoo|gmail|mail|samsung|blackberry"
    r"|proton|protonmail)\b.*"
    r"|(?:get|download|obtenir|télécharger)\s+outlook\s+(?:for|pour)\s+(?:ios|android)\b.*"
    r")$",
    re.IGNORECASE,
)


def split_reply(text: str) -> tuple[str, str, str]:
    """Return (new_text, quoted, signature) of a plain-text mail body."""
    body = _Body(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    lines = body.lines
    cut, attribution_lines = _find_cut(body)
    new: list[str] = []
    quoted: list[str] = []
    in_quote = False
    for index, line in enumerate(lines[:cut]):
        if index in attribution_lines or _QUOTED.match(line) or _introduces(body, index, cut):
            if quoted and not in_quote:
                quoted.append("")  # keep separate quoted passages apart
            quoted.append(line)
            in_quote = True
        else:
            new.append(line)
            in_quote = in_quote and not line.strip()
    if cut < len(lines):
        quoted += ([""] if quoted else []) + lines[cut:]
    if not _tidy(new):
        return _tidy(lines), "", ""
    new, signature = _split_signature(new)
    return _tidy(new), _tidy(quoted), _tidy(signature)


class _Body:
    """The lines of a body, with what the rules ask about them computed once, backwards,
    so that no rule rescans the rest of the body (linear time on any input)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        count = len(lines)
        # Index of the first non-blank line at or after i (count if none).
        self.next_content = [count] * (count + 1)
        # Whether an unquoted answer follows a quoted line somewhere at or after i.
        self.interleaved = [False] * (count + 1)
        answer_below = False
        for index in range(count - 1, -1, -1):
            line = lines[index]
            blank = not line.strip()
            quoted = bool(_QUOTED.match(line))
            self.next_content[index] = self.next_content[index + 1] if blank else index
            self.interleaved[index] = self.interleaved[index + 1] or (quoted and answer_below)
            answer_below = answer_below or not (blank or quoted)

    def quote_follows(self, start: int, end: int | None = None) -> bool:
        """Tell whether the first non-blank line from `start` (before `end`) is quoted."""
        index = self.next_content[min(start, len(self.lines))]
        limit = len(self.lines) if end is None else end
        return index < limit and bool(_QUOTED.match(self.lines[index]))


def _find_cut(body: _Body) -> tuple[int, set[int]]:
    """Return where the quoted history starts (len(lines) if nowhere) and the indexes of
    attribution lines that head interleaved quotes (those stay in place)."""
    lines = body.lines
    interleaved: set[int] = set()
    index = 0
    while index < len(lines):
        line = lines[index]
        if _SEPARATOR.match(line):
            return index, interleaved
        if _FROM_FIELD.match(line) and _is_header_block(lines, index):
            return _rule_above(lines, index), interleaved
        span = _attribution_span(body, index)
        if span:
            after = index + span
            if not body.interleaved[after]:
                return index, interleaved
            interleaved.update(range(index, after))
            index = after
            continue
        index += 1
    return len(lines), interleaved


def _attribution_span(body: _Body, index: int) -> int:
    """Return how many lines the attribution starting at `index` covers (0 if none)."""
    lines = body.lines
    if not _ATTRIBUTION_START.match(lines[index]):
        return 0
    for span in range(1, _MAX_ATTRIBUTION_LINES + 1):
        if index + span > len(lines):
            return 0
        block = " ".join(line.strip() for line in lines[index : index + span])
        if len(block) > _MAX_ATTRIBUTION or (span > 1 and not lines[index + span - 1].strip()):
            return 0
        if _ATTRIBUTION_END.search(block):
            quote_follows = body.quote_follows(index + span)
            return span if quote_follows or _EVIDENCE.search(block) else 0
    return 0


def _introduces(body: _Body, index: int, cut: int) -> bool:
    """Tell whether a line like "Marie <m@x.fr> wrote:" heads a block of quoted lines."""
    line = body.lines[index]
    if len(line) > _MAX_ATTRIBUTION or not _ATTRIBUTION_END.search(line):
        return False
    return body.quote_follows(index + 1, cut)


def _is_header_block(lines: list[str], index: int) -> bool:
    """Tell whether a From/De line starts an Outlook block of quoted message headers."""
    following = [line for line in lines[index + 1 : index + _HEADER_BLOCK_SPAN] if line.strip()]
    fields = [line for line in following[:6] if _OTHER_FIELD.match(line)]
    return len(fields) >= 2 and any(_KEY_FIELD.match(line) for line in fields)


def _rule_above(lines: list[str], index: int) -> int:
    """Move the cut up to a line of underscores or dashes just above the header block."""
    above = index - 1
    while above >= 0 and not lines[above].strip():
        above -= 1
    return above if above >= 0 and _RULE.match(lines[above]) else index


def _split_signature(lines: list[str]) -> tuple[list[str], list[str]]:
    """Split the new text from its signature or mobile footer."""
    content_seen = False
    below = sum(1 for line in lines if line.strip())  # non-blank lines from here on
    for index, line in enumerate(lines):
        if line.strip():
            below -= 1
        is_separator = content_seen and bool(_SIGNATURE_SEPARATOR.match(line))
        if is_separator and 0 < below <= _MAX_SIGNATURE_LINES:
            return lines[:index], lines[index + 1 :]
        content_seen = content_seen or bool(line.strip())
    last = len(lines) - 1
    while last >= 0 and not lines[last].strip():
        last -= 1
    footer = lines[last] if last >= 0 else ""
    is_footer = len(footer.strip()) <= _MAX_FOOTER and bool(_FOOTER.match(footer))
    if last > 0 and is_footer and any(line.strip() for line in lines[:last]):
        return lines[:last], lines[last:]
    return lines, []


def _tidy(lines: list[str]) -> str:
    """Join lines without trailing spaces, outer whitespace or runs of blank lines."""
    out: list[str] = []
    for line in lines:
        line = line.rstrip()
        if not line and out and not out[-1]:
            continue
        out.append(line)
    return "\n".join(out).strip()
