"""Reading .eml folders, mbox files and Maildirs one message at a time, and resuming.

Real files come from shared/data/external (see each folder's SOURCE.md); the rest is built
in tmp_path from those real messages.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import tracemalloc
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest

from accalmie.mail.sources import (
    EmlSource,
    MaildirSource,
    MboxSource,
    MessageSource,
    SourceError,
    SourceMessage,
    open_source,
)

ENVELOPE = b"From MAILER-DAEMON Thu Jan  1 00:00:00 2004\n"


def external_data() -> Path:
    """Return the shared real-data folder: $ACCALMIE_EXTERNAL_DATA or ../shared/data/external."""
    configured = os.environ.get("ACCALMIE_EXTERNAL_DATA")
    repo_root = Path(__file__).resolve().parents[2]
    root = Path(configured) if configured else repo_root.parent / "shared" / "data" / "external"
    if not root.is_dir():
        pytest.skip(f"external test data not found at {root}")
    return root


@pytest.fixture(scope="module")
def external() -> Path:
    return external_data()


@pytest.fixture(scope="module")
def spam_files(external: Path) -> list[Path]:
    """Every spamassassin-raw message file, in a stable order."""
    root = external / "spamassassin-raw"
    return sorted(root.glob("easy-ham-2/*.txt")) + sorted(root.glob("spam-2/*.txt"))


def read_all(source: MessageSource, start: int = 0) -> list[SourceMessage]:
    return list(source.iter_messages(start))


def parse(message: SourceMessage) -> Message:
    return message_from_bytes(message.raw)


def mboxrd(messages: list[bytes]) -> tuple[bytes, list[int]]:
    """Write `messages` as an mboxrd file; return its bytes and each envelope's offset."""
    out = bytearray()
    offsets = []
    for raw in messages:
        assert raw.endswith(b"\n"), "the writer would add a line ending we could not give back"
        offsets.append(len(out))
        out += ENVELOPE
        out += re.sub(rb"(?m)^(>*From )", rb">\1", raw)
        out += b"\n"
    return bytes(out), offsets


# --- mbox: the real MimeKit files ---------------------------------------------------------

MIMEKIT_MBOXES = [
    # file, messages, {index: (header, value)}
    (
        "content-length.mbox.txt",
        29,
        {
            0: ("Subject", "Re: mailusr1@navstar1 3.0b6gold #1"),
            4: ("Subject", "3.01 MIME prob message [Fwd: communicator 4.01  a conference problem]"),
            28: ("Subject", "RE: problem with relative urls and applets"),
        },
    ),
    (
        "issue1189.mbox.txt",
        4,
        {0: ("Subject", "Message 1"), 3: ("Subject", "Message 4")},
    ),
    (
        "simple.mbox.txt",
        3,
        {
            0: ("Subject", "this'll probably break a lot of mime parsers"),
            2: ("From", "fejj@gnome.org"),
        },
    ),
    # SOURCE.md says 3 (a `grep -c '^From '` count: the byte-order mark hides the first
    # envelope) and MimeKit's own test expects 4 (it splits on every "From " after an empty
    # line). The file holds 2 messages, each with an unquoted "From Russia with love" body
    # line, as their subjects say; splitting there would cut both bodies.
    (
        "unmunged.mbox.txt",
        2,
        {
            0: ("Subject", "This is a test message with an unmunged From line"),
            1: ("Subject", "Another test message with an unmunged From line"),
        },
    ),
]


@pytest.mark.parametrize(("name", "count", "headers"), MIMEKIT_MBOXES)
def test_mimekit_mbox_counts(
    external: Path, name: str, count: int, headers: dict[int, tuple[str, str]]
) -> None:
    path = external / "mimekit-testdata" / "mbox" / name
    source = open_source("mbox", path)
    messages = read_all(source)
    assert len(messages) == count
    for index, (header, value) in headers.items():
        assert parse(messages[index])[header] == value
    for message in messages:
        assert message.size == len(message.raw)
        assert parse(message)["From"]  # every message starts with its headers
    assert messages[-1].position == source.total_bytes == path.stat().st_size
    assert source.label.startswith(f"mbox {path} (")


def test_source_md_counts_hold_except_unmunged(external: Path) -> None:
    """SOURCE.md's counts are right, but for the one the test above explains."""
    text = (external / "mimekit-testdata" / "SOURCE.md").read_text()
    stated = dict(re.findall(r"(\S+\.mbox\.txt) \((\d+)", text))
    assert stated == {
        "content-length.mbox.txt": "29",
        "issue1189.mbox.txt": "4",
        "simple.mbox.txt": "3",
        "unmunged.mbox.txt": "3",
    }
    unmunged = (external / "mimekit-testdata" / "mbox" / "unmunged.mbox.txt").read_bytes()
    assert unmunged.startswith(b"\xef\xbb\xbfFrom -\n")
    assert len(re.findall(rb"(?m)^From ", unmunged)) == 3


def test_unmunged_from_lines_stay_in_the_body(external: Path) -> None:
    path = external / "mimekit-testdata" / "mbox" / "unmunged.mbox.txt"
    first, second = read_all(MboxSource(path))
    assert first.key == "mbox:3"  # after the byte-order mark
    assert first.raw.endswith(b"\n\nFrom Russia with love\n\nWhat does Thunderbird do?\n")
    assert b"\nFrom Russia with love\nYear: 1963\n" in second.raw


def test_content_length_mbox(external: Path) -> None:
    path = external / "mimekit-testdata" / "mbox" / "content-length.mbox.txt"
    data = path.read_bytes()
    messages = read_all(MboxSource(path))
    # Message 3 has an exact Content-Length: its body is taken as measured.
    header_end = messages[3].raw.index(b"\n\n") + 2
    assert b"Content-Length: 6555\n" in messages[3].raw[:header_end]
    assert len(messages[3].raw) - header_end == 6555
    # Message 4 says 747282 but its body runs 4 bytes longer: the envelope lines decide.
    assert b"Content-Length: 747282\n" in messages[4].raw
    assert messages[4].raw.endswith(b"--\n")
    assert data[messages[4].position :].startswith(b"From - Thu Feb  8 18:49:08 1996\n")
    # Netscape quoted envelope lines of forwarded mail, inside exact bodies: kept as written.
    assert b"\n>From - Fri Dec 13 15:01:21 1996\n" in messages[15].raw
    assert b"\n>From - Fri Dec 13 15:01:21 1996\n" in messages[16].raw


# --- mbox: rules on built files -----------------------------------------------------------


def test_mboxrd_round_trip_is_byte_exact(tmp_path: Path, spam_files: list[Path]) -> None:
    originals = [path.read_bytes() for path in spam_files]
    data, offsets = mboxrd(originals)
    # The corpus does exercise quoting: envelope-like first lines and ">From " body lines.
    assert sum(raw.startswith(b"From ") for raw in originals) > 2000
    assert sum(bool(re.search(rb"(?m)^>From ", raw)) for raw in originals) > 10
    path = tmp_path / "spam.mbox"
    path.write_bytes(data)

    messages = read_all(MboxSource(path))

    assert len(messages) == len(originals) == 2796
    assert [m.key for m in messages] == [f"mbox:{offset}" for offset in offsets]
    assert [m.position for m in messages] == [*offsets[1:], len(data)]
    for message, original in zip(messages, originals, strict=True):
        assert message.raw == original


def test_resume_from_every_position_gives_the_tail(tmp_path: Path, external: Path) -> None:
    mboxes = external / "mimekit-testdata" / "mbox"
    for name in ("content-length.mbox.txt", "simple.mbox.txt", "unmunged.mbox.txt"):
        source = MboxSource(mboxes / name)
        messages = read_all(source)
        assert read_all(source, 0) == messages
        for index, message in enumerate(messages):
            assert read_all(source, message.position) == messages[index + 1 :]
            assert source.bytes_before(message.position) == message.position
    with pytest.raises(ValueError, match="not the start of a message"):
        read_all(MboxSource(mboxes / "simple.mbox.txt"), 10)


def test_crlf_mbox_reads_like_lf(tmp_path: Path, external: Path) -> None:
    lf = external / "mimekit-testdata" / "mbox" / "issue1189.mbox.txt"
    crlf = tmp_path / "crlf.mbox"
    crlf.write_bytes(lf.read_bytes().replace(b"\n", b"\r\n"))
    expected = [m.raw.replace(b"\n", b"\r\n") for m in read_all(MboxSource(lf))]
    assert [m.raw for m in read_all(MboxSource(crlf))] == expected


def test_content_length_protects_from_lines_when_exact(tmp_path: Path) -> None:
    body = b"Quoted mail:\n\nFrom bob Mon Jun  3 12:50:27 1996\nSubject: inner\n\n>From here\n"

    def mbox(length: int) -> Path:
        first = b"Subject: first\nContent-Length: %d\n\n" % length + body
        path = tmp_path / f"cl-{length}.mbox"
        path.write_bytes(ENVELOPE + first + b"\n" + ENVELOPE + b"Subject: second\n\nbye\n")
        return path

    exact = read_all(MboxSource(mbox(len(body))))
    assert [parse(m)["Subject"] for m in exact] == ["first", "second"]
    assert exact[0].raw.endswith(b"\n\n" + body)  # verbatim: no unquoting
    # Wrong lengths are ignored: the dated envelope line after an empty line splits.
    for length in (len(body) - 1, len(body) + 1, 10**9):
        wrong = read_all(MboxSource(mbox(length)))
        assert [parse(m)["Subject"] for m in wrong] == ["first", "inner", "second"]
        assert wrong[1].raw == b"Subject: inner\n\nFrom here\n"


def test_from_lines_that_are_not_envelopes(tmp_path: Path) -> None:
    path = tmp_path / "body.mbox"
    path.write_bytes(
        ENVELOPE + b"Subject: one\n\nHello\n\nFrom here on we talk money.\n\nFrom Alice\n"
        b"From bob Mon Jun  3 12:50:27 1996 is when it began\n"
        # No empty line before it, but a dated envelope then headers: a forgetful writer.
        b"From carol@example.org Tue Jun  4 09:00:00 1996\nSubject: two\n\nx\n"
        # No date, no empty line before, and no header after: a body line.
        b"From -\nnot a header\n"
        # Dated, after an empty line: splits even without headers after it.
        b"\nFrom dave Wed Jun  5 10:00:00 1996\n\nheaderless\n"
        # UUCP envelope.
        b"\nFrom erin Thu Jun  6 11:00:00 1996 remote from uunet\nSubject: five\n\nz\n\n"
        # A trailing empty message is dropped.
        b"From eve Fri Jun  7 12:00:00 1996\n\n"
    )
    messages = read_all(MboxSource(path))
    assert [m.raw for m in messages] == [
        b"Subject: one\n\nHello\n\nFrom here on we talk money.\n\nFrom Alice\n"
        b"From bob Mon Jun  3 12:50:27 1996 is when it began\n",
        b"Subject: two\n\nx\nFrom -\nnot a header\n",
        b"\nheaderless\n",
        b"Subject: five\n\nz\n",
    ]
    # Positions point at envelopes, the empty message's too; resuming there skips it again.
    assert path.read_bytes()[messages[-1].position :] == b"From eve Fri Jun  7 12:00:00 1996\n\n"
    assert read_all(MboxSource(path), messages[-1].position) == []


def test_mbox_without_leading_envelope(tmp_path: Path, spam_files: list[Path]) -> None:
    plain = next(p.read_bytes() for p in spam_files if p.read_bytes().startswith(b"Return-Path"))
    path = tmp_path / "headers-first.mbox"
    path.write_bytes(b"\n" + plain + b"\n" + ENVELOPE + b"Subject: two\n\nbody\n")
    messages = read_all(MboxSource(path))
    assert [m.key for m in messages] == ["mbox:1", f"mbox:{len(plain) + 2}"]
    assert messages[0].raw == plain
    assert read_all(MboxSource(path), messages[0].position) == messages[1:]

    empty = tmp_path / "empty.mbox"
    empty.write_bytes(b"")
    assert read_all(MboxSource(empty)) == []


def test_not_an_mbox(tmp_path: Path, external: Path) -> None:
    compressed = tmp_path / "simple.mbox.gz"
    compressed.write_bytes(
        gzip.compress((external / "mimekit-testdata/mbox/simple.mbox.txt").read_bytes())
    )
    with pytest.raises(SourceError, match=r"not an mbox: .*simple\.mbox\.gz"):
        open_source("mbox", compressed)
    prose = tmp_path / "SOURCE.md"
    shutil.copy(external / "mimekit-testdata" / "SOURCE.md", prose)
    with pytest.raises(SourceError, match="not an mbox"):
        open_source("mbox", prose)
    with pytest.raises(SourceError, match="mbox is a folder"):
        open_source("mbox", tmp_path)


def test_memory_stays_constant_on_a_large_mbox(tmp_path: Path, spam_files: list[Path]) -> None:
    """A ~60 MB mbox is read holding one message, never the file."""
    path = tmp_path / "large.mbox"
    with path.open("wb") as out:
        for _ in range(4):
            for file in spam_files:
                out.write(ENVELOPE + re.sub(rb"(?m)^(>*From )", rb">\1", file.read_bytes()))
                out.write(b"\n")
    size = path.stat().st_size
    assert size > 55_000_000
    largest = max(file.stat().st_size for file in spam_files)

    tracemalloc.start()
    try:
        count = total = 0
        for message in MboxSource(path).iter_messages():
            count += 1
            total += message.size
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert count == 4 * len(spam_files)
    assert total > 0.99 * size
    # What is held: the 64 KB read buffer, the message being built and its bytes copy, a few
    # lines; about 0.3 MB measured. 2 MB leaves room for interpreter noise and still fails
    # at once if the file, or even a 30th of it, were ever held.
    assert largest < 200_000  # so one message cannot explain a peak near the bound
    assert peak < 2_000_000, f"peak {peak:,} bytes for a {size:,}-byte mbox"


# --- .eml files ---------------------------------------------------------------------------


def test_eml_folder_of_real_fixtures(external: Path) -> None:
    root = external / "mail-gem-fixtures" / "emails"
    source = open_source("eml", root)
    messages = read_all(source)
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert len(messages) == len(files) == 104
    assert [m.key for m in messages] == files
    assert messages[0].key == "attachment_emails/attachment_content_disposition.eml"
    assert all(m.raw == (root / m.key).read_bytes() for m in messages)
    assert [m.position for m in messages] == list(range(1, 105))
    # SOURCE.md says 288,393 bytes; the 104 files hold 247,433 (its count of 104 is right).
    assert source.total_bytes == sum((root / key).stat().st_size for key in files) == 247_433
    assert source.bytes_before(104) == source.total_bytes
    assert read_all(source, 100) == messages[100:]
    assert source.label == f"eml folder {root} (104 files, 247 KB)"


def test_eml_single_file_and_hidden_names(tmp_path: Path, spam_files: list[Path]) -> None:
    for rel in ("b.eml", "sub/a.eml", "notes.txt", ".DS_Store", ".hidden/c.eml", "sub/.x"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(spam_files[len(rel)], tmp_path / rel)
    (tmp_path / "link.eml").symlink_to(tmp_path / "b.eml")
    messages = read_all(EmlSource(tmp_path))
    assert [m.key for m in messages] == ["b.eml", "notes.txt", "sub/a.eml"]
    assert messages[2].raw == spam_files[len("sub/a.eml")].read_bytes()

    single = read_all(EmlSource(tmp_path / "sub" / "a.eml"))
    assert [(m.key, m.position) for m in single] == [("a.eml", 1)]


# --- Maildir ------------------------------------------------------------------------------


def test_maildir_with_subfolders(tmp_path: Path, spam_files: list[Path]) -> None:
    root = tmp_path / "Maildir"
    contents = {
        "cur/1000.A.host:2,S": spam_files[0],
        "new/1001.B.host": spam_files[1],
        "cur/0999.Z.host:2,RS": spam_files[2],
        "tmp/1002.C.host": spam_files[3],  # delivery in progress: not read
        "cur/.hidden": spam_files[4],
        "dovecot-uidlist": spam_files[5],  # bookkeeping next to cur/new: not read
        ".Sent/cur/0900.D.host:2,S": spam_files[6],
        ".Sent/new/0901.E.host": spam_files[7],
        ".Sent.2024/cur/0800.F.host:2,": spam_files[8],
    }
    for rel, origin in contents.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(origin, root / rel)
    (root / ".Sent" / "tmp").mkdir()

    source = open_source("maildir", root)
    messages = read_all(source)

    assert [m.key for m in messages] == [
        "maildir:./0999.Z.host",
        "maildir:./1000.A.host",
        "maildir:./1001.B.host",
        "maildir:.Sent/0900.D.host",
        "maildir:.Sent/0901.E.host",
        "maildir:.Sent.2024/0800.F.host",
    ]
    assert messages[2].raw == spam_files[1].read_bytes()
    assert messages[3].raw == spam_files[6].read_bytes()
    assert source.label.startswith(f"Maildir {root} (3 folders, 6 messages, ")
    assert read_all(source, messages[3].position) == messages[4:]
    assert source.bytes_before(2) == messages[0].size + messages[1].size

    # A mail client reads the new message: renamed into cur/ with flags; same key, same place.
    (root / "new/1001.B.host").rename(root / "cur/1001.B.host:2,S")
    assert read_all(MaildirSource(root)) == messages


def test_folder_of_maildirs(tmp_path: Path, spam_files: list[Path]) -> None:
    layout = {"INBOX/new/1.x": spam_files[0], "Archive/2020/cur/2.y:2,S": spam_files[1]}
    for rel, origin in layout.items():
        (tmp_path / rel).parent.mkdir(parents=True)
        shutil.copy(origin, tmp_path / rel)
    keys = [m.key for m in read_all(MaildirSource(tmp_path))]
    assert keys == ["maildir:Archive/2020/2.y", "maildir:INBOX/1.x"]


# --- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["eml", "mbox", "maildir"])
def test_missing_path(tmp_path: Path, kind: str) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(SourceError, match=f"not found: {re.escape(str(missing))}"):
        open_source(kind, missing)


def test_wrong_kind_or_shape(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="unknown source kind 'pst'"):
        open_source("pst", tmp_path)
    with pytest.raises(SourceError, match="no Maildir"):
        open_source("maildir", tmp_path)
    (tmp_path / "file").write_bytes(b"Subject: x\n\n")
    with pytest.raises(SourceError, match="Maildir is not a folder"):
        open_source("maildir", tmp_path / "file")
