"""Turn bytes of mail text into str whatever charset they claim, never raising.

Real mail declares charsets that are wrong (UTF-8 bytes labelled iso-8859-1), mangled
(`3Diso-8859-1` from a quoted-printable encoder run on the header), vendor names
(`ks_c_5601-1987`), placeholders (`default`, `x-unknown`) or nothing at all. `decode_text`
tries the declared charset, then detection by charset-normalizer, then windows-1252, and
writes one short note per guess into the caller's list of defects.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

# Names that mean "I don't know": decode by detection instead.
_UNKNOWN = frozenset(
    {
        "",
        "default",
        "unknown",
        "x-unknown",
        "unknown-8bit",
        "x-user-defined",
        "none",
        "charset",
        "8bit",
        "binary",
    }
)

# Map labels to the Python codec that decodes what senders really put behind them. Latin-1
# and ASCII become windows-1252 as in browsers (the WHATWG Encoding standard): senders that
# say iso-8859-1 use the 0x80-0x9F quotes and dashes of windows-1252. CJK labels become the
# Microsoft supersets that mail clients actually emit.
_ALIASES = {
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "ansi_x3.4-1968": "cp1252",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso_8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "cp819": "cp1252",
    "windows-1252": "cp1252",
    "iso-8859-9": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "ksc5601": "cp949",
    "ksc_5601": "cp949",
    "euc-kr": "cp949",
    "x-windows-949": "cp949",
    "chinesebig5": "big5hkscs",
    "gb2312_charset": "gb18030",
    "default_charset": "",
    "gb2312": "gb18030",
    "gb_2312-80": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "euc-cn": "gb18030",
    "cn-gb": "gb18030",
    "big5": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "x-sjis": "cp932",
    "sjis": "cp932",
    "ms_kanji": "cp932",
    "windows-31j": "cp932",
    "iso-2022-jp": "iso2022_jp_2",
    "unicode-1-1-utf-7": "utf-7",
    "utf8": "utf-8",
}

# Codecs Python knows that are not charsets of text a mail could carry.
_NOT_CHARSETS = frozenset(
    {"undefined", "unicode-escape", "raw-unicode-escape", "idna", "punycode", "mbcs", "oem"}
)

# windows-1252 leaves five bytes undefined, where Python's codec raises; keep them as the
# Latin-1 control characters so decoding never fails.
_CP1252_HIGH = {
    byte: bytes([byte]).decode("cp1252", errors="ignore") or chr(byte) for byte in range(0x80, 0xA0)
}
_CP1252_TABLE = str.maketrans({chr(byte): text for byte, text in _CP1252_HIGH.items()})

# Detection picks among the charsets mail is really written in; left free, it names DOS
# code pages (cp775, cp850) for short Latin text.
_MAIL_CHARSETS = [
    "utf_8", "cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257",
    "cp1258", "iso8859_2", "iso8859_5", "iso8859_7", "iso8859_15", "koi8_r", "koi8_u",
    "cp949", "euc_kr", "gb18030", "big5", "cp950", "cp932", "shift_jis", "euc_jp",
    "iso2022_jp", "cp874",
]  # fmt: skip
_ASCII_LABELS = frozenset({"us-ascii", "ascii", "ansi_x3.4-1968"})
_ISO2022_JP_ESCAPES = (b"\x1b$B", b"\x1b$@", b"\x1b(J", b"\x1b(I")
_TOKEN_END = re.compile(r"[\s;,\"'()]")
# A few replaced bytes in otherwise valid text are a transmission accident, not a wrong label.
_TOLERATED_ERROR_RATE = 0.005
# Detector scores closer than this are a tie. Its language model is weak on French: a
# French text scores 0.60 "coherence" as windows-1250 and 0.55 as windows-1252.
_CHAOS_TIE = 0.01
_COHERENCE_TIE = 0.1


def decode_cp1252(data: bytes) -> str:
    """Decode `data` as windows-1252, keeping its five undefined bytes as control characters."""
    return data.decode("latin-1").translate(_CP1252_TABLE)


def normalise_charset(label: str | None) -> str | None:
    """Return the Python codec for a declared charset label, or None when it is unknown."""
    if label is None:
        return None
    name = label.strip().strip("\"'").strip().lower()
    name = _TOKEN_END.split(name, maxsplit=1)[0]
    # `charset=3Diso-8859-1`: a quoted-printable encoder turned "=" into "=3D".
    if name.startswith("3d") and len(name) > 2:
        name = name[2:]
    if name in _UNKNOWN:
        return None
    if name in _ALIASES:
        return _ALIASES[name] or None
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    codec = info.name
    if not getattr(info, "_is_text_encoding", True) or codec in _NOT_CHARSETS:
        return None
    return _ALIASES.get(codec, codec)


def display_name(codec: str) -> str:
    """Return the name people know for a Python codec ("cp1252" -> "windows-1252")."""
    name = codecs.lookup(codec).name
    if re.fullmatch(r"cp125\d", name):
        return "windows-" + name[2:]
    return name


def decode_text(data: bytes, label: str | None, defects: list[str], where: str = "body") -> str:
    """Decode `data` declared as `label`; note in `defects` any guess it had to make."""
    if not data:
        return ""
    codec = normalise_charset(label)
    if codec in (None, "cp1252") and data.isascii():
        if any(escape in data for escape in _ISO2022_JP_ESCAPES):
            return _decode_lossy(data, "iso2022_jp_2")
        return data.decode("ascii")
    if codec in (None, "cp1252") and _is_utf8(data):
        # Valid multi-byte UTF-8 almost never happens by accident in 8-bit Latin text.
        if label is not None and label.strip():
            defects.append(_guess_note(where, label, codec, "utf-8"))
        return data.decode("utf-8")
    if codec == "cp1252" and (label or "").strip(" \"'").lower() in _ASCII_LABELS:
        # 8-bit bytes under a US-ASCII label: the label is a mailer's default, not a fact.
        read_as = _detect(data) or "cp1252"
        defects.append(
            f"{where}: declared {label!r} but has 8-bit bytes, read as {display_name(read_as)}"
        )
        return _decode_lossy(data, read_as)
    if codec is not None:
        text, replaced = _decode_declared(data, codec)
        if replaced:
            defects.append(f"{where}: {replaced} bytes invalid in charset {label!r}, replaced")
        if text is not None:
            return text
    guess = _detect(data)
    if guess is not None:
        defects.append(_guess_note(where, label, codec, f"{display_name(guess)} (detected)"))
        return _decode_lossy(data, guess)
    if codec is not None:
        # Undetectable, and the label at least fits most bytes (CJK text with a few
        # damaged bytes): the declared charset reads better than windows-1252.
        defects.append(f"{where}: bytes invalid in charset {label!r}, the invalid ones replaced")
        return _decode_lossy(data, codec)
    defects.append(_guess_note(where, label, codec, "windows-1252 (fallback)"))
    return decode_cp1252(data)


def _decode_declared(data: bytes, codec: str) -> tuple[str | None, int]:
    """Decode with the declared codec; return (text, bytes replaced), or (None, 0) when so
    many bytes are invalid that the label is clearly wrong."""
    if codec == "cp1252":
        return decode_cp1252(data), 0
    try:
        return data.decode(codec), 0
    except UnicodeDecodeError:
        pass
    except (LookupError, ValueError):
        return None, 0
    text = _decode_lossy(data, codec)
    replaced = text.count("\ufffd")
    if replaced <= max(3, len(data) * _TOLERATED_ERROR_RATE):
        return text, replaced
    return None, 0


def _decode_lossy(data: bytes, codec: str) -> str:
    """Decode with `codec`, replacing invalid bytes; fall back to windows-1252."""
    if codec == "cp1252":
        return decode_cp1252(data)
    try:
        return data.decode(codec, errors="replace")
    except (LookupError, ValueError):
        return decode_cp1252(data)


def _is_utf8(data: bytes) -> bool:
    """Tell whether `data` is valid UTF-8."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _detect(data: bytes) -> str | None:
    """Return the codec charset-normalizer believes in, or None."""
    try:
        matches = list(charset_normalizer.from_bytes(data, cp_isolation=_MAIL_CHARSETS))
    except Exception:  # a detector bug must not lose the mail
        return None
    if not matches:
        return None
    best = matches[0]
    for match in matches:
        # Short Latin text fits several code pages equally well (the detector then ranks
        # windows-1250 first); windows-1252 is by far the likeliest in our mail.
        tied = (
            match.chaos <= best.chaos + _CHAOS_TIE
            and match.coherence >= best.coherence - _COHERENCE_TIE
        )
        if match.encoding == "cp1252" and tied:
            best = match
            break
    codec = normalise_charset(best.encoding)
    if codec is None or codec.startswith("utf-16") or codec.startswith("utf-32"):
        # UTF-16/32 guesses on 8-bit mail text are detector noise.
        return None
    return codec


def _guess_note(where: str, label: str | None, codec: str | None, used: str) -> str:
    """Word the defect for a charset that had to be guessed."""
    if label is None or not label.strip():
        return f"{where}: no charset declared, decoded as {used}"
    if codec is None:
        return f"{where}: charset {label.strip()!r} unknown, decoded as {used}"
    if used == "utf-8":
        return f"{where}: declared {label.strip()!r} but the bytes are UTF-8"
    return f"{where}: bytes invalid in charset {label.strip()!r}, decoded as {used}"
