"""Decode header values: RFC 2047 encoded words, addresses, dates and message ids.

Every function takes the raw (unfolded or not) value as the parser kept it and tolerates
what real senders produce: raw 8-bit bytes, encoded words with unknown charsets or broken
base64, multi-byte characters split across two encoded words, dates without a timezone.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from datetime import UTC, datetime
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from accalmie.mail.charsets import decode_text

_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?]*)\?=")
_WORD_MARK = re.compile("\ue000(\\d+)\ue001")
_QP_ESCAPE = re.compile(rb"=([0-9A-Fa-f]{2})")
_MSG_ID = re.compile(r"<([^<>]*)>")
_EMAIL = re.compile(r"[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+")
_ADDRESS_SEPARATORS = re.compile(r"[\s<>(),;:\"\[\]]+")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_NEWLINE = re.compile(r"\r\n|\r|\n")


def raw_to_text(value: str, defects: list[str], where: str) -> str:
    """Turn a raw header value (8-bit bytes kept as surrogates) into unfolded text."""
    try:
        data = value.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        text = value  # already real text, e.g. a header set by code
    else:
        text = decode_text(data, None, defects, where) if not data.isascii() else value
    return _NEWLINE.sub(" ", _FOLD.sub("", text))


def decode_words(text: str, defects: list[str], where: str) -> str:
    """Decode the RFC 2047 encoded words in `text`, tolerating malformed ones."""
    if "=?" not in text:
        return text
    out: list[str] = []
    # Consecutive words in one charset are joined as bytes before decoding: encoders split
    # a multi-byte character across two words more often than the RFC would like.
    run_charset: str | None = None
    run: list[bytes] = []
    position = 0

    def flush() -> None:
        nonlocal run_charset
        if run_charset is not None:
            out.append(decode_text(b"".join(run), run_charset, defects, where))
        run.clear()
        run_charset = None

    for match in _ENCODED_WORD.finditer(text):
        between = text[position : match.start()]
        # Whitespace between two encoded words is folding, not content (RFC 2047 §6.2).
        if between and not (run_charset is not None and between.isspace()):
            flush()
            out.append(between)
        charset = match.group(1).split("*", 1)[0]
        data = _decode_word(match.group(2).lower(), match.group(3), defects, where)
        if run_charset is not None and charset.lower() != run_charset.lower():
            flush()
        run_charset = charset
        run.append(data)
        position = match.end()
    flush()
    out.append(text[position:])
    return "".join(out)


def _decode_word(encoding: str, payload: str, defects: list[str], where: str) -> bytes:
    """Return the bytes of one encoded word's payload."""
    data = payload.encode("ascii", "surrogateescape")
    if encoding == "q":
        return _QP_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data.replace(b"_", b" "))
    decoded, repaired = decode_base64(data)
    if repaired:
        defects.append(f"{where}: malformed base64 in an encoded word, repaired")
    return decoded


def decode_base64(data: bytes) -> tuple[bytes, bool]:
    """Decode base64 whatever its padding or stray characters; say whether it needed repair."""
    stripped = re.sub(rb"\s", b"", data)
    clean = re.sub(rb"[^A-Za-z0-9+/]", b"", stripped)
    repaired = len(stripped) % 4 != 0 or len(clean) != len(stripped.rstrip(b"="))
    if len(clean) % 4 == 1:
        clean = clean[:-1]  # a lone trailing sextet holds no whole byte
    try:
        return base64.b64decode(clean + b"=" * (-len(clean) % 4)), repaired
    except (binascii.Error, ValueError):
        return b"", True


def header_text(value: str, defects: list[str], where: str) -> str:
    """Decode an unstructured header (Subject): encoded words, folded whitespace."""
    text = decode_words(raw_to_text(value, defects, where), defects, where)
    return " ".join(_drop_controls(text).split())


def _drop_controls(text: str) -> str:
    """Remove control characters, which never belong in a header's text."""
    return "".join(c if unicodedata.category(c) != "Cc" else " " for c in text)


def parse_addresses(values: list[str], defects: list[str], where: str) -> list[tuple[str, str]]:
    """Return (display name, lower-cased email or "") pairs for address header values."""
    words: list[str] = []

    def hide(match: re.Match[str]) -> str:
        words.append(match.group(0))
        return f"\ue000{len(words) - 1}\ue001"

    # Encoded words hide ":" "," "<" from the address parser, which would read them as
    # groups or separators (and recurse once per ":"); they only belong in display names.
    texts = [_ENCODED_WORD.sub(hide, raw_to_text(value, defects, where)) for value in values]
    try:
        parsed = getaddresses(texts)
    except RecursionError:
        defects.append(f"{where}: too convoluted to parse, kept the bare addresses")
        tokens = _ADDRESS_SEPARATORS.split(" ".join(texts))
        parsed = [("", token) for token in tokens if _EMAIL.fullmatch(token)]
    pairs: list[tuple[str, str]] = []
    for hidden_name, hidden_addr in parsed:
        name = _WORD_MARK.sub(lambda m: words[int(m.group(1))], hidden_name)
        addr = _WORD_MARK.sub(lambda m: words[int(m.group(1))], hidden_addr)
        if "=?" in addr:
            # The whole `Name <addr>` was put inside one encoded word: decode, then re-parse.
            decoded = decode_words(addr, defects, where)
            inner_name, inner_addr = parseaddr(decoded)
            name, addr = (inner_name, inner_addr) if "@" in inner_addr else (decoded, "")
        name = " ".join(_drop_controls(decode_words(name, defects, where)).split())
        name = name.strip("\"' ")
        addr = addr.strip()
        if not _EMAIL.fullmatch(addr):
            # `Big Bug bb@bug.com`, without angle brackets: the parser takes it all as addr.
            # Tokens, not a regex search, which is quadratic on a long token without "@".
            tokens = _ADDRESS_SEPARATORS.split(addr)
            found = next((token for token in tokens if _EMAIL.fullmatch(token)), "")
            name = name or " ".join(addr.replace(found, " ", 1).split() if found else addr.split())
            addr = found
        addr = addr.lower()
        if name or addr:
            pairs.append((name, addr))
    return pairs


def parse_date(value: str, defects: list[str]) -> datetime | None:
    """Return the date of a Date header as an aware UTC datetime, or None."""
    text = " ".join(raw_to_text(value, defects, "date").split())
    if not text:
        defects.append("date empty")
        return None
    # A leap second (":60") is valid in a Date header but not in a datetime.
    text = re.sub(r"(\d:\d\d):60\b", r"\1:59", text)
    try:
        parsed = parsedate_to_datetime(text)
    except (ValueError, TypeError, IndexError, OverflowError):
        return _parse_iso_date(text, defects)
    if parsed.tzinfo is None:
        # RFC 5322's "-0000" and a missing zone both mean "local time, zone unknown".
        defects.append(f"date without timezone, taken as UTC: {text!r}")
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        defects.append(f"date unparseable: {text[:100]!r}")
        return None


def _parse_iso_date(text: str, defects: list[str]) -> datetime | None:
    """Accept an ISO 8601 date, which some broken mailers write; else note the garbage."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        defects.append(f"date unparseable: {text[:100]!r}")
        return None
    if parsed.tzinfo is None:
        defects.append(f"date without timezone, taken as UTC: {text!r}")
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        defects.append(f"date unparseable: {text!r}")
        return None


def parse_msg_ids(value: str) -> list[str]:
    """Return the `<id>` tokens of a Message-ID, In-Reply-To or References value."""
    ids = ["<" + "".join(inner.split()) + ">" for inner in _MSG_ID.findall(value)]
    ids = [msg_id for msg_id in ids if msg_id != "<>"]
    if ids:
        return ids
    # No angle brackets: some mailers write bare ids; keep those that look like one.
    return [f"<{token}>" for token in re.split(r"[\s,]+", value) if "@" in token]
