"""A real Dovecot IMAP server for the tests, built from nothing in a temporary directory.

The `dovecot` fixture (one server per test session) installs Dovecot from Debian's packages
when it is missing, writes a self-signed certificate for localhost / 127.0.0.1 and a minimal
dovecot.conf that reads no system configuration, starts `dovecot -F` on two free loopback
ports (IMAP with STARTTLS, and IMAPS), fills INBOX and "Clients" with a dozen real messages
each from the SpamAssassin corpus, and stops the server at the end.

Run as root, Dovecot's own processes use the `dovecot` and `dovenull` users its package
creates, and the mail is read and written as `nobody`, which owns the mail directory.
Run as another user, every process runs as that user, and nothing is chrooted.
"""

from __future__ import annotations

import grp
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from imapclient import IMAPClient  # type: ignore[import-untyped]

from accalmie.mail.imap import ImapSettings

REPO = Path(__file__).resolve().parents[2]
DOVECOT = "/usr/sbin/dovecot"
USERNAME = "client"
PASSWORD = "correct horse battery staple"
# A second account, to check that a password outside ASCII gets through (Dovecot,
# like most servers, allows only ASCII user names).
ACCENTED_USERNAME = "elodie"
ACCENTED_PASSWORD = "mot-de-passe-très-secret"
SEEDED = {"INBOX": 12, "Clients": 12}


def external_data() -> Path:
    """Return the shared external data: $ACCALMIE_EXTERNAL_DATA, else ../shared/data/external."""
    override = os.environ.get("ACCALMIE_EXTERNAL_DATA")
    return Path(override) if override else REPO.parent / "shared" / "data" / "external"


def real_messages(count: int, skip: int = 0) -> list[bytes]:
    """Return `count` real messages from the SpamAssassin easy-ham-2 corpus (see its SOURCE.md).

    The corpus files start with an mbox "From " line; a mail server never stores it, so drop it.
    """
    directory = external_data() / "spamassassin-raw" / "easy-ham-2"
    if not directory.is_dir():
        pytest.fail(f"Real mail is missing: {directory} (set ACCALMIE_EXTERNAL_DATA).")
    paths = sorted(directory.glob("*.txt"))[skip : skip + count]
    raws = [path.read_bytes() for path in paths]
    return [raw.split(b"\n", 1)[1] if raw.startswith(b"From ") else raw for raw in raws]


@dataclass
class Dovecot:
    """A running Dovecot: where to reach it, and helpers to look behind the code under test."""

    host: str
    imap_port: int  # plain IMAP, STARTTLS offered
    imaps_port: int  # implicit TLS
    username: str
    password: str
    ca_file: str
    maildir: Path
    log: Path
    appended: dict[str, list[bytes]] = field(default_factory=dict)

    def settings(self, security: str = "ssl", **changes: Any) -> ImapSettings:
        """Return ImapSettings for the test account over `security`, with `changes` applied."""
        port = self.imaps_port if security == "ssl" else self.imap_port
        settings = ImapSettings(
            self.host, port, security, self.username, self.password, self.ca_file, timeout=5.0
        )
        return replace(settings, **changes)

    def append(self, folder: str, raw: bytes) -> int:
        """Append a message to `folder` (created when missing) and return its UID."""
        with self._client() as client:
            if not client.folder_exists(folder):
                client.create_folder(folder)
            answer = client.append(folder, raw)
        self.appended.setdefault(folder, []).append(raw)
        match = re.search(rb"\[APPENDUID \d+ (\d+)\]", answer)
        assert match, answer
        return int(match.group(1))

    def flags(self, folder: str) -> dict[int, tuple[bytes, ...]]:
        """Return the flags of every message in `folder`, by UID."""
        with self._client() as client:
            client.select_folder(folder, readonly=True)
            return dict(client.get_flags(client.search()))

    def _client(self) -> IMAPClient:
        # Plain IMAP is fine here: Dovecot trusts loopback connections, and this is test set-up.
        client = IMAPClient(self.host, port=self.imap_port, ssl=False, timeout=5)
        client.login(self.username, self.password)
        return client


def free_port() -> int:
    """Return a loopback TCP port that nothing listens on (at the time of asking)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _ensure_installed() -> None:
    script = REPO / "scripts" / "ensure-debian-packages"
    done = subprocess.run(
        [script, f"{DOVECOT}:dovecot-imapd", "openssl:openssl"], capture_output=True, text=True
    )
    if done.returncode:
        pytest.fail(f"Dovecot is needed for the IMAP tests: {done.stderr.strip()}")


def _make_certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    request = (
        "req -x509 -nodes -days 2 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1"
        " -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1"
    )
    subprocess.run(
        ["openssl", *request.split(), "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


def _write_config(root: Path, imap_port: int, imaps_port: int) -> Path:
    cert, key = _make_certificate(root)
    passwd = root / "passwd"
    passwd.write_text(
        f"{USERNAME}:{{PLAIN}}{PASSWORD}::::::\n"
        f"{ACCENTED_USERNAME}:{{PLAIN}}{ACCENTED_PASSWORD}::::::\n",
        encoding="utf-8",
    )
    home = root / "home"
    home.mkdir()
    if os.geteuid() == 0:
        # Dovecot refuses to read mail as root (UID 0 is below any first_valid_uid): use
        # nobody, and keep its own processes on the users Debian's package created.
        mail_user = pwd.getpwnam("nobody")
        internal_user, login_user = "dovecot", "dovenull"
        shutil.chown(home, mail_user.pw_uid, mail_user.pw_gid)
    else:
        mail_user = pwd.getpwuid(os.getuid())
        internal_user = login_user = mail_user.pw_name
    config = root / "dovecot.conf"
    config.write_text(
        f"""\
# No system configuration is read: this file is all there is.
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
default_internal_user = {internal_user}
default_internal_group = {grp.getgrgid(pwd.getpwnam(internal_user).pw_gid).gr_name}
default_login_user = {login_user}
first_valid_uid = {mail_user.pw_uid}
last_valid_uid = {mail_user.pw_uid}
mail_location = maildir:~/Maildir
mail_fsync = never
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
auth_mechanisms = plain login
# A failed login delays the next ones from the same address (2 s, then up to 15 s per
# attempt): right for a server on the internet, but it would stall every test after the
# wrong-password one.
auth_failure_delay = 0
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
  chroot =
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {passwd}
}}
userdb {{
  driver = static
  args = uid={mail_user.pw_uid} gid={mail_user.pw_gid} home={home}/%u
}}
# Only root may chroot, and a throwaway server gains nothing from it.
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
}}
""",
        encoding="utf-8",
    )
    return config


def _wait_for(process: subprocess.Popen[bytes], ports: list[int], root: Path) -> None:
    deadline = time.monotonic() + 15
    waiting = list(ports)
    while waiting:
        if process.poll() is not None or time.monotonic() > deadline:
            logs = [root / "console.log", root / "dovecot.log"]
            text = "\n".join(log.read_text() for log in logs if log.exists())
            pytest.fail(f"Dovecot did not start:\n{text}")
        try:
            socket.create_connection(("127.0.0.1", waiting[0]), timeout=1).close()
            waiting.pop(0)
        except OSError:
            time.sleep(0.05)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()  # Dovecot's master stops its children on SIGTERM
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session", name="dovecot")
def dovecot_server() -> Iterator[Dovecot]:
    """Start a Dovecot holding real mail in INBOX and Clients; stop it after the session."""
    _ensure_installed()
    root = Path(tempfile.mkdtemp(prefix="accalmie-dovecot-"))
    # mkdtemp makes the directory 0700: Dovecot's unprivileged processes must get through it.
    root.chmod(0o755)
    process = None
    try:
        imap_port, imaps_port = free_port(), free_port()
        config = _write_config(root, imap_port, imaps_port)
        with (root / "console.log").open("wb") as console:  # the child keeps its own copy
            process = subprocess.Popen(
                [DOVECOT, "-F", "-c", config], stdout=console, stderr=subprocess.STDOUT
            )
        _wait_for(process, [imap_port, imaps_port], root)
        server = Dovecot(
            host="127.0.0.1",
            imap_port=imap_port,
            imaps_port=imaps_port,
            username=USERNAME,
            password=PASSWORD,
            ca_file=str(root / "cert.pem"),
            maildir=root / "home" / USERNAME / "Maildir",
            log=root / "dovecot.log",
        )
        skip = 0
        for folder, count in SEEDED.items():
            for raw in real_messages(count, skip):
                server.append(folder, raw)
            skip += count
        yield server
    finally:
        if process is not None:
            _stop(process)
        shutil.rmtree(root, ignore_errors=True)
