"""Low-level helpers on parsed MIME parts: payload bytes, filenames, flowed text, bytes.

They work on `email.message.Message` objects from the compat32 parser, whose header
values are the raw strings of the mail (8-bit bytes kept as surrogates).
"""

from __future__ import annotations

import binascii
import mimetypes
import re
from email.message import Message

from accalmie.mail.charsets import decode_text
from accalmie.mail.headers import decode_base64, decode_words, raw_to_text

_IDENTITY_ENCODINGS = frozenset(
    {"", "7bit", "8bit", "binary", "7-bit", "8-bit", "plain", "none", "text", "text/plain"}
)
_UU_ENCODINGS = frozenset({"x-uuencode", "uuencode", "uue", "x-uue"})
_UU_BEGIN = re.compile(rb"^begin(?:-base64)?[ \t]+[0-7]{3,4}[ \t]+([^\r\n]*)", re.M)
# A delimiter line followed by a header field: `--boundary` then `Content-Type: ...`.
_DELIMITER = re.compile(rb"^--([^\r\n]{1,200})\r?\n(?=[!-9;-~]+[ \t]*:)", re.M)
_UNSAFE_FILENAME = re.compile(r"[\x00-\x1f\x7f/\\]")
_MAX_FILENAME = 200
# Built from Python's own table, not the machine's /etc/mime.types: same names everywhere.
_TYPES = mimetypes.MimeTypes()
_PREFERRED_EXTENSIONS = {"text/plain": ".txt", "image/jpeg": ".jpg", "message/rfc822": ".eml"}


def param(part: Message, name: str, header: str = "content-type") -> str | None:
    """Return a header parameter decoded (RFC 2231 and RFC 2047), or None."""
    raw = next((str(v) for k, v in part.raw_items() if k.strip().lower() == header), None)
    if raw is None:
        return None
    defects: list[str] = []
    # The stdlib reads parameters well (RFC 2231 continuations) but not 8-bit bytes: give
    # it the header already decoded to text, on a scratch message.
    probe = Message()
    probe[header] = raw_to_text(raw, defects, "parameter")
    try:
        value = probe.get_param(name, header=header)
    except Exception:  # the parameter parser is old and brittle on garbage
        return None
    if isinstance(value, tuple):
        charset, _language, text = value
        # RFC 2231: percent-decoded as Latin-1 by the parser; back to bytes, then decode.
        data = text.encode("latin-1", "replace")
        return decode_text(data, charset or None, defects, "parameter")
    if not isinstance(value, str):
        return None
    return decode_words(value.strip().strip('"'), defects, "parameter")


def content_type(part: Message) -> str:
    """Return the part's lower-case media type, "text/plain" when missing or invalid."""
    try:
        return part.get_content_type().strip().lower()
    except Exception:
        return "text/plain"


def disposition(part: Message) -> str:
    """Return "inline", "attachment" or "" from the Content-Disposition header."""
    value = str(part.get("content-disposition", "") or "")
    token = value.split(";", 1)[0].strip().lower()
    return token if token in ("inline", "attachment") else ("attachment" if token else "")


def transfer_encoding(part: Message) -> str:
    """Return the normalised Content-Transfer-Encoding ("quoted printable;" -> ...)."""
    value = str(part.get("content-transfer-encoding", "") or "")
    token = value.split(";", 1)[0].strip().strip("\"'").lower()
    return re.sub(r"[\s_]+", "-", token)


def raw_payload(part: Message) -> list[Message] | str:
    """Return the payload as parsed: sub-parts, or the body with 8-bit bytes as surrogates.

    Not `get_payload()`: on 8-bit text it re-decodes the body with the declared charset and
    replaces what does not fit, and the original bytes are lost.
    """
    payload = getattr(part, "_payload", None)
    if isinstance(payload, list):
        return [child for child in payload if isinstance(child, Message)]
    return payload if isinstance(payload, str) else str(payload or "")


def payload_bytes(part: Message, defects: list[str]) -> bytes:
    """Return the decoded bytes of a leaf part, whatever its transfer encoding."""
    payload = raw_payload(part)
    if isinstance(payload, list):
        return b"".join(serialize(child) for child in payload)
    raw = to_bytes(payload)
    encoding = transfer_encoding(part)
    if encoding == "base64":
        data, repaired = decode_base64(raw)
        if repaired:
            defects.append("body: malformed base64, repaired")
        return data
    if encoding in ("quoted-printable", "qp"):
        return binascii.a2b_qp(raw)
    if encoding in _UU_ENCODINGS:
        return decode_uu(raw)
    if encoding not in _IDENTITY_ENCODINGS:
        defects.append(f"body: unknown Content-Transfer-Encoding {encoding[:40]!r}, kept as is")
    return raw


def to_bytes(text: str) -> bytes:
    """Return the original bytes of a payload the parser kept as a surrogate-escaped str."""
    try:
        return text.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape")


def decode_uu(raw: bytes) -> bytes:
    """Decode a uuencoded block, tolerating the bad line lengths some encoders write."""
    begin = _UU_BEGIN.search(raw)
    lines = raw[begin.end() :].splitlines() if begin else raw.splitlines()
    out: list[bytes] = []
    for line in lines:
        if line.strip() in (b"end", b"`") or not line.strip():
            if line.strip() == b"end":
                break
            continue
        try:
            out.append(binascii.a2b_uu(line))
        except binascii.Error:
            # The `uu` module's workaround: trust the length byte, drop the padding junk.
            length = (((line[0] - 32) & 63) * 4 + 5) // 3
            try:
                out.append(binascii.a2b_uu(line[:length]))
            except binascii.Error:
                continue
    return b"".join(out)


def uu_filename(part: Message) -> str | None:
    """Return the file name of a uuencoded part's `begin` line, if any."""
    payload = raw_payload(part)
    if not isinstance(payload, str):
        return None
    match = _UU_BEGIN.search(to_bytes(payload))
    return match.group(1).strip().decode("utf-8", "replace") if match else None


def filename(part: Message) -> str:
    """Return the part's declared file name, decoded and made safe, or ""."""
    name = param(part, "filename", "content-disposition") or param(part, "name") or ""
    if not name and transfer_encoding(part) in _UU_ENCODINGS:
        name = uu_filename(part) or ""
    return safe_filename(name)


def safe_filename(name: str) -> str:
    """Keep only the last path component, without control characters, of a sane length."""
    name = re.split(r"[/\\]", name.strip())[-1]
    name = " ".join(_UNSAFE_FILENAME.sub("", name).split()).strip(". ")
    if len(name) > _MAX_FILENAME:
        stem, dot, extension = name.rpartition(".")
        extension = extension[:20] if dot and stem else ""
        name = name[: _MAX_FILENAME - len(extension) - 1] + ("." + extension if extension else "")
    return name


def made_up_filename(media_type: str, number: int) -> str:
    """Return a name like "attachment-1.bin" for a part that has none."""
    extension = _PREFERRED_EXTENSIONS.get(media_type) or _TYPES.guess_extension(media_type)
    if not extension:
        extension = ".txt" if media_type.startswith("text/") else ".bin"
    return f"attachment-{number}{extension}"


def unflow(text: str, delsp: bool) -> str:
    """Join the soft-broken lines of format=flowed text (RFC 3676)."""
    out: list[str] = []
    pending: str | None = None
    pending_depth = 0
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        if content.startswith(" "):
            content = content[1:]  # space-stuffing
        prefix = ">" * depth + (" " if depth else "")
        if pending is not None and depth != pending_depth:
            out.append(pending)
            pending = None
        flowed = content.endswith(" ") and content != "-- "
        if flowed and delsp:
            content = content[:-1]
        joined = (pending or prefix) + content
        if flowed:
            pending, pending_depth = joined, depth
        else:
            out.append(joined)
            pending = None
    if pending is not None:
        out.append(pending)
    return "\n".join(out)


def repaired_multipart(part: Message) -> bytes | None:
    """Return a multipart part rebuilt with the boundary its body really uses, or None.

    Senders get the boundary wrong in two ways seen in the wild: a parameter that differs
    from the body's delimiter lines by whitespace, and no boundary parameter at all.
    """
    payload = raw_payload(part)
    body = to_bytes(payload) if isinstance(payload, str) else b""
    declared = part.get_boundary()
    wanted = re.sub(r"\s", "", declared or "")
    for match in _DELIMITER.finditer(body):
        candidate = match.group(1).decode("ascii", "replace").rstrip()
        squeezed = re.sub(r"\s", "", candidate)
        if declared is None or squeezed in (wanted, wanted + "--"):
            if squeezed == wanted + "--":
                candidate = candidate[:-2].rstrip()
            if not candidate or '"' in candidate or candidate == declared:
                return None
            header = f'Content-Type: {content_type(part)}; boundary="{candidate}"\n\n'
            return header.encode("ascii", "replace") + body
    return None


def serialize(root: Message) -> bytes:
    """Return the bytes of a parsed part, walking the tree without recursion."""
    out: list[bytes] = []
    stack: list[Message | bytes] = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, bytes):
            out.append(item)
            continue
        for name, value in item.raw_items():
            out.append(to_bytes(f"{name}: {value}").rstrip(b"\r\n") + b"\n")
        out.append(b"\n")
        payload = raw_payload(item)
        if not isinstance(payload, list):
            out.append(to_bytes(payload))
            continue
        boundary = item.get_boundary()
        children = payload
        sequence: list[Message | bytes] = []
        if boundary is None:  # message/rfc822 or the header blocks of delivery-status
            for index, child in enumerate(children):
                sequence += [b"\n", child] if index else [child]
        else:
            delimiter = to_bytes(f"\n--{boundary}\n")
            sequence.append(to_bytes(item.preamble or ""))
            for child in children:
                sequence += [delimiter, child]
            sequence.append(to_bytes(f"\n--{boundary}--\n{item.epilogue or ''}"))
        stack.extend(reversed(sequence))
    return b"".join(out)
