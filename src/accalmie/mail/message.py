"""Parse the bytes of one mail into a `ParsedMessage`, whatever state the mail is in.

The stdlib parser runs with the `compat32` policy: it never raises on malformed headers
(the `default` policy's header objects do, and recurse deeply on long encoded headers), and
it hands back the raw header strings, which `headers` decodes with its own tolerant rules.

Choices worth knowing:
- `text` joins every body text part in order; within multipart/alternative it takes the
  text/plain version and `html` the HTML one. Mail with only HTML gets its `text` from it.
- message/rfc822 parts go to `embedded` (not to `attachments`) down to 20 levels; deeper
  ones are kept as `.eml` attachments.
- Reports (message/delivery-status, message/disposition-notification,
  message/feedback-report) are read as text and appended to `text`: a bounce's reason is
  what a person needs to see. The returned headers (text/rfc822-headers) are attachments.
- message/partial and message/external-body fragments are kept as attachments.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32

from accalmie.mail import mime
from accalmie.mail.charsets import decode_text
from accalmie.mail.headers import (
    header_text,
    parse_addresses,
    parse_date,
    parse_msg_ids,
    raw_to_text,
)
from accalmie.mail.htmlbody import html_to_text, meta_charset, sanitize_html, too_deeply_nested
from accalmie.mail.quotes import split_reply

MAX_MESSAGE_DEPTH = 20
# MIME nesting inside one message; real mail stays under ten.
MAX_PART_DEPTH = 60
_REPORTS = frozenset(
    {"message/delivery-status", "message/disposition-notification", "message/feedback-report"}
)
_EMBEDDED = frozenset({"message/rfc822", "message/global"})
_BODY_TYPES = frozenset({"text/plain", "text/html"})
_HEADER_LINE = re.compile(rb"[!-9;-~]+[ \t]*:")
_MBOX_FROM = re.compile(rb"\A>?From [^\r\n]*\r?\n")
_LEADING_BLANKS = re.compile(rb"\A(?:[ \t]*\r?\n)+")
_KNOWN_HEADERS = frozenset(
    {
        "from", "to", "cc", "bcc", "subject", "date", "message-id", "received", "return-path",
        "mime-version", "content-type", "sender", "reply-to", "delivered-to", "in-reply-to",
        "references", "x-mailer", "content-transfer-encoding", "x-original-to", "envelope-to",
    }
)  # fmt: skip
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Address:
    """One mailbox of an address header."""

    name: str  # decoded display name, "" if none
    email: str  # lower-cased addr-spec, "" if unparseable


@dataclass
class Attachment:
    """One file carried by a mail, decoded."""

    filename: str  # decoded, no path; "attachment-1.bin" when the mail gives none
    content_type: str  # lower-case, e.g. "application/pdf"
    size: int  # decoded size in bytes
    sha256: str  # hex digest of `data`
    data: bytes  # decoded bytes
    inline: bool  # shown inside the mail (Content-Disposition inline, related images)


@dataclass
class ParsedMessage:
    """Everything the application keeps of one mail."""

    message_id: str  # "<abc@host>", "" if none
    in_reply_to: str  # first msg-id of In-Reply-To, "" if none
    references: list[str]  # msg-ids of References, in order
    subject: str  # decoded, whitespace folded
    date: datetime | None  # aware, UTC; None when missing or unparseable
    sender: Address | None  # first From address
    to: list[Address]
    cc: list[Address]
    reply_to: list[Address]
    text: str  # the whole body as readable text (text/plain, else derived from HTML)
    html: str  # the HTML body sanitised with nh3, "" when the mail has no HTML part
    new_text: str  # `text` without quoted history and signature
    quoted: str  # the quoted history removed from `text`
    signature: str  # the signature or mobile footer removed from `text`
    attachments: list[Attachment]
    embedded: list[ParsedMessage]  # message/rfc822 parts, parsed (depth-limited)
    defects: list[str]  # short notes on what had to be guessed or repaired
    content_hash: str  # sha256 hex of the raw bytes given to parse_message


class UnparseableMessage(ValueError):
    """Raised only when the bytes are not an email at all; `reason` says why in one sentence."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_message(raw: bytes) -> ParsedMessage:
    """Parse one mail's bytes; degrade and note defects rather than fail.

    Raise `UnparseableMessage` only when the bytes are clearly not a mail: empty or blank;
    NUL bytes in the header block (binary data); a first line, after an optional mbox
    "From " line and blank lines, that is not a `Name: value` header field; or a header
    block without any of the usual message fields (From, To, Subject, Date, Message-ID,
    Received, Content-Type, MIME-Version, ...). Anything past that check gives a result.
    """
    content_hash = hashlib.sha256(raw).hexdigest()
    defects: list[str] = []
    body = _strip_envelope(raw, defects)
    message, whole = _parse_bytes(body, defects)
    return _from_message(message, content_hash, defects, depth=0, whole=whole)


def _strip_envelope(raw: bytes, defects: list[str]) -> bytes:
    """Drop an mbox "From " line and leading blank lines; refuse what is not a mail."""
    if not raw.strip():
        raise UnparseableMessage("The data is empty.")
    body = raw
    if body.startswith(b"\xef\xbb\xbf"):
        # A UTF-8 byte order mark, left by a Windows editor that saved the .eml.
        body = body[3:]
        defects.append("byte order mark before the header, skipped")
    body = _MBOX_FROM.sub(b"", body, count=1)
    stripped = _LEADING_BLANKS.sub(b"", body, count=1)
    if len(stripped) != len(body):
        defects.append("blank lines before the header, skipped")
    head = re.split(rb"\r?\n\r?\n", stripped, maxsplit=1)[0]
    if b"\x00" in head:
        raise UnparseableMessage("The header block holds NUL bytes: this is binary data.")
    if not _HEADER_LINE.match(stripped):
        raise UnparseableMessage("The data does not start with a header field.")
    names = {
        match.group(0).rstrip(b": \t").lower().decode("ascii")
        for match in re.finditer(rb"^[!-9;-~]+[ \t]*:", head, re.M)
    }
    if not names & _KNOWN_HEADERS:
        raise UnparseableMessage("The header block has none of the fields of a mail.")
    return stripped


def _parse_bytes(data: bytes, defects: list[str]) -> tuple[Message, bool]:
    """Parse bytes into a Message; say False when only the headers could be parsed.

    The stdlib parser recurses once per nesting level and hits Python's recursion limit
    near 500 levels; such a mail keeps its headers and its body as one attachment.
    """
    parser = BytesParser(policy=compat32)
    try:
        return parser.parsebytes(data), True
    except RecursionError:
        defects.append("MIME structure nested too deeply to parse; body kept as an attachment")
        return parser.parsebytes(data, headersonly=True), False


@dataclass
class _Piece:
    """A stretch of body: plain text, HTML, or both versions of the same content."""

    plain: str | None = None
    html: str | None = None


@dataclass
class _Walk:
    """What walking one message's MIME tree gathers."""

    depth: int  # message/rfc822 nesting of the message being walked
    defects: list[str]
    attachments: list[Attachment] = field(default_factory=list)
    embedded: list[ParsedMessage] = field(default_factory=list)


def _from_message(
    message: Message, content_hash: str, defects: list[str], depth: int, whole: bool = True
) -> ParsedMessage:
    """Build a ParsedMessage from a parsed tree; each field degrades on its own."""
    walk = _Walk(depth=depth, defects=defects)
    pieces: list[_Piece] = []
    try:
        if whole:
            pieces = _walk_part(message, 0, walk)
        else:
            _keep_unparsed_body(message, walk)
    except Exception as error:  # a parser oddity in one part must not lose the mail
        defects.append(f"body partly unreadable ({type(error).__name__})")
    _note_parser_defects(message, defects)
    text = "\n\n".join(_piece_text(piece) for piece in pieces).strip("\n")
    html = _sanitized_html(pieces, defects)
    new_text, quoted, signature = _split(text, defects)
    get = _Headers(message, defects)
    senders = get.addresses("from")
    return ParsedMessage(
        message_id=get.first_id("message-id"),
        in_reply_to=get.first_id("in-reply-to"),
        references=get.ids("references"),
        subject=get.subject(),
        date=get.date(),
        sender=senders[0] if senders else None,
        to=get.addresses("to"),
        cc=get.addresses("cc"),
        reply_to=get.addresses("reply-to"),
        text=text,
        html=html,
        new_text=new_text,
        quoted=quoted,
        signature=signature,
        attachments=walk.attachments,
        embedded=walk.embedded,
        defects=defects,
        content_hash=content_hash,
    )


class _Headers:
    """Read the decoded header fields of one message, noting what had to be repaired."""

    def __init__(self, message: Message, defects: list[str]) -> None:
        self._defects = defects
        self._values: dict[str, list[str]] = {}
        for name, value in message.raw_items():
            self._values.setdefault(name.strip().lower(), []).append(str(value))

    def _all(self, name: str) -> list[str]:
        return self._values.get(name, [])

    def subject(self) -> str:
        """Return the decoded subject, "" when missing."""
        values = self._all("subject")
        try:
            return header_text(values[0], self._defects, "subject") if values else ""
        except Exception as error:
            self._defects.append(f"subject unreadable ({type(error).__name__})")
            return ""

    def addresses(self, name: str) -> list[Address]:
        """Return the addresses of every `name` header."""
        try:
            pairs = parse_addresses(self._all(name), self._defects, name)
        except Exception as error:
            self._defects.append(f"{name} unreadable ({type(error).__name__})")
            return []
        return [Address(name=display, email=email) for display, email in pairs]

    def date(self) -> datetime | None:
        """Return the Date as aware UTC, or None with a defect."""
        values = self._all("date")
        if not values:
            self._defects.append("date missing")
            return None
        try:
            return parse_date(values[0], self._defects)
        except Exception as error:
            self._defects.append(f"date unreadable ({type(error).__name__})")
            return None

    def ids(self, name: str) -> list[str]:
        """Return the msg-ids of every `name` header, in order."""
        ids: list[str] = []
        for value in self._all(name):
            try:
                ids += parse_msg_ids(raw_to_text(value, self._defects, name))
            except Exception as error:
                self._defects.append(f"{name} unreadable ({type(error).__name__})")
        return ids

    def first_id(self, name: str) -> str:
        """Return the first msg-id of a header, "" when none."""
        ids = self.ids(name)
        return ids[0] if ids else ""


def _note_parser_defects(message: Message, defects: list[str]) -> None:
    """Add what the stdlib parser noticed (missing boundaries, bad headers) once each."""
    seen: set[str] = set()
    stack = [message]
    while stack:
        part = stack.pop()
        for defect in getattr(part, "defects", []):
            name = type(defect).__name__.removesuffix("Defect")
            if name not in seen:
                seen.add(name)
                defects.append(f"parser: {name}")
        payload = mime.raw_payload(part)
        # Embedded messages note their own defects.
        if isinstance(payload, list) and mime.content_type(part) not in _EMBEDDED:
            stack.extend(payload)


def _walk_part(part: Message, level: int, walk: _Walk, related: bool = False) -> list[_Piece]:
    """Return the body pieces of a part; collect its attachments and embedded mail.

    `related` says the part belongs to a multipart/related: its files are the HTML's
    inline images even without a Content-Disposition.
    """
    media_type = mime.content_type(part)
    payload = mime.raw_payload(part)
    if level > MAX_PART_DEPTH:
        walk.defects.append(f"MIME parts nested deeper than {MAX_PART_DEPTH}, kept as is")
        _add_attachment(part, media_type, walk, mime.serialize(part))
        return []
    if media_type in _EMBEDDED:
        _embed(part, walk)
        return []
    if media_type in _REPORTS:
        return [_Piece(plain=_report_text(part, walk.defects))]
    if media_type.startswith("multipart/") and isinstance(payload, list):
        if media_type == "multipart/alternative":
            return _alternative(payload, level, walk)
        pieces: list[_Piece] = []
        for child in payload:
            pieces += _walk_child(child, level + 1, walk, media_type == "multipart/related")
        return pieces
    if isinstance(payload, list):  # another message/* subtype parsed as a sub-message
        _add_attachment(part, media_type, walk, mime.serialize(part))
        return []
    if media_type.startswith("multipart/"):
        repaired = mime.repaired_multipart(part)
        if repaired is not None:
            walk.defects.append(f"{media_type} boundary mismatch, repaired")
            rebuilt, _whole = _parse_bytes(repaired, walk.defects)
            if isinstance(mime.raw_payload(rebuilt), list):
                return _walk_part(rebuilt, level + 1, walk)
        walk.defects.append(f"{media_type} without a usable boundary, read as text")
        media_type = "text/plain"
    if media_type in _BODY_TYPES and _is_body(part):
        return _text_piece(part, media_type, walk.defects)
    _add_attachment(part, media_type, walk, inline=related)
    return []


def _walk_child(part: Message, level: int, walk: _Walk, related: bool = False) -> list[_Piece]:
    """Walk one sub-part; a part the stdlib cannot read is noted, its siblings still count."""
    try:
        return _walk_part(part, level, walk, related)
    except Exception as error:
        walk.defects.append(f"a part is unreadable ({type(error).__name__}), skipped")
        return []


def _is_body(part: Message) -> bool:
    """Tell whether a text part is part of the body rather than a text file attached."""
    return mime.disposition(part) != "attachment" and not mime.filename(part)


def _alternative(children: list[Message], level: int, walk: _Walk) -> list[_Piece]:
    """Merge the versions of multipart/alternative: the plain text and the last HTML."""
    versions = [pieces for child in children if (pieces := _walk_child(child, level + 1, walk))]
    if not versions:
        return []
    plain = next((pieces for pieces in versions if all(p.plain is not None for p in pieces)), None)
    rich = next(
        (pieces for pieces in reversed(versions) if any(p.html is not None for p in pieces)),
        None,
    )
    if plain is None and rich is None:
        return versions[0]
    return [
        _Piece(
            plain="\n\n".join(_piece_text(p) for p in plain) if plain else None,
            html=_pieces_html(rich) if rich else None,
        )
    ]


def _text_piece(part: Message, media_type: str, defects: list[str]) -> list[_Piece]:
    """Decode a body text part into a piece (empty parts give none)."""
    data = mime.payload_bytes(part, defects)
    charset = mime.param(part, "charset")
    if media_type == "text/html" and not charset:
        charset = meta_charset(data)
    text = decode_text(data, charset, defects, "body")
    text = _CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    if media_type == "text/html":
        if too_deeply_nested(text):
            defects.append("HTML nested absurdly deep, reduced to its text")
        return [_Piece(html=text)] if text.strip() else []
    if (mime.param(part, "format") or "").lower() == "flowed":
        text = mime.unflow(text, (mime.param(part, "delsp") or "").lower() == "yes")
    text = "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")
    return [_Piece(plain=text)] if text.strip() else []


def _report_text(part: Message, defects: list[str]) -> str:
    """Return the fields of a delivery or read report as readable lines."""
    payload = mime.raw_payload(part)
    if isinstance(payload, list):
        data = b"\n".join(mime.serialize(block) for block in payload)
    else:
        data = mime.payload_bytes(part, defects)
    text = decode_text(data, mime.param(part, "charset"), defects, "report")
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def _embed(part: Message, walk: _Walk) -> None:
    """Parse a message/rfc822 part into `embedded`, or keep it as a file past the limit."""
    payload = mime.raw_payload(part)
    inner: Message | None = payload[0] if isinstance(payload, list) and payload else None
    encoding = mime.transfer_encoding(part)
    if inner is None or encoding in ("base64", "quoted-printable"):
        # Illegal but seen: an encoded message/rfc822, which the parser read as headers.
        data = mime.payload_bytes(part, walk.defects)
        inner, whole = _parse_bytes(data, walk.defects) if data.strip() else (None, True)
        if not whole:
            _add_attachment(part, "message/rfc822", walk, data)
            return
    if inner is None:
        return
    data = mime.serialize(inner)
    if walk.depth + 1 > MAX_MESSAGE_DEPTH:
        walk.defects.append(f"message nested deeper than {MAX_MESSAGE_DEPTH} levels, kept as file")
        _add_attachment(part, "message/rfc822", walk, data)
        return
    digest = hashlib.sha256(data).hexdigest()
    walk.embedded.append(_from_message(inner, digest, [], depth=walk.depth + 1))


def _keep_unparsed_body(message: Message, walk: _Walk) -> None:
    """Keep the body of a message too deeply nested to parse as one attachment."""
    payload = mime.raw_payload(message)
    data = mime.to_bytes(payload) if isinstance(payload, str) else b""
    _add_attachment(message, mime.content_type(message), walk, data)


def _add_attachment(
    part: Message, media_type: str, walk: _Walk, data: bytes | None = None, inline: bool = False
) -> None:
    """Append a part to the attachments, with its decoded bytes and a safe name."""
    if data is None:
        data = mime.payload_bytes(part, walk.defects)
    number = len(walk.attachments) + 1
    disposition = mime.disposition(part)
    walk.attachments.append(
        Attachment(
            filename=mime.filename(part) or mime.made_up_filename(media_type, number),
            content_type=media_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            data=data,
            # No disposition but a Content-ID or a multipart/related parent: an image the
            # HTML shows.
            inline=disposition == "inline"
            or (not disposition and (inline or "content-id" in part)),
        )
    )


def _piece_text(piece: _Piece) -> str:
    """Return a piece as plain text, converting its HTML when it has no plain version."""
    if piece.plain is not None:
        return piece.plain
    return html_to_text(piece.html or "")


def _pieces_html(pieces: list[_Piece]) -> str:
    """Return pieces as one HTML document; plain pieces become preformatted text."""
    return "\n".join(
        p.html if p.html is not None else f"<pre>{html_lib.escape(p.plain or '')}</pre>"
        for p in pieces
    )


def _sanitized_html(pieces: list[_Piece], defects: list[str]) -> str:
    """Return the sanitised HTML of the body, "" when the mail has no HTML part."""
    if not any(piece.html is not None for piece in pieces):
        return ""
    try:
        return sanitize_html(_pieces_html(pieces))
    except Exception as error:
        defects.append(f"HTML could not be sanitised ({type(error).__name__}), dropped")
        return ""


def _split(text: str, defects: list[str]) -> tuple[str, str, str]:
    """Split the body into new text, quoted history and signature, or keep it whole."""
    try:
        return split_reply(text)
    except Exception as error:
        defects.append(f"reply could not be split ({type(error).__name__})")
        return text, "", ""
