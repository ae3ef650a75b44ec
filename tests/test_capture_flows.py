"""Capture end to end: IMAP against a real Dovecot, a killed import resumed, the web pages."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from accalmie.accounts.models import Role, WorkspaceDomain
from accalmie.capture.models import Correspondent, ImportJob, MailAccount
from accalmie.comms.models import Interaction
from tests.conftest import login
from tests.corpora import external_data
from tests.factories import ClientFactory, MembershipFactory, WorkspaceFactory
from tests.mail.dovecot import dovecot_server, real_messages  # noqa: F401 - fixture


def _report(capsys, *args: str) -> dict:
    call_command("import", *args, "--json", "--quiet")
    return json.loads(capsys.readouterr().out)


@pytest.mark.django_db
def test_imap_sync_fetches_only_what_is_new(dovecot, capsys, monkeypatch):
    """GIVEN a real IMAP account WHEN it is synced twice THEN the second sync fetches nothing;
    WHEN two messages arrive THEN only they are imported."""
    ws = WorkspaceFactory(slug="imap")
    folder = f"Projets-{os.getpid()}-{time.monotonic_ns()}"
    for raw in real_messages(5, skip=100):
        dovecot.append(folder, raw)
    monkeypatch.setenv("TEST_IMAP_PASSWORD", dovecot.password)
    first = _report(
        capsys,
        "imap",
        "--workspace",
        "imap",
        "--account",
        "boite",
        "--host",
        dovecot.host,
        "--port",
        str(dovecot.imap_port),
        "--security",
        "starttls",
        "--user",
        dovecot.username,
        "--password-env",
        "TEST_IMAP_PASSWORD",
        "--ca-file",
        dovecot.ca_file,
        "--folder",
        folder,
    )
    assert (first["status"], first["imported"], first["messages"]) == ("done", 5, 5)
    account = MailAccount.objects.get(workspace=ws, label="boite")
    assert account.password_env == "TEST_IMAP_PASSWORD"
    assert not any(
        dovecot.password in str(v) for v in MailAccount.objects.values().first().values()
    )

    second = _report(capsys, "imap", "--workspace", "imap", "--account", "boite")
    assert (second["messages"], second["imported"]) == (0, 0)

    for raw in real_messages(2, skip=200):
        dovecot.append(folder, raw)
    third = _report(capsys, "imap", "--workspace", "imap", "--account", "boite")
    assert (third["messages"], third["imported"]) == (2, 2)
    assert Interaction.objects.filter(workspace=ws).count() == 7


@pytest.mark.django_db
def test_imap_errors_are_reported_on_the_job(dovecot, capsys, monkeypatch):
    WorkspaceFactory(slug="imap-bad")
    monkeypatch.setenv("TEST_IMAP_PASSWORD", "not the password")
    from django.core.management import CommandError

    with pytest.raises(CommandError, match=r"(?i)authenticat"):
        call_command(
            "import",
            "imap",
            "--workspace",
            "imap-bad",
            "--account",
            "x",
            "--host",
            dovecot.host,
            "--port",
            str(dovecot.imaps_port),
            "--security",
            "ssl",
            "--user",
            dovecot.username,
            "--password-env",
            "TEST_IMAP_PASSWORD",
            "--ca-file",
            dovecot.ca_file,
            "--quiet",
        )
    job = ImportJob.objects.get(workspace__slug="imap-bad")
    assert job.status == ImportJob.Status.FAILED and "uthenticat" in job.error
    assert "uthenticat" in MailAccount.objects.get(label="x").last_error


def _cli(*args: str, data_dir: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["ACCALMIE_DATA_DIR"] = str(data_dir)
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("accalmie")), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_killed_import_resumes_without_losing_or_doubling(tmp_path):
    """GIVEN an mbox import killed mid-way WHEN it is resumed THEN the totals are those of
    an uninterrupted import and nothing is doubled."""
    mbox = tmp_path / "big.mbox"
    with mbox.open("wb") as out:
        for path in sorted((external_data() / "spamassassin-raw").rglob("*.txt")):
            raw = path.read_bytes()
            if not raw.startswith(b"From "):
                out.write(b"From nobody@example.org Mon Jan  1 00:00:00 2001\n")
            body = b"\n".join(
                b">" + line if line.startswith(b"From ") and i else line
                for i, line in enumerate(raw.split(b"\n"))
            )
            out.write(body.rstrip(b"\n") + b"\n\n")
    data = tmp_path / "data"
    for args in (("migrate", "-v0"), ("workspace", "create", "kill", "--name", "Kill")):
        assert _cli(*args, data_dir=data).wait(120) == 0

    running = _cli("import", "mbox", str(mbox), "--workspace", "kill", "--quiet", data_dir=data)
    import sqlite3

    db = sqlite3.connect(data / "accalmie.sqlite3", timeout=30)
    deadline = time.monotonic() + 120
    seen = 0
    while time.monotonic() < deadline and seen < 400:
        time.sleep(0.2)
        row = db.execute("SELECT seen FROM capture_importjob").fetchone()
        seen = row[0] if row else 0
    running.send_signal(signal.SIGKILL)
    running.wait(30)
    assert 0 < seen < 2796, "the import should have been killed mid-way"
    job_id, status = db.execute("SELECT id, status FROM capture_importjob").fetchone()
    assert status == "running"

    resumed = _cli("import", "resume", str(job_id), "--force", "--json", "--quiet", data_dir=data)
    out, err = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, err
    report = json.loads(out)
    assert report["status"] == "done"
    # The batch in flight when it was killed was rolled back, counters included, and done
    # again: the totals are those of one uninterrupted import.
    assert report["messages"] == 2796
    assert report["imported"] + report["duplicates"] + report["quarantined"] == 2796
    captured = db.execute("SELECT COUNT(*) FROM capture_capturedmessage").fetchone()[0]
    interactions = db.execute("SELECT COUNT(*) FROM comms_interaction").fetchone()[0]
    assert captured == report["imported"] + report["quarantined"]
    assert interactions == report["imported"]


@pytest.mark.django_db(transaction=True)
def test_upload_runs_in_the_background_and_the_review_list_sorts_people(tmp_path):
    ws = WorkspaceFactory(slug="web")
    WorkspaceDomain.objects.create(workspace=ws, domain="atelier-boreal.fr")
    manager = MembershipFactory(workspace=ws, role=Role.ACCOUNT_MANAGER).user
    reader = MembershipFactory(workspace=ws, role=Role.READ_ONLY).user
    client = ClientFactory(workspace=ws, name="Verdier", account_manager=manager)
    eml = (
        b"From: Paul Roy <paul@roy-conseil.fr>\r\nTo: claire@atelier-boreal.fr\r\n"
        b"Subject: =?utf-8?q?Devis_pour_l=27=C3=A9t=C3=A9?=\r\nMessage-ID: <devis@roy>\r\n"
        b"Date: Mon, 02 Mar 2026 10:00:00 +0100\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/html; charset=iso-8859-1\r\n\r\n"
        b"<p>Bonjour, voici notre demande pour l'\xe9t\xe9.</p><script>alert(1)</script>\r\n"
    )
    http = login(manager)
    imports = reverse("import-list", kwargs={"workspace": "web"})
    assert login(reader).get(imports).status_code == 403
    response = http.post(imports, {"kind": "eml", "file": SimpleUploadedFile("devis.eml", eml)})
    job = ImportJob.objects.get(workspace=ws)
    assert response.status_code == 302 and job.status == ImportJob.Status.QUEUED
    assert 'http-equiv="refresh"' in http.get(response["Location"]).content.decode()

    call_command("worker", batch=True, queue_name="*", verbosity=0)
    job.refresh_from_db()
    assert (job.status, job.imported, job.unassigned) == ("done", 1, 1)
    report = http.get(response["Location"]).content.decode()
    assert "Terminé" in report and 'http-equiv="refresh"' not in report

    lead = Interaction.objects.get(workspace=ws)
    assert lead.subject == "Devis pour l'été"
    assert "demande pour l'été" in lead.body_text
    page = (
        login(MembershipFactory(workspace=ws, role=Role.DIRECTOR).user)
        .get(reverse("interaction-detail", kwargs={"workspace": "web", "interaction_id": lead.pk}))
        .content.decode()
    )
    assert "<script>alert" not in page

    person = Correspondent.objects.get(address="paul@roy-conseil.fr")
    review = reverse("review", kwargs={"workspace": "web"})
    assert "paul@roy-conseil.fr" in http.get(review).content.decode()
    decide = reverse("review-decide", kwargs={"workspace": "web", "correspondent_id": person.pk})
    http.post(decide, {"action": "assign", "client": client.pk})
    lead.refresh_from_db()
    assert lead.client == client
    after = http.get(review).content.decode()
    assert "attribué à Verdier" in after
    assert 'à trier <span class="muted">(0)</span>' in after

    outsider = login(MembershipFactory(role=Role.DIRECTOR).user)
    assert (
        outsider.get(
            reverse("import-report", kwargs={"workspace": "web", "job_id": job.pk})
        ).status_code
        == 404
    )
