"""Read messages one at a time from .eml files, an mbox or a Maildir, resumably.

Every source yields `SourceMessage`s in a stable order and holds one message in memory at a
time, never the whole source. Each message carries a `position`: an import stopped after it
goes on with `iter_messages(start=position)` and gets exactly the messages a full read would
have given next, as long as the source itself has not changed in between.

How an mbox is split (there is no single mbox format; these rules read mboxo, mboxrd, mboxcl
and the files of writers that forgot the empty line before an envelope):

1. A message starts with an envelope line, "From <sender> <date>" (the "From_" line), which is
   not part of the message. The first one is at the position resumed from, or at the start of
   the file after an optional UTF-8 byte-order mark and empty lines. If the file starts with a
   header line instead, those bytes are a first message without an envelope (its key is the
   offset of that line); if it starts with anything else, it is not an mbox.
2. Further on, a line starting with "From " starts a message only if it looks like an envelope:
   after the sender comes nothing, or a date (the line ends with date words holding a time, a
   month name and a four-digit year, e.g. "Mon Jun  3 12:50:27 1996", optionally followed by
   the UUCP "remote from host"). A "From " line with any other tail never splits: "From here on
   we...", "From Russia with love". An envelope-shaped line splits when an empty line precedes
   it and it has a date; otherwise (no date, or no empty line before it) it splits only if the
   next line is a header field ("Name: value"), as real envelopes are always followed by one.
3. A `Content-Length:` header (Solaris/Netscape mboxcl) is obeyed when it is exact: the body it
   measures ends at the end of the file, or just before a line ending and a "From " line. The
   body is then taken as it is, "From " lines included, with no unquoting (that variant does
   not quote). A value that does not land on such a boundary is ignored, and rules 1-2 apply.
4. Quoting: every line matching ">From ", ">>From "... loses one ">". That is exact for
   mboxrd. For mboxo, which quotes "From " but leaves an original ">From " as it is, the two
   cannot be told apart: a line that was ">From " comes back as "From ". We accept losing one
   ">" of such a rare line rather than leave every mboxrd file with visible ">From " lines.
5. The empty line before the next envelope (or at the end of the file) is the writer's
   separator: it is dropped. Line endings are kept as they are, so CRLF files read the same.
   A message with nothing but blank lines after its envelope is skipped.
"""

from __future__ import annotations

import itertools
import os
import re
import stat
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol


@dataclass(frozen=True)
class SourceMessage:
    """One message read from a source, with where to resume after it."""

    key: str  # stable identity inside the source (relative path, "mbox:<offset>", "maildir:...")
    raw: bytes  # the message bytes exactly
    position: int  # pass as `start` to `iter_messages` to continue after this message
    size: int  # len(raw)


class SourceError(Exception):
    """The source cannot be read at all (missing path, not an mbox, permission)."""


class MessageSource(Protocol):
    """Where messages come from: an .eml file or folder, an mbox, a Maildir."""

    label: str  # human-readable description, e.g. "mbox /path/file (812 MB)"
    total_bytes: int  # for progress bars

    def bytes_before(self, position: int) -> int:
        """Return the bytes already consumed at a resume `position`."""
        ...

    def iter_messages(self, start: int = 0) -> Iterator[SourceMessage]:
        """Yield the messages from `start` (0, or a `position` given earlier) on."""
        ...


def open_source(kind: str, path: str | Path) -> MessageSource:
    """Open the source of `kind` ("eml", "mbox" or "maildir") at `path`."""
    kinds: dict[str, type[EmlSource] | type[MboxSource] | type[MaildirSource]] = {
        "eml": EmlSource,
        "mbox": MboxSource,
        "maildir": MaildirSource,
    }
    if kind not in kinds:
        raise SourceError(f"unknown source kind {kind!r}: expected eml, mbox or maildir")
    return kinds[kind](path)


# --- files one by one: .eml and Maildir ---------------------------------------------------


@dataclass(frozen=True)
class _File:
    key: str
    path: Path
    size: int


class _FileListSource:
    """Read a fixed, sorted list of files, one message each; position = index of the next."""

    label: str
    total_bytes: int

    def __init__(self, files: list[_File]) -> None:
        self._files = files
        # Cumulative sizes make bytes_before O(1) for any position.
        self._before = [0, *itertools.accumulate(f.size for f in files)]
        self.total_bytes = self._before[-1]

    def bytes_before(self, position: int) -> int:
        """Return the total size of the files before index `position`."""
        return self._before[_check_start(position, len(self._files))]

    def iter_messages(self, start: int = 0) -> Iterator[SourceMessage]:
        """Yield each file's bytes from index `start` on."""
        for index in range(_check_start(start, len(self._files)), len(self._files)):
            file = self._files[index]
            raw = _read_file(file.path)
            yield SourceMessage(key=file.key, raw=raw, position=index + 1, size=len(raw))


class EmlSource(_FileListSource):
    """A single .eml file, or a folder read recursively in order of relative path.

    Every regular file counts, whatever its name, except names starting with "." (at any
    depth, folders included): guessing mail by extension would drop real exports. Symbolic
    links are not followed, so the import never reads outside the folder it was given.
    """

    def __init__(self, path: str | Path) -> None:
        root = Path(path)
        info = _stat(root, "eml source")
        if stat.S_ISREG(info.st_mode):
            files = [_File(root.name, root, info.st_size)]
            what = "eml"
        elif stat.S_ISDIR(info.st_mode):
            found = (_File(rel, full, size) for rel, full, size in _walk_files(root))
            files = sorted(found, key=lambda f: f.key)
            what = "eml folder"
        else:
            raise SourceError(f"eml source is neither a file nor a folder: {root}")
        super().__init__(files)
        self.label = f"{what} {root} ({_count(len(files), 'file')}, {_human(self.total_bytes)})"


class MaildirSource(_FileListSource):
    """A Maildir, or a folder holding several (Maildir++ ".Folder" subfolders, nested ones).

    A Maildir is any folder with a cur/ or new/ subfolder; tmp/ holds deliveries in progress
    and is never read. Messages are ordered by folder, then by base name (the file name without
    its ":2,flags" info), so a message keeps its key and its place when a mail client marks it
    read, renaming it and moving it from new/ to cur/. The folder given is named "." in keys.
    """

    def __init__(self, path: str | Path) -> None:
        root = Path(path)
        info = _stat(root, "Maildir")
        if not stat.S_ISDIR(info.st_mode):
            raise SourceError(f"Maildir is not a folder: {root}")
        found: list[tuple[str, str, _File]] = []
        folders = set()
        for folder, directory in _maildirs(root):
            folders.add(folder)
            for sub in ("cur", "new"):
                for name, full, size in _list_files(directory / sub):
                    base = _MAILDIR_INFO.sub("", name)
                    found.append((folder, name, _File(f"maildir:{folder}/{base}", full, size)))
        if not folders:
            raise SourceError(f"no Maildir (a folder with cur/ or new/) found in {root}")
        found.sort(key=lambda item: (item[0], item[2].key, item[1]))
        super().__init__([file for _, _, file in found])
        self.label = (
            f"Maildir {root} ({_count(len(folders), 'folder')}, "
            f"{_count(len(found), 'message')}, {_human(self.total_bytes)})"
        )


# Maildir "info" after the unique name: ":2,FLAGS" (or "!2,", ";2," where ":" is not allowed).
_MAILDIR_INFO = re.compile(r"[:!;]2,[^/]*$")


def _maildirs(root: Path) -> Iterator[tuple[str, Path]]:
    """Yield (folder name, path) of every Maildir at or below `root`."""
    for dirpath, dirnames, _ in os.walk(root, onerror=_walk_error):
        if "cur" in dirnames or "new" in dirnames:
            rel = Path(dirpath).relative_to(root).as_posix()
            yield rel, Path(dirpath)
            # Messages live in cur/new; tmp/ is unfinished deliveries.
            dirnames[:] = [d for d in dirnames if d not in ("cur", "new", "tmp")]


def _walk_files(root: Path) -> Iterator[tuple[str, Path, int]]:
    """Yield (relative posix path, path, size) of every non-hidden regular file below `root`."""
    for dirpath, dirnames, _ in os.walk(root, onerror=_walk_error):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for _, full, size in _list_files(Path(dirpath)):
            yield full.relative_to(root).as_posix(), full, size


def _list_files(directory: Path) -> Iterator[tuple[str, Path, int]]:
    """Yield (name, path, size) of the regular, non-hidden files directly in `directory`."""
    try:
        entries = list(os.scandir(directory))
    except FileNotFoundError:
        return  # a Maildir may lack cur/ or new/
    except OSError as err:
        raise SourceError(f"cannot list {directory}: {err.strerror}") from err
    for entry in entries:
        if entry.name.startswith(".") or not entry.is_file(follow_symlinks=False):
            continue
        yield entry.name, Path(entry.path), entry.stat(follow_symlinks=False).st_size


def _walk_error(err: OSError) -> None:
    # os.walk skips unreadable folders silently by default: that would lose mail unnoticed.
    raise SourceError(f"cannot list {err.filename}: {err.strerror}") from err


def _read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as err:
        raise SourceError(f"cannot read {path}: {err.strerror}") from err


# --- mbox -------------------------------------------------------------------------------


class MboxSource:
    """An mbox file, streamed; position = byte offset of the next message's envelope line."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        info = _stat(self.path, "mbox")
        if stat.S_ISDIR(info.st_mode):
            raise SourceError(f"mbox is a folder, not a file: {self.path} (a Maildir?)")
        self.total_bytes = info.st_size
        self.label = f"mbox {self.path} ({_human(self.total_bytes)})"
        with self._open() as file:
            self._first, self._headerless = self._find_first(file)

    def bytes_before(self, position: int) -> int:
        """Return `position`: the offset is the count of bytes consumed."""
        return _check_start(position, self.total_bytes)

    def iter_messages(self, start: int = 0) -> Iterator[SourceMessage]:
        """Yield the messages whose envelope is at offset `start` or after."""
        _check_start(start, self.total_bytes)
        headerless = start == 0 and self._headerless
        start = start or self._first
        with self._open() as file:
            lines = _Lines(file, start)
            if start < self.total_bytes and not (headerless or lines.peek().startswith(b"From ")):
                raise ValueError(f"position {start} is not the start of a message in {self.path}")
            while lines.peek():
                key = f"mbox:{lines.pos}"
                if not headerless:
                    lines.readline()  # the envelope, not part of the message
                headerless = False
                raw = self._read_message(lines)
                if raw.strip():
                    yield SourceMessage(key=key, raw=raw, position=lines.pos, size=len(raw))

    def _open(self) -> BinaryIO:
        try:
            return open(self.path, "rb", buffering=1 << 16)
        except OSError as err:
            raise SourceError(f"cannot read mbox {self.path}: {err.strerror}") from err

    def _find_first(self, file: BinaryIO) -> tuple[int, bool]:
        """Return the offset of the first message and whether it lacks an envelope."""
        offset = 3 if file.read(3) == b"\xef\xbb\xbf" else 0
        file.seek(offset)
        while True:
            # Bounded read: a binary file may have no line ending for megabytes.
            line = file.readline(4096)
            if not line.strip():
                if not line:
                    return offset, False  # empty mbox: no messages
                offset += len(line)
                continue
            if line.startswith(b"From "):
                return offset, False
            if _HEADER.match(line) and b"\0" not in line:
                return offset, True
            raise SourceError(
                f"not an mbox: {self.path} starts with neither a 'From ' line nor a mail header"
            )

    def _read_message(self, lines: _Lines) -> bytes:
        """Read one message after its envelope; leave `lines` at the next envelope."""
        out = bytearray()
        in_headers = True
        content_length: int | None = None
        blank = b""  # the previous line, if it was empty
        while line := lines.readline():
            if line.startswith(b"From ") and _starts_message(line, bool(blank), lines.peek()):
                lines.unread(line)
                break
            blank = line if line in (b"\n", b"\r\n") else b""
            if in_headers and blank:
                in_headers = False
                if content_length is not None:
                    body = self._measured_body(lines, content_length)
                    if body is not None:
                        out += line
                        out += body
                        return bytes(out)
            elif in_headers and (match := _CONTENT_LENGTH.match(line)):
                content_length = int(match[1])
            out += line[1:] if line.startswith(b">") and _QUOTED_FROM.match(line) else line
        if blank:
            del out[-len(blank) :]  # the writer's separator before the next envelope
        return bytes(out)

    def _measured_body(self, lines: _Lines, length: int) -> bytes | None:
        """Return the `length` body bytes at `lines.pos` if they end on a message boundary."""
        start = lines.pos
        end = start + length
        if end > self.total_bytes:
            return None
        lines.seek(end)
        after = lines.file.read(7)
        if after.startswith(b"\nFrom ") or after == b"\r\nFrom ":
            next_start = end + after.index(b"F")
        elif after in (b"", b"\n", b"\r\n"):
            next_start = self.total_bytes
        else:
            lines.seek(start)
            return None
        lines.seek(start)
        body = lines.file.read(length)
        lines.seek(next_start)
        return body


class _Lines:
    """Read a binary file line by line, with look-ahead, knowing the offset of the next line."""

    def __init__(self, file: BinaryIO, pos: int) -> None:
        self.file = file
        self.pos = pos  # offset of the next line readline() returns
        self._ahead: deque[bytes] = deque()
        file.seek(pos)

    def readline(self) -> bytes:
        line = self._ahead.popleft() if self._ahead else self.file.readline()
        self.pos += len(line)
        return line

    def peek(self) -> bytes:
        """Return the next line without consuming it."""
        if not self._ahead:
            self._ahead.append(self.file.readline())
        return self._ahead[0]

    def unread(self, line: bytes) -> None:
        self._ahead.appendleft(line)
        self.pos -= len(line)

    def seek(self, pos: int) -> None:
        self.file.seek(pos)
        self._ahead.clear()
        self.pos = pos


_HEADER = re.compile(rb"[!-9;-~]+:")  # a header field name: printable ASCII but ":"
_QUOTED_FROM = re.compile(rb">+From ")
_CONTENT_LENGTH = re.compile(rb"(?i)content-length:[ \t]*(\d+)[ \t]*\r?\n")
_DATE_WORDS = {
    "time": re.compile(rb"\d{1,2}:\d\d(:\d\d)?"),
    "month": re.compile(rb"(?i)(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?"),
    "year": re.compile(rb"(19|20)\d\d,?"),
    # Weekday, day of month, numeric or named zone ("+0200", "GMT", "(CEST)").
    "other": re.compile(
        rb"(?i:(mon|tue|wed|thu|fri|sat|sun)[a-z]*,?)|\d{1,2},?|[+-]\d{4}|\(?[A-Z]{1,5}\)?"
    ),
}


def _starts_message(line: bytes, after_blank: bool, next_line: bytes) -> bool:
    """Tell whether the "From " `line` is an envelope (rule 2 of the module docstring)."""
    words = line[5:].split(None, 1)
    tail = words[1] if len(words) > 1 else b""
    dated = _is_date(tail)
    if tail and not dated:
        return False
    if after_blank and dated:
        return True
    return _HEADER.match(next_line) is not None


def _is_date(text: bytes) -> bool:
    """Tell whether `text` ends with the words of a date: a time, a month, a year."""
    words = text.split()
    if len(words) >= 3 and words[-3:-1] == [b"remote", b"from"]:
        words = words[:-3]
    kinds = set()
    for word in reversed(words):
        kind = next((k for k, rx in _DATE_WORDS.items() if rx.fullmatch(word)), None)
        if kind is None:
            break
        kinds.add(kind)
    return {"time", "month", "year"} <= kinds


# --- helpers ------------------------------------------------------------------------------


def _stat(path: Path, what: str) -> os.stat_result:
    try:
        return path.stat()
    except FileNotFoundError:
        raise SourceError(f"{what} not found: {path}") from None
    except OSError as err:
        raise SourceError(f"cannot read {what} {path}: {err.strerror}") from err


def _check_start(start: int, end: int) -> int:
    if not 0 <= start <= end:
        raise ValueError(f"position {start} is outside 0..{end}")
    return start


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _human(size: int) -> str:
    """Return `size` in bytes as a short text: "812 MB"."""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1000:
            return f"{value:.0f} {unit}"
        value /= 1000
    return f"{value:,.0f} TB"
