"""Fetch new messages from an IMAP mailbox, resumably, by UIDVALIDITY and UID.

Within a folder, IMAP gives each message a UID that only grows, for as long as the folder's
UIDVALIDITY stays the same. So the state to keep per folder is the pair (UIDVALIDITY, highest
UID fetched): the next sync asks only for higher UIDs, and starts over when UIDVALIDITY changed
(the server renumbered the folder, e.g. after it was rebuilt or recreated).

    with ImapMailbox(settings) as box:
        for message in box.fetch_new("INBOX", since=saved_state):
            store(message.raw)
            saved_state = message.state  # save as you go: an interrupted sync resumes here

Messages are read with BODY.PEEK[] in a read-only (EXAMINE) session, so syncing never marks
anything as read in the client's own mail program. The bytes are those the server sends:
lines end with CRLF, as IMAP requires, whatever the server stores on disk.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imapclient import IMAPClient  # type: ignore[import-untyped]
from imapclient.exceptions import (  # type: ignore[import-untyped]
    IMAPClientAbortError,
    IMAPClientError,
    LoginError,
)

SECURITIES = ("ssl", "starttls", "plain")


@dataclass(frozen=True)
class ImapSettings:
    """How to reach and log in to one IMAP account."""

    host: str
    port: int
    security: str  # "ssl" (implicit TLS), "starttls", or "plain" (loopback only)
    username: str
    password: str = field(repr=False)  # kept out of logs and tracebacks
    ca_file: str | None = None  # CA to trust instead of the system's (self-signed servers)
    timeout: float = 30.0


@dataclass(frozen=True)
class FolderState:
    """Where the last sync of a folder stopped."""

    uidvalidity: int
    last_uid: int  # highest UID already fetched


@dataclass(frozen=True)
class FetchedMessage:
    """One message as the server holds it."""

    folder: str
    uidvalidity: int
    uid: int
    raw: bytes = field(repr=False)  # the full RFC 822 bytes, CRLF line endings
    size: int

    @property
    def state(self) -> FolderState:
        """Return the state to resume from once this message is stored."""
        return FolderState(self.uidvalidity, self.uid)


class ImapError(Exception):
    """A reason a person can act on: wrong password, unreachable server, untrusted certificate…

    `kind` lets a user interface word it in its own language: "config", "connection", "tls",
    "certificate", "auth", "folder" or "server".
    """

    def __init__(self, message: str, kind: str = "server") -> None:
        super().__init__(message)
        self.kind = kind


class ImapMailbox:
    """A logged-in session on an IMAP account: `with ImapMailbox(settings) as box: ...`."""

    def __init__(self, settings: ImapSettings) -> None:
        self.settings = settings
        self._client: Any = None  # imapclient.IMAPClient while inside the `with` block
        self._selected: str | None = None

    def __enter__(self) -> ImapMailbox:
        self._client = self._connect()
        return self

    def __exit__(self, *exc_info: object) -> None:
        client, self._client, self._selected = self._client, None, None
        if client is None:
            return
        try:
            client.logout()
        except Exception:
            # The connection is already broken: just make sure the socket is closed.
            with suppress(Exception):
                client.shutdown()

    def list_folders(self) -> list[str]:
        """Return the names of the folders that can hold messages."""
        with self._errors():
            entries = self._imap.list_folders()
        return [
            name
            for flags, _delimiter, name in entries
            if not {flag.lower() for flag in flags} & {b"\\noselect", b"\\nonexistent"}
        ]

    def folder_state(self, folder: str) -> FolderState:
        """Return the folder's current UIDVALIDITY and highest UID (UIDNEXT - 1)."""
        with self._errors(folder):
            uidvalidity, uidnext = self._examine(folder)
            if uidnext is None:  # optional in a SELECT answer: ask for the newest message
                return FolderState(uidvalidity, max(self._imap.search(["UID", "*"]), default=0))
        return FolderState(uidvalidity, uidnext - 1)

    def fetch_new(
        self, folder: str, since: FolderState | None, batch_size: int = 50
    ) -> Iterator[FetchedMessage]:
        """Yield the folder's messages newer than `since`, in UID order, a batch at a time.

        Fetch everything when `since` is None or belongs to another UIDVALIDITY.
        """
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        with self._errors(folder):
            uidvalidity, _ = self._examine(folder)
            start = 1
            if since is not None and since.uidvalidity == uidvalidity:
                start = since.last_uid + 1
            # "UID n:*" also matches the newest message when its UID is below n, hence the filter.
            uids = sorted(uid for uid in self._imap.search(["UID", f"{start}:*"]) if uid >= start)
        for first in range(0, len(uids), batch_size):
            batch = uids[first : first + batch_size]
            with self._errors(folder):
                self._reselect(folder, uidvalidity)
                fetched = self._imap.fetch(batch, ["BODY.PEEK[]"])
            for uid in batch:
                if uid in fetched:  # absent when expunged since the search
                    raw = fetched[uid][b"BODY[]"]
                    yield FetchedMessage(folder, uidvalidity, uid, raw, len(raw))

    @property
    def _imap(self) -> Any:
        if self._client is None:
            raise RuntimeError("use ImapMailbox as a context manager: `with ImapMailbox(...)`")
        return self._client

    def _examine(self, folder: str) -> tuple[int, int | None]:
        # Read-only, so that nothing done here can change flags, even by accident.
        answer = self._imap.select_folder(folder, readonly=True)
        self._selected = folder
        if b"UIDVALIDITY" not in answer:
            raise ImapError(
                f"The server gives no UIDVALIDITY for {folder!r}: it cannot be synced.", "server"
            )
        uidnext = answer.get(b"UIDNEXT")
        return int(answer[b"UIDVALIDITY"]), None if uidnext is None else int(uidnext)

    def _reselect(self, folder: str, uidvalidity: int) -> None:
        # The caller may have used this mailbox between two batches (another folder selected).
        if self._selected == folder:
            return
        if self._examine(folder)[0] != uidvalidity:
            raise ImapError(f"The folder {folder!r} was renumbered during the sync.", "folder")

    def _connect(self) -> Any:
        s = self.settings
        if s.security not in SECURITIES:
            raise ImapError(
                f"Unknown connection security {s.security!r}: use ssl, starttls or plain.", "config"
            )
        if s.security == "plain" and not _is_loopback(s.host):
            raise ImapError(
                f"Refusing to send the password unencrypted to {s.host}: use ssl or starttls.",
                "config",
            )
        try:
            context = ssl.create_default_context(cafile=s.ca_file)  # checks host names too
        except (OSError, ValueError) as error:
            raise ImapError(f"Cannot read the CA file {s.ca_file}: {error}.", "config") from error
        with self._errors():
            client = IMAPClient(
                s.host,
                port=s.port,
                ssl=s.security == "ssl",
                ssl_context=context,
                timeout=s.timeout,
            )
            try:
                if s.security == "starttls":
                    if not client.has_capability("STARTTLS"):
                        raise ImapError(
                            f"{s.host}:{s.port} does not offer STARTTLS: use ssl or another port.",
                            "tls",
                        )
                    client.starttls(context)
                if f"{s.username}{s.password}".isascii():
                    client.login(s.username, s.password)
                else:  # LOGIN only carries ASCII; AUTHENTICATE PLAIN carries UTF-8
                    client.plain_login(s.username, s.password)
            except BaseException:
                with suppress(Exception):
                    client.shutdown()
                raise
        return client

    @contextmanager
    def _errors(self, folder: str | None = None) -> Iterator[None]:
        """Turn what imapclient, ssl and socket raise into an ImapError that says what to do."""
        s = self.settings
        where = f"{s.host}:{s.port}"
        try:
            yield
        except ImapError:
            raise
        except LoginError as error:
            raise ImapError(
                f"Authentication refused for {s.username!r} on {where}: "
                f"check the username and password (the server said: {_said(error)}).",
                "auth",
            ) from error
        except IMAPClientAbortError as error:
            raise ImapError(
                f"The connection to {where} was lost: {_said(error)}.", "connection"
            ) from error
        except IMAPClientError as error:
            if folder is not None and not self._exists(folder):
                raise ImapError(
                    f"The folder {folder!r} does not exist on {where}.", "folder"
                ) from error
            raise ImapError(f"{where} refused the request: {_said(error)}", "server") from error
        except ssl.SSLCertVerificationError as error:
            raise ImapError(
                f"The TLS certificate of {where} could not be verified ({error.verify_message}). "
                "If the server uses a self-signed or private certificate, give its CA file.",
                "certificate",
            ) from error
        except ssl.SSLError as error:
            raise ImapError(
                f"The TLS handshake with {where} failed ({error.reason or error}): check that the "
                "port matches the security setting (usually 993 for ssl, 143 for starttls).",
                "tls",
            ) from error
        except ConnectionRefusedError as error:
            raise ImapError(
                f"Connection refused by {where}: check the host and port, "
                "and that the server is running.",
                "connection",
            ) from error
        except TimeoutError as error:
            raise ImapError(
                f"No answer from {where} within {s.timeout:g} s: check the host, the port and "
                "the security setting.",
                "connection",
            ) from error
        except socket.gaierror as error:
            raise ImapError(
                f"Unknown host {s.host!r}: check its spelling.", "connection"
            ) from error
        except OSError as error:
            raise ImapError(
                f"Cannot reach {where}: {error.strerror or error}.", "connection"
            ) from error

    def _exists(self, folder: str) -> bool:
        # Only used to explain a failure: when in doubt, blame the server rather than the folder.
        try:
            return bool(self._imap.folder_exists(folder))
        except Exception:
            return True


def load_password(env_var: str | None = None, secret_file: str | None = None) -> str:
    """Read the password from an environment variable, else from a secret file (stripped)."""
    if env_var and (value := os.environ.get(env_var, "").strip()):
        return value
    if secret_file:
        try:
            value = Path(secret_file).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as error:
            raise ImapError(
                f"Cannot read the password file {secret_file}: {error}.", "config"
            ) from error
        if value:
            return value
    sources = [f"the environment variable {env_var}"] if env_var else []
    sources += [f"the file {secret_file}"] if secret_file else []
    raise ImapError(
        f"No IMAP password found in {' or '.join(sources)}."
        if sources
        else "No IMAP password: name an environment variable or a secret file.",
        "config",
    )


def _said(error: Exception) -> str:
    # imaplib passes the server's answer on as bytes, which str() shows as b'...'.
    text = str(error)
    if text[:2] in ("b'", 'b"') and text[-1:] == text[1]:
        return text[2:-1]
    return text


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
