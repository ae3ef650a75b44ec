"""Parse real mail from public corpora, and hand-made edge cases, into clean data.

The corpora live in shared/data/external beside the repository (each folder's SOURCE.md
says where they come from); ACCALMIE_EXTERNAL_DATA points elsewhere. Without them the
corpus tests are skipped, the hand-made ones still run.
"""

from __future__ import annotations

import hashlib
import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from accalmie.mail.message import (
    MAX_MESSAGE_DEPTH,
    ParsedMessage,
    UnparseableMessage,
    parse_message,
)

REPO_ROOT = Path(__file__).resolve().parents[2]


def external_data() -> Path | None:
    """Return the folder of external corpora, or None when this machine has none."""
    configured = os.environ.get("ACCALMIE_EXTERNAL_DATA")
    candidates = [Path(configured)] if configured else []
    candidates.append(REPO_ROOT / ".." / "shared" / "data" / "external")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate.resolve()
    return None


@pytest.fixture(scope="module")
def external() -> Path:
    """Give the corpora folder, or skip."""
    folder = external_data()
    if folder is None:
        pytest.skip("external mail corpora not found (set ACCALMIE_EXTERNAL_DATA)")
    return folder


def corpus_files(external: Path, name: str) -> list[Path]:
    """Return every message file of a corpus."""
    if name == "spamassassin-raw":
        files = list((external / name).rglob("*.txt"))
    elif name == "mail-gem-fixtures":
        files = [path for path in (external / name / "emails").rglob("*") if path.is_file()]
    else:
        files = [
            path
            for folder in ("messages", "partial")
            for path in (external / name / folder).iterdir()
            if path.is_file()
        ]
    return sorted(files)


def parse(external: Path, relative: str) -> ParsedMessage:
    """Parse one corpus file."""
    return parse_message((external / relative).read_bytes())


def check_invariants(message: ParsedMessage, raw: bytes | None = None) -> None:
    """Assert what must hold for any parsed mail, whatever it was."""
    if raw is not None:
        assert message.content_hash == hashlib.sha256(raw).hexdigest()
    assert message.date is None or message.date.utcoffset() is not None
    assert "\r" not in message.text
    assert "<script" not in message.html.lower()
    assert not re.search(r"\s(src|style|on\w+)\s*=", message.html, re.IGNORECASE)
    for attachment in message.attachments:
        assert attachment.filename and "/" not in attachment.filename
        assert "\\" not in attachment.filename
        assert attachment.size == len(attachment.data)
        assert attachment.sha256 == hashlib.sha256(attachment.data).hexdigest()
        assert attachment.content_type == attachment.content_type.lower()
    for inner in message.embedded:
        check_invariants(inner)


# Observed on the snapshots described in each SOURCE.md: every SpamAssassin and MimeKit
# file parses; of the mail gem fixtures only `sample_output_multipart` does not, and it is
# a 0-byte file (an empty expected-output placeholder of the gem's specs, not a message).
EXPECTED_UNPARSEABLE = {
    "spamassassin-raw": set(),
    "mail-gem-fixtures": {"sample_output_multipart"},
    "mimekit-testdata": set(),
}
EXPECTED_COUNTS = {"spamassassin-raw": 2796, "mail-gem-fixtures": 104, "mimekit-testdata": 30}


@pytest.mark.parametrize("corpus", sorted(EXPECTED_UNPARSEABLE))
def test_every_corpus_message_parses_or_is_refused_cleanly(external: Path, corpus: str) -> None:
    files = corpus_files(external, corpus)
    assert len(files) == EXPECTED_COUNTS[corpus]
    unparseable: set[str] = set()
    for path in files:
        raw = path.read_bytes()
        try:
            message = parse_message(raw)
        except UnparseableMessage as error:
            assert error.reason
            unparseable.add(path.name)
            continue
        check_invariants(message, raw)
    assert unparseable == EXPECTED_UNPARSEABLE[corpus]


# --- decoded values from the corpora -------------------------------------------------

GEM = "mail-gem-fixtures/emails"


@pytest.mark.parametrize(
    ("relative", "subject"),
    [
        # =?ISO-8859-1?Q?...?=
        (f"{GEM}/attachment_emails/attachment_with_quoted_filename.eml", "Eelanalüüsi päring"),
        # =?EUC-KR?Q?...?=
        (f"{GEM}/plain_emails/raw_email.eml", "NOTE: 한국말로 하는 것"),
        # Encoded words between plain words.
        (
            f"{GEM}/plain_emails/raw_email_with_partially_quoted_subject.eml",
            'Re: Test: "漢字" mid "漢字" tail',
        ),
        (f"{GEM}/multi_charset/japanese.eml", "まみむめも"),
        # =?NONE?B?VEVTVA=?=: unknown charset and a broken base64 padding.
        (f"{GEM}/error_emails/bad_encoded_subject.eml", "TEST"),
    ],
)
def test_encoded_subjects(external: Path, relative: str, subject: str) -> None:
    assert parse(external, relative).subject == subject


@pytest.mark.parametrize(
    ("relative", "phrase"),
    [
        # iso-8859-1, 8bit: Irish in Latin-1 bytes.
        ("spamassassin-raw/easy-ham-2/00150.8f7dc1318823556f1eca402af39e08e5.txt", "Tá mé ag"),
        # iso-8859-15: the euro sign is 0xA4 there, not 0x80 as in windows-1252.
        ("spamassassin-raw/easy-ham-2/00036.6620b4d55c147aca7688250f16685d0d.txt", "100€"),
        (f"{GEM}/multi_charset/japanese_shift_jis.eml", "このメールはテスト用のメールです。"),
        (f"{GEM}/multi_charset/japanese_iso_2022.eml", "すみません。"),
        # EUC-KR in base64.
        (f"{GEM}/plain_emails/raw_email.eml", "제 이름은 Jamis입니다."),
    ],
)
def test_non_utf8_bodies(external: Path, relative: str, phrase: str) -> None:
    message = parse(external, relative)
    assert phrase in message.text
    assert "\ufffd" not in message.text


def test_korean_vendor_charset_is_read_as_cp949(external: Path) -> None:
    message = parse(external, f"{GEM}/multi_charset/ks_c_5601-1987.eml")
    assert message.text == "스티해"
    assert message.defects == []


def test_nested_message_is_embedded(external: Path) -> None:
    message = parse(external, "mimekit-testdata/messages/simple-embedded-message.eml")
    assert message.text == "This is the message body."
    assert [inner.subject for inner in message.embedded] == ["embedded message"]
    assert message.attachments == []

    gem = parse(external, f"{GEM}/attachment_emails/attachment_message_rfc822.eml")
    assert [inner.subject for inner in gem.embedded] == ["Another PDF"]


def test_digest_children_are_messages(external: Path) -> None:
    message = parse(external, "mimekit-testdata/messages/multipart-digest.txt")
    assert message.embedded[0].subject == "submsg"


def test_attachment_names(external: Path) -> None:
    # RFC 2231 with continuations (filename*0*, filename*1*) in UTF-8.
    long_name = parse(external, f"{GEM}/multi_charset/japanese_attachment_long_name.eml")
    assert [a.filename for a in long_name.attachments] == ["かきくけこ" * 5 + ".txt"]
    # RFC 2231 in ISO-8859-1, an inline image.
    quoted = parse(external, f"{GEM}/attachment_emails/attachment_with_quoted_filename.eml")
    image = quoted.attachments[0]
    assert (image.filename, image.content_type, image.inline) == (
        "Eelanalüüsi päring.jpg",
        "image/jpeg",
        True,
    )
    # RFC 2047 inside a quoted parameter (Gmail's way).
    japanese = parse(external, f"{GEM}/multi_charset/japanese_attachment.eml")
    assert [a.filename for a in japanese.attachments] == ["てすと.txt"]
    # Raw 8-bit bytes in the parameter.
    raw = parse(external, f"{GEM}/attachment_emails/attachment_nonascii_filename.eml")
    assert [a.filename for a in raw.attachments] == ["ciële.txt"]

    pdf = parse(external, f"{GEM}/attachment_emails/attachment_pdf.eml")
    assert [(a.filename, a.content_type, a.inline) for a in pdf.attachments] == [
        ("broken.pdf", "application/pdf", False)
    ]
    assert pdf.attachments[0].data.startswith(b"%PDF")
    assert pdf.text.startswith("Just attaching another PDF")


def test_html_only_message_gets_readable_text(external: Path) -> None:
    raw = (
        external / "spamassassin-raw/spam-2/00297.6278795e285879c8623bf7ec329b966e.txt"
    ).read_bytes()
    assert b"<script" in raw.lower() and b"src=" in raw.lower()  # what must not survive
    message = parse_message(raw)
    assert "Watch full length movies in full screen" in message.text
    assert not re.search(r"<[a-zA-Z/!]", message.text)
    assert "<script" not in message.html.lower()
    assert "src=" not in message.html.lower()
    assert "<table>" in message.html


def test_alternative_prefers_plain_text_and_keeps_html(external: Path) -> None:
    message = parse(external, f"{GEM}/error_emails/cant_parse_from.eml")
    assert message.text == (
        "From one solid piece of aluminum comes a MacBook Pro that's thin and light,"
        " beautifully streamlined, and durable."
    )
    assert message.html.startswith("From one solid piece of aluminum")


def test_delivery_report_is_readable_in_text(external: Path) -> None:
    message = parse(external, "mimekit-testdata/messages/delivery-status.txt")
    assert "Diagnostic-Code: X-LOCAL; 500 (err.nosuchuser)" in message.text
    assert message.embedded[0].subject == "unsubscribe"


def test_deep_header_does_not_blow_the_stack(external: Path) -> None:
    # Thousands of encoded words in To; each holds ":" that the address parser would
    # read as a group and recurse on.
    message = parse(external, "mimekit-testdata/messages/stack-overflow.txt")
    assert message.subject == "Message Subject"
    assert message.text == "Message Body"
    assert message.to[0].email == "test@test.com"
    assert message.date == datetime(2017, 11, 3, 20, 0, tzinfo=UTC)


def test_headers_and_dates(external: Path) -> None:
    message = parse(external, f"{GEM}/plain_emails/raw_email_reply.eml")
    assert message.message_id == "<473FFE27.20003@xxx.org>"
    assert message.in_reply_to == "<348F04F142D69C21-291E56D292BC@xxxx.net>"
    assert message.references == [
        "<473FF3B8.9020707@xxx.org>",
        "<348F04F142D69C21-291E56D292BC@xxxx.net>",
    ]
    bad = parse(external, f"{GEM}/plain_emails/raw_email_with_bad_date.eml")
    assert bad.date is None
    assert any(defect.startswith("date unparseable") for defect in bad.defects)


def test_boundary_differing_by_whitespace_is_repaired(external: Path) -> None:
    message = parse(external, "spamassassin-raw/spam-2/01214.973b4598b630a989967ff69b19f95d4a.txt")
    assert message.text.lstrip("-\n").startswith("NEED A PROFESSIONAL LOOKING  WEBSITE?")
    assert "Content-Type" not in message.text


# --- hand-made edge cases --------------------------------------------------------------


def test_mbox_envelope_and_broken_charsets() -> None:
    raw = (
        b"From MAILER-DAEMON Mon Mar  3 10:12:00 2025\n"
        b"From: =?iso-8859-1?Q?Ren=E9e_Dupont?= <Renee@Example.FR>\n"
        b"To: Jean <j@y.fr>, =?utf-8?Q?Dupont,_Marie?= <m@x.fr>\n"
        b"Subject: =?x-unknown?Q?caf=E9?= =?utf-7?B?K0FPay0=?=\n"
        b"Date: Mon, 3 Mar 2025 10:12:00 +0100\n"
        b"Content-Type: text/plain; charset=3Diso-8859-1\n\n"
        b"D\xe9j\xe0 vu\n"
    )
    message = parse_message(raw)
    assert message.sender is not None
    assert (message.sender.name, message.sender.email) == ("Renée Dupont", "renee@example.fr")
    assert [(a.name, a.email) for a in message.to] == [
        ("Jean", "j@y.fr"),
        ("Dupont, Marie", "m@x.fr"),
    ]
    assert message.subject == "caféé"
    assert message.date == datetime(2025, 3, 3, 9, 12, tzinfo=UTC)
    assert message.text == "Déjà vu"


@pytest.mark.parametrize(
    ("charset", "text"),
    [
        ("ks_c_5601-1987", "회의는 내일 오전 10시입니다"),
        ("gb2312", "会议明天上午十点开始"),
        ("big5", "會議明天上午十點開始"),
        ("iso-2022-jp", "会議は明日の午前十時からです"),
        ("utf-7", "Réunion à 10h"),
        ("windows-1252", "l’équipe « Lumen » — 10 €"),
    ],
)
def test_declared_charsets(charset: str, text: str) -> None:
    codec = {"ks_c_5601-1987": "cp949", "gb2312": "gb2312", "big5": "big5"}.get(charset, charset)
    raw = (
        f"From: a@b.c\nSubject: x\nContent-Type: text/plain; charset={charset}\n\n".encode()
        + text.encode(codec)
    )
    message = parse_message(raw)
    assert message.text == text
    assert not [defect for defect in message.defects if "charset" in defect]


@pytest.mark.parametrize("charset", ["x-unknown", "default", "bogus-charset-9", ""])
def test_unknown_charset_is_detected_and_noted(charset: str) -> None:
    body = "Bonjour, voici le devis révisé pour l'été. À bientôt, Hélène.".encode("cp1252")
    header = f"; charset={charset}" if charset else ""
    raw = f"From: a@b.c\nSubject: x\nContent-Type: text/plain{header}\n\n".encode() + body
    message = parse_message(raw)
    assert message.text == body.decode("cp1252")
    assert any("decoded as windows-1252" in defect for defect in message.defects)


def test_transfer_encodings_tolerated() -> None:
    raw = (
        b"From: a@b.c\nSubject: x\nContent-Type: multipart/mixed; boundary=XX\n\n"
        b"--XX\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
        b"Qm9uam91ciDDoCB0b3Vz\n"  # "Bonjour à tous", padding missing
        b"--XX\nContent-Transfer-Encoding: quoted printable\n\n"  # no Content-Type at all
        b"caf=C3=A9 cr=C3=A8me=\n br=C3=BBl=C3=A9e\n"
        b"--XX\nContent-Type: text/plain\nContent-Transfer-Encoding: 7-bit\n\nplain\n"
        b"--XX\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: x-uuencode\n\n"
        b"begin 644 notes.txt\n#:&D*\n`\nend\n"
        b"--XX--\n"
    )
    message = parse_message(raw)
    assert message.text == "Bonjour à tous\n\ncafé crème brûlée\n\nplain"
    assert [(a.filename, a.data) for a in message.attachments] == [("notes.txt", b"hi\n")]


def test_html_is_sanitised_and_converted() -> None:
    html = (
        "<html><head><title>Offre</title><style>p{color:red}</style></head><body>"
        "<h1>Bonjour&nbsp;Marie</h1><p>Voici <b>le devis</b> &amp; le planning :</p>"
        "<ul><li>étape 1</li><li>étape 2</li></ul>"
        '<p>Lien : <a href="https://ex.fr/x" onclick="steal()">le site</a>'
        '<a href="javascript:alert(1)">piège</a><img src="https://track.ex/p.gif"></p>'
        '<form action="https://ex.fr"><input name="q"></form>'
        "<script>alert('x')</script><div style='color:red'>ligne 1<br>ligne 2</div>"
        "</body></html>"
    )
    raw = b"From: a@b.c\nSubject: x\nContent-Type: text/html; charset=utf-8\n\n" + html.encode()
    message = parse_message(raw)
    assert message.text == (
        "Bonjour Marie\n\nVoici le devis & le planning :\n\n- étape 1\n- étape 2\n\n"
        "Lien : le sitepiège\n\nligne 1\nligne 2"
    )
    assert '<a href="https://ex.fr/x" rel="noopener noreferrer nofollow">le site</a>' in (
        message.html
    )
    for forbidden in ("<script", "src=", "onclick", "javascript:", "<form", "<input", "style"):
        assert forbidden not in message.html
    assert "Offre" not in message.text


def test_reply_is_split_in_the_parsed_message() -> None:
    raw = (
        "From: j@y.fr\nSubject: Re: devis\nContent-Type: text/plain; charset=utf-8\n\n"
        "OK pour moi.\n\nEnvoyé de mon iPhone\n\n"
        "Le 3 mars 2025 à 10:12, Marie <m@x.fr> a écrit :\n> Le devis vous va ?\n"
    ).encode()
    message = parse_message(raw)
    assert (message.new_text, message.signature) == ("OK pour moi.", "Envoyé de mon iPhone")
    assert message.quoted.endswith("> Le devis vous va ?")


def test_attachment_names_are_made_safe_or_made_up() -> None:
    raw = (
        b"From: a@b.c\nSubject: x\nContent-Type: multipart/mixed; boundary=XX\n\n"
        b"--XX\nContent-Type: text/plain\n\nhello\n"
        b"--XX\nContent-Type: application/pdf\n"
        b'Content-Disposition: attachment; filename="../../etc/passwd"\n\n%PDF\n'
        b"--XX\nContent-Type: image/png\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n"
        b"--XX--\n"
    )
    message = parse_message(raw)
    assert [a.filename for a in message.attachments] == ["passwd", "attachment-2.png"]
    assert message.text == "hello"


def _nested(depth: int) -> bytes:
    """Build a message wrapping `depth` levels of message/rfc822."""
    head = b"".join(
        b"From: a%d@b.c\nSubject: level %d\nContent-Type: message/rfc822\n\n" % (level, level)
        for level in range(depth)
    )
    return head + b"From: z@b.c\nSubject: innermost\n\nhi\n"


def test_nesting_is_depth_limited() -> None:
    message = parse_message(_nested(MAX_MESSAGE_DEPTH + 5))
    levels = 0
    while message.embedded:
        message = message.embedded[0]
        levels += 1
    assert levels == MAX_MESSAGE_DEPTH
    assert [a.content_type for a in message.attachments] == ["message/rfc822"]
    assert b"Subject: innermost" in message.attachments[0].data


def test_absurd_nesting_keeps_headers_and_body() -> None:
    # Far past the stdlib parser's recursion limit.
    message = parse_message(_nested(3000))
    assert message.subject == "level 0"
    assert message.attachments[0].size > 100_000
    assert any("nested too deeply" in defect for defect in message.defects)


def test_date_without_timezone_is_utc_and_noted() -> None:
    message = parse_message(b"From: a@b.c\nDate: 3 Mar 2025 10:12:00\n\nhi\n")
    assert message.date == datetime(2025, 3, 3, 10, 12, tzinfo=UTC)
    assert any("without timezone" in defect for defect in message.defects)


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"  \r\n\r\n",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
        b"<html><body>Hello</body></html>",
        b"Just some notes I typed.\nNothing else.",
        b"Note: this has a colon but no mail header\n\nbody",
    ],
)
def test_not_a_message_is_refused(raw: bytes) -> None:
    with pytest.raises(UnparseableMessage) as caught:
        parse_message(raw)
    assert caught.value.reason.endswith(".")
