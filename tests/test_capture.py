"""Capture: real mail in, exchanges out — every message accounted for, nothing doubled."""

from __future__ import annotations

import datetime as dt
import json
import mailbox
import textwrap
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest
from django.core.management import call_command

from accalmie.accounts.models import WorkspaceDomain
from accalmie.capture.models import CapturedMessage, Correspondent, ImportJob
from accalmie.capture.services import assign_correspondent
from accalmie.clients.models import ClientDomain, ContactEmail
from accalmie.comms.models import Attachment, Direction, Interaction
from tests.corpora import corpus_files, external_data
from tests.factories import ClientFactory, ContactFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db


def run_import(capsys, *args: str) -> dict:
    call_command("import", *args, "--json", "--quiet")
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def agency_ws(db):
    ws = WorkspaceFactory(slug="boreal")
    WorkspaceDomain.objects.create(workspace=ws, domain="atelier-boreal.fr")
    client = ClientFactory(workspace=ws, name="Verdier")
    ClientDomain.objects.create(workspace=ws, client=client, domain="verdier.fr")
    contact = ContactFactory(client=client, name="Anne Verdier")
    ContactEmail.objects.create(contact=contact, address="anne@verdier.fr")
    return ws


def _mail(sender, to, subject, body, when, reply_to=None, attachment=None, html=None):
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message["Date"] = format_datetime(when)
    message["Message-ID"] = make_msgid(domain=sender.split("@")[-1].rstrip(">"))
    if reply_to is not None:
        message["In-Reply-To"] = reply_to["Message-ID"]
        message["References"] = reply_to["Message-ID"]
    message.set_content(body)
    if html:
        message.add_alternative(html, subtype="html")
    if attachment:
        name, data = attachment
        message.add_attachment(data, maintype="application", subtype="pdf", filename=name)
    return message


@pytest.mark.parametrize(
    ("corpus", "expected_files"),
    [
        (("spamassassin-raw",), 2796),
        (("mail-gem-fixtures", "emails"), 104),
        (("mimekit-testdata", "messages"), None),
        (("mimekit-testdata", "partial"), None),
    ],
)
def test_every_corpus_file_is_imported_or_quarantined(capsys, corpus, expected_files):
    """GIVEN real mail nobody here wrote WHEN it is imported THEN each file is accounted for,
    with no crash; a second import of the same files adds nothing."""
    ws = WorkspaceFactory(slug="corpus")
    files = corpus_files(*corpus)
    if expected_files:
        assert len(files) - sum(f.name == "SOURCE.md" for f in files) >= expected_files
    root = external_data().joinpath(*corpus)
    report = run_import(capsys, "eml", str(root), "--workspace", ws.slug)
    assert report["status"] == "done"
    assert report["messages"] == len(files)
    assert report["imported"] + report["duplicates"] + report["quarantined"] == len(files)
    assert report["imported"] > 0
    for item in report["quarantine"]:
        assert item["reason"].strip(), item
    imported = Interaction.objects.filter(workspace=ws).count()
    assert imported == report["imported"]

    again = run_import(capsys, "eml", str(root), "--workspace", ws.slug)
    assert again["imported"] == 0 and again["quarantined"] == 0
    assert again["duplicates"] == len(files)
    assert Interaction.objects.filter(workspace=ws).count() == imported


def test_mimekit_mboxes_give_every_message(capsys):
    ws = WorkspaceFactory(slug="mbox")
    counts = {
        "content-length.mbox.txt": 29,
        "issue1189.mbox.txt": 4,
        "simple.mbox.txt": 3,
        "unmunged.mbox.txt": 2,
    }  # its body "From " lines are not envelopes
    for name, count in counts.items():
        path = external_data() / "mimekit-testdata" / "mbox" / name
        report = run_import(capsys, "mbox", str(path), "--workspace", ws.slug)
        assert report["messages"] == count, name
        assert report["imported"] + report["duplicates"] + report["quarantined"] == count


def test_an_mbox_export_becomes_threads_with_clients_and_a_review_list(agency_ws, tmp_path, capsys):
    t0 = dt.datetime(2026, 3, 2, 9, 15, tzinfo=dt.UTC)
    first = _mail(
        "Anne Verdier <anne@verdier.fr>",
        "claire@atelier-boreal.fr",
        "Maquettes de mars",
        "Bonjour Claire,\n\nPouvez-vous nous envoyer les maquettes avant jeudi ?\n\n"
        "--\nAnne Verdier\nDirectrice marketing\n",
        t0,
        attachment=("brief été.pdf", b"%PDF-1.4 demo"),
    )
    reply = _mail(
        "Claire Martin <claire@atelier-boreal.fr>",
        "anne@verdier.fr",
        "RE: Maquettes de mars",
        "Bonjour Anne,\n\nOui, elles partent mercredi.\n\nLe lun. 2 mars 2026 à 10:15, "
        "Anne Verdier <anne@verdier.fr> a écrit :\n> Bonjour Claire,\n> Pouvez-vous nous "
        "envoyer les maquettes avant jeudi ?\n",
        t0 + dt.timedelta(hours=2),
        reply_to=first,
    )
    stranger = _mail(
        "Paul Roy <paul@nouveau-prospect.com>",
        "claire@atelier-boreal.fr",
        "Demande de devis",
        "Hello, could you send us a quote?\n\nSent from my iPhone",
        t0 + dt.timedelta(days=1),
        html="<p>Hello, could you send us a <b>quote</b>?</p><script>alert(1)</script>"
        "<img src='https://tracker.example/p.gif'>",
    )
    box = mailbox.mbox(tmp_path / "export.mbox")
    for message in (first, reply, stranger):
        box.add(message)
    box.flush()

    report = run_import(capsys, "mbox", str(tmp_path / "export.mbox"), "--workspace", "boreal")
    assert report | {"quarantine": []} == report | {
        "imported": 3,
        "duplicates": 0,
        "quarantined": 0,
        "unassigned": 1,
        "quarantine": [],
    }
    inbound = Interaction.objects.get(subject="Maquettes de mars")
    outbound = Interaction.objects.get(subject="RE: Maquettes de mars")
    assert inbound.client.name == outbound.client.name == "Verdier"
    assert inbound.direction == Direction.FROM_CLIENT
    assert outbound.direction == Direction.TO_CLIENT
    assert inbound.thread_id == outbound.thread_id
    assert "Anne Verdier" not in inbound.body_text  # signature folded away
    assert "Directrice marketing" in inbound.signature_text
    assert outbound.body_text.strip().endswith("Oui, elles partent mercredi.")
    assert "avant jeudi" in outbound.quoted_text
    assert Attachment.objects.get(interaction=inbound).filename == "brief été.pdf"

    lead = Interaction.objects.get(subject="Demande de devis")
    assert lead.client is None
    assert "<script" not in lead.body_html and "tracker.example" not in lead.body_html
    assert "iPhone" not in lead.body_text
    pending = Correspondent.objects.get(address="paul@nouveau-prospect.com")
    assert pending.status == Correspondent.Status.PENDING

    moved = assign_correspondent(pending, inbound.client, whole_domain=True)
    assert moved == 1
    lead.refresh_from_db()
    assert lead.client == inbound.client
    assert ClientDomain.objects.filter(domain="nouveau-prospect.com").exists()

    again = run_import(capsys, "mbox", str(tmp_path / "export.mbox"), "--workspace", "boreal")
    assert (again["imported"], again["duplicates"]) == (0, 3)


def test_a_broken_message_is_quarantined_with_its_reason_and_bytes(agency_ws, tmp_path, capsys):
    (tmp_path / "good.eml").write_bytes(
        b"From: anne@verdier.fr\r\nTo: claire@atelier-boreal.fr\r\nSubject: ok\r\n"
        b"Message-ID: <ok@verdier.fr>\r\n\r\nBonjour\r\n"
    )
    garbage = bytes(range(256)) * 4
    (tmp_path / "garbage.eml").write_bytes(garbage)
    report = run_import(capsys, "eml", str(tmp_path), "--workspace", "boreal")
    assert (report["imported"], report["quarantined"]) == (1, 1)
    item = report["quarantine"][0]
    assert item["source_key"] == "garbage.eml" and item["reason"]
    kept = CapturedMessage.objects.get(outcome=CapturedMessage.Outcome.QUARANTINED)
    from accalmie.capture.blobs import read_blob

    assert read_blob(kept.content_hash) == garbage
    call_command("stats", "--json")
    stats = json.loads(capsys.readouterr().out)
    assert stats["workspaces"]["boreal"]["quarantined"] == 1


def test_csv_log_of_calls_with_per_row_errors(agency_ws, tmp_path, capsys):
    log = tmp_path / "appels.csv"
    log.write_text(
        textwrap.dedent("""\
        date;channel;client;subject;summary;contact;duration_minutes
        2026-03-02 14:30;appel;Verdier;Point hebdo;Anne veut avancer.;anne@verdier.fr;20
        2026-03-03 10:00;meeting;verdier.fr;Atelier;Atelier maquettes avec l'équipe.;;90
        2026-13-45 10:00;call;Verdier;;Date impossible.;;
        2026-03-04 10:00;fax;Verdier;;Canal inconnu.;;
        2026-03-05 10:00;call;Inconnu SA;;Client inconnu.;;
        2026-03-06 10:00;note;Verdier;;;;
        """),
        encoding="utf-8",
    )
    report = run_import(capsys, "csv", str(log), "--workspace", "boreal")
    assert (report["imported"], report["quarantined"]) == (2, 4)
    reasons = " | ".join(item["reason"] for item in report["quarantine"])
    assert "line 4: date « 2026-13-45 10:00 » is not a date" in reasons
    assert "line 5: channel « fax »" in reasons
    assert "line 6: no client « Inconnu SA »" in reasons
    assert "line 7: missing summary" in reasons
    call = Interaction.objects.get(subject="Point hebdo")
    assert (call.channel, call.duration_minutes, call.client.name) == ("call", 20, "Verdier")
    assert call.occurred_at == dt.datetime(2026, 3, 2, 13, 30, tzinfo=dt.UTC)  # Paris time
    again = run_import(capsys, "csv", str(log), "--workspace", "boreal")
    assert again["imported"] == 0 and again["duplicates"] == 6


def test_a_missing_source_is_a_clear_error(agency_ws):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="does not exist"):
        call_command("import", "mbox", "/nonexistent/file.mbox", "--workspace", "boreal")
    with pytest.raises(CommandError, match="No workspace"):
        call_command("import", "mbox", "/tmp", "--workspace", "nope")
    assert ImportJob.objects.count() == 0


def test_a_public_mail_domain_is_never_given_whole_to_a_client(agency_ws):
    from django.core.exceptions import ValidationError

    person = Correspondent.objects.create(
        workspace=agency_ws, address="someone@gmail.com", domain="gmail.com"
    )
    client = agency_ws.clients.get()
    with pytest.raises(ValidationError, match="public mail provider"):
        assign_correspondent(person, client, whole_domain=True)
    assert assign_correspondent(person, client) == 0
    assert not ClientDomain.objects.filter(domain="gmail.com").exists()
    assert ContactEmail.objects.filter(address="someone@gmail.com").exists()


def test_a_forwarded_message_attached_keeps_its_text(agency_ws, capsys):
    path = external_data() / "mimekit-testdata" / "messages" / "simple-embedded-message.eml"
    report = run_import(capsys, "eml", str(path), "--workspace", "boreal")
    assert report["imported"] == 1
    interaction = Interaction.objects.get(workspace=agency_ws)
    assert "embedded message" in interaction.body_full
