"""IMAP sync against a real Dovecot server (tests/mail/dovecot.py) holding real mail.

Line endings: imaplib turns every line ending into CRLF when it APPENDs (as IMAP requires),
Dovecot stores LF on disk (mail_save_crlf = no) and serves CRLF again. So a message comes
back as exactly the bytes appended, with each line ending as CRLF: `crlf()` below.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from accalmie.mail.imap import FolderState, ImapError, ImapMailbox, ImapSettings, load_password
from tests.mail.dovecot import (
    ACCENTED_PASSWORD,
    ACCENTED_USERNAME,
    Dovecot,
    dovecot_server,  # noqa: F401  (registers the `dovecot` fixture)
    free_port,
    real_messages,
)

_folder_numbers = itertools.count(1)


def connect(settings: ImapSettings) -> None:
    """Log in and out."""
    with ImapMailbox(settings):
        pass


def crlf(raw: bytes) -> bytes:
    """Return `raw` with every line ending as CRLF, as IMAP carries it."""
    return re.sub(rb"\r\n|\r|\n", b"\r\n", raw)


@pytest.fixture
def folder(dovecot: Dovecot) -> str:
    """Return a new folder of this test's own, holding three real messages."""
    name = f"Sync{next(_folder_numbers)}"
    for raw in real_messages(3, skip=100):
        dovecot.append(name, raw)
    return name


def test_list_folders(dovecot: Dovecot) -> None:
    with ImapMailbox(dovecot.settings()) as box:
        assert {"INBOX", "Clients"} <= set(box.list_folders())


@pytest.mark.parametrize("security", ["ssl", "starttls", "plain"])
def test_each_security_reaches_the_server(dovecot: Dovecot, security: str) -> None:
    with ImapMailbox(dovecot.settings(security)) as box:
        state = box.folder_state("Clients")
    assert state.last_uid == 12


def test_certificate_is_valid_for_localhost_too(dovecot: Dovecot) -> None:
    with ImapMailbox(dovecot.settings(host="localhost")) as box:
        assert box.folder_state("INBOX").last_uid == 12


def test_plain_text_is_refused_for_a_remote_host() -> None:
    settings = ImapSettings("imap.example.com", 143, "plain", "client", "secret")
    with pytest.raises(ImapError, match="unencrypted") as raised:
        connect(settings)
    assert raised.value.kind == "config"


def test_wrong_password_is_an_authentication_error(dovecot: Dovecot) -> None:
    with pytest.raises(ImapError, match="Authentication refused") as raised:
        connect(dovecot.settings(password="wrong"))
    assert raised.value.kind == "auth"
    assert "b'" not in str(raised.value)  # the server's words, not a bytes repr


def test_password_outside_ascii(dovecot: Dovecot) -> None:
    settings = dovecot.settings(username=ACCENTED_USERNAME, password=ACCENTED_PASSWORD)
    with ImapMailbox(settings) as box:
        assert "INBOX" in box.list_folders()


def test_closed_port_is_a_connection_error(dovecot: Dovecot) -> None:
    with pytest.raises(ImapError, match="Connection refused") as raised:
        connect(dovecot.settings(port=free_port()))
    assert raised.value.kind == "connection"


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_untrusted_certificate_is_refused(dovecot: Dovecot, security: str) -> None:
    """GIVEN a self-signed server WHEN only the system CAs are trusted THEN nothing is sent."""
    with pytest.raises(ImapError, match="certificate") as raised:
        connect(dovecot.settings(security, ca_file=None))
    assert raised.value.kind == "certificate"


def test_plain_text_on_the_ssl_port_times_out(dovecot: Dovecot) -> None:
    """GIVEN the IMAPS port WHEN spoken to in plain text THEN both sides wait: a timeout."""
    with pytest.raises(ImapError, match="No answer") as raised:
        connect(dovecot.settings("plain", port=dovecot.imaps_port, timeout=0.3))
    assert raised.value.kind == "connection"


def test_ssl_on_the_starttls_port_says_to_check_the_port(dovecot: Dovecot) -> None:
    with pytest.raises(ImapError, match="port matches the security") as raised:
        connect(dovecot.settings("ssl", port=dovecot.imap_port))
    assert raised.value.kind == "tls"


def test_missing_folder(dovecot: Dovecot) -> None:
    with ImapMailbox(dovecot.settings()) as box:
        with pytest.raises(ImapError, match="does not exist") as raised:
            box.folder_state("Nowhere")
        assert raised.value.kind == "folder"
        with pytest.raises(ImapError, match="does not exist"):
            list(box.fetch_new("Nowhere", None))


def test_first_fetch_returns_every_message_byte_for_byte(dovecot: Dovecot) -> None:
    with ImapMailbox(dovecot.settings()) as box:
        state = box.folder_state("INBOX")
        messages = list(box.fetch_new("INBOX", None, batch_size=5))
    assert [m.raw for m in messages] == [crlf(raw) for raw in dovecot.appended["INBOX"]]
    assert [m.uid for m in messages] == list(range(1, 13))
    assert {(m.folder, m.uidvalidity) for m in messages} == {("INBOX", state.uidvalidity)}
    assert all(m.size == len(m.raw) for m in messages)
    assert messages[-1].state == state


def test_sync_resumes_after_the_last_message(dovecot: Dovecot, folder: str) -> None:
    with ImapMailbox(dovecot.settings()) as box:
        first = list(box.fetch_new(folder, None))
        state = first[-1].state
        assert len(first) == 3
        assert list(box.fetch_new(folder, state)) == []

        new = real_messages(2, skip=200)
        uids = [dovecot.append(folder, raw) for raw in new]
        second = list(box.fetch_new(folder, state))
        assert [(m.uid, m.raw) for m in second] == [
            (uid, crlf(raw)) for uid, raw in zip(uids, new, strict=True)
        ]
        assert box.folder_state(folder) == second[-1].state


def test_changed_uidvalidity_fetches_everything_again(dovecot: Dovecot, folder: str) -> None:
    with ImapMailbox(dovecot.settings()) as box:
        current = box.folder_state(folder)
        stale = FolderState(current.uidvalidity + 1, current.last_uid)
        again = list(box.fetch_new(folder, stale))
    assert [m.uid for m in again] == [1, 2, 3]
    assert {m.uidvalidity for m in again} == {current.uidvalidity}


def test_fetching_leaves_messages_unread(dovecot: Dovecot, folder: str) -> None:
    with ImapMailbox(dovecot.settings()) as box:
        assert len(list(box.fetch_new(folder, None))) == 3
    flags = dovecot.flags(folder)
    assert len(flags) == 3
    assert not any(b"\\Seen" in f for f in flags.values())


def test_other_calls_between_batches_do_not_mix_folders(dovecot: Dovecot, folder: str) -> None:
    with ImapMailbox(dovecot.settings()) as box:
        uids = []
        for message in box.fetch_new(folder, None, batch_size=1):
            box.folder_state("Clients")  # selects another folder in the same session
            uids.append((message.folder, message.uid))
            assert message.raw == crlf(dovecot.appended[folder][message.uid - 1])
    assert uids == [(folder, 1), (folder, 2), (folder, 3)]


def test_settings_keep_the_password_out_of_reprs(dovecot: Dovecot) -> None:
    assert dovecot.password not in repr(dovecot.settings())


def test_load_password_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCALMIE_TEST_IMAP_PASSWORD", " s3cret\n")
    assert load_password(env_var="ACCALMIE_TEST_IMAP_PASSWORD") == "s3cret"


def test_load_password_from_a_secret_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = tmp_path / "imap-password"
    secret.write_text("from-file\n")
    monkeypatch.delenv("ACCALMIE_TEST_IMAP_PASSWORD", raising=False)
    assert load_password("ACCALMIE_TEST_IMAP_PASSWORD", str(secret)) == "from-file"


def test_load_password_says_where_it_looked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("ACCALMIE_TEST_IMAP_PASSWORD", raising=False)
    with pytest.raises(ImapError, match="ACCALMIE_TEST_IMAP_PASSWORD"):
        load_password("ACCALMIE_TEST_IMAP_PASSWORD")
    with pytest.raises(ImapError, match="Cannot read the password file"):
        load_password(secret_file=str(tmp_path / "absent"))
    with pytest.raises(ImapError):
        load_password()


def test_server_log_shows_no_error(dovecot: Dovecot) -> None:
    """Keep the harness honest: a misconfigured Dovecot may still answer."""
    log = dovecot.log.read_text()
    assert "Error" not in log
    assert "Fatal" not in log
