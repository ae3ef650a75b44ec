"""Security review of the web views added for acting and recording: the attacks that matter.

Ids of another workspace or client in POST data, writes by read-only members, CSRF, HTTP
methods, header injection in the .eml export, mail HTML, redirects, and bad input that must
give a 4xx, never a 500. Each test fails if its protection is removed.
"""

from __future__ import annotations

import datetime as dt
import email
import re
from email import policy

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from accalmie.actions.models import Task
from accalmie.comms.models import Interaction, Thread
from accalmie.core.models import AuditEvent
from accalmie.detect.models import HitFeedback, SignalHit
from accalmie.detect.services import analyse_stale
from accalmie.finance.models import Invoice
from accalmie.projects.models import Contract
from accalmie.team.forms import current_week
from accalmie.team.models import TeamPulse
from tests.conftest import login
from tests.factories import (
    ClientFactory,
    ContactEmailFactory,
    ContactFactory,
    InteractionFactory,
    InvoiceFactory,
    ProjectFactory,
)

THREAT = "Si ce n'est pas livré vendredi, nous irons voir une autre agence, je vous préviens."
HUGE = "9" * 30


def _u(agency, name, **kwargs):
    return reverse(name, kwargs={"workspace": agency.workspace.slug, **kwargs})


def _quiet(user) -> HttpClient:
    """A logged-in client that returns a 500 as a response instead of raising it."""
    http = login(user)
    http.raise_request_exception = False
    return http


@pytest.fixture
def records(agency):
    """A contact with an address, a project, an invoice, a task and a hit on `client`."""
    contact = ContactFactory(client=agency.client, name="Léa Verdier")
    ContactEmailFactory(contact=contact, workspace=agency.workspace, address="lea@verdier.example")
    project = ProjectFactory(client=agency.client)
    invoice = InvoiceFactory(client=agency.client)
    task = Task.objects.create(
        workspace=agency.workspace,
        client=agency.client,
        title="Rappeler le périmètre",
        playbook_id="scope_creep",
        action_id="remind_scope",
        template_id="weekly_update",
        owner=agency.owner,
        due_on=timezone.localdate(),
        created_by=agency.owner,
    )
    message = InteractionFactory(client=agency.client, body_text=THREAT, subject="Ultimatum")
    analyse_stale(Interaction.objects.filter(pk=message.pk))
    hit = SignalHit.objects.get(interaction=message, signal="intimidation")
    return {"contact": contact, "project": project, "invoice": invoice, "task": task, "hit": hit}


def _writes(agency, r):
    """Every write of the reviewed views, as (url, valid POST data)."""
    client_id = agency.client.pk
    now = timezone.localtime().replace(second=0, microsecond=0) - dt.timedelta(hours=1)
    return [
        (_u(agency, "task-accept", client_id=client_id),
         {"playbook": "scope_creep", "action": "remind_scope"}),
        (_u(agency, "task-complete", task_id=r["task"].pk), {"comment": "fait"}),
        (_u(agency, "draft", client_id=client_id),
         {"template": "weekly_update", "contact": r["contact"].pk, "do": "export",
          "subject": "Point", "body": "Bonjour"}),
        (_u(agency, "hit-feedback", hit_id=r["hit"].pk), {"verdict": "wrong"}),
        (_u(agency, "interaction-record", client_id=client_id),
         {"channel": "note", "direction": "internal", "occurred_at": f"{now:%Y-%m-%dT%H:%M}",
          "subject": "Note", "body_text": "Compte rendu"}),
        (_u(agency, "invoice-create", client_id=client_id),
         {"number": "F-9", "amount": "100", "currency": "EUR", "issued_on": "2026-03-01",
          "due_on": "2026-04-01"}),
        (_u(agency, "invoice-payment", invoice_id=r["invoice"].pk), {"paid_on": "2026-03-05"}),
        (_u(agency, "contract-edit", project_id=r["project"].pk),
         {"reference": "C-1", "currency": "EUR", "revision_rounds_allowed": "2",
          "payment_terms_days": "30", "notice_period_days": "30"}),
        (_u(agency, "team-pulse"),
         {"week": current_week().isoformat(), f"rating_{client_id}": "1"}),
    ]  # fmt: skip


def _written() -> dict[str, int]:
    return {
        "tasks": Task.objects.count(),
        "done": Task.objects.filter(status=Task.Status.DONE).count(),
        "feedback": HitFeedback.objects.count(),
        "interactions": Interaction.objects.count(),
        "invoices": Invoice.objects.filter(paid_on__isnull=False).count() + Invoice.objects.count(),
        "contracts": Contract.objects.count(),
        "pulses": TeamPulse.objects.count(),
        "exports": AuditEvent.objects.filter(action="draft.export").count(),
    }


def test_every_write_works_for_a_director(agency, records):
    """The data of the attacks below is valid: a director writes each of them."""
    http = login(agency.director)
    agency.client.team.add(agency.director)  # the pulse lists the clients one works on
    before = _written()
    for url, data in _writes(agency, records):
        response = http.post(url, data)
        assert response.status_code in (200, 302), (url, response.status_code)
    after = _written()
    assert all(after[k] > before[k] for k in before), (before, after)


@pytest.mark.parametrize(("who", "status"), [("reader", 403), ("outsider", 404)])
def test_read_only_members_and_outsiders_write_nothing(agency, records, who, status):
    http = login(getattr(agency, who))
    before = _written()
    for url, data in _writes(agency, records):
        assert http.post(url, data).status_code == status, url
    assert _written() == before


def test_every_post_needs_the_csrf_token(agency, records):
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(agency.director)
    agency.client.team.add(agency.director)
    before = _written()
    for url, data in _writes(agency, records):
        assert http.post(url, data).status_code == 403, url
    assert _written() == before


def test_other_methods_than_get_and_post_are_refused(agency, records):
    http = login(agency.director)
    for url, _data in _writes(agency, records):
        assert http.put(url).status_code == 405, url
        assert http.delete(url).status_code == 405, url
    for url in (_u(agency, "task-accept", client_id=agency.client.pk), _u(agency, "tone-check")):
        assert http.get(url).status_code == 405


# -- ids of another client or workspace in the POST data --------------------------------------


def test_a_task_cannot_be_given_to_someone_of_another_workspace(agency):
    http = login(agency.owner)
    for owner in (agency.outsider, agency.reader, agency.colleague):
        http.post(
            _u(agency, "task-accept", client_id=agency.client.pk),
            {"playbook": "scope_creep", "action": "remind_scope", "owner": owner.pk},
        )
    assert not Task.objects.exists()


def test_the_draft_ignores_a_task_and_a_contact_of_another_client(agency, records):
    foreign = ClientFactory()  # another workspace
    stranger = ContactFactory(client=foreign)
    ContactEmailFactory(contact=stranger, workspace=foreign.workspace, address="x@evil.example")
    neighbour = ContactFactory(client=agency.other_client, name="Voisin")
    ContactEmailFactory(contact=neighbour, workspace=agency.workspace, address="n@kolibri.example")
    other_task = Task.objects.create(
        workspace=agency.workspace,
        client=agency.other_client,
        title="Autre",
        playbook_id="scope_creep",
        action_id="remind_scope",
        owner=agency.colleague,
        due_on=timezone.localdate(),
        created_by=agency.colleague,
    )
    http = login(agency.director)
    url = _u(agency, "draft", client_id=agency.client.pk)
    for contact in (stranger, neighbour):
        response = http.post(
            url,
            {"template": "weekly_update", "contact": contact.pk, "do": "export",
             "subject": "Point", "body": "Bonjour"},
        )  # fmt: skip
        message = email.message_from_bytes(response.content, policy=policy.default)
        assert message["To"].addresses[0].addr_spec == "lea@verdier.example"
    page = http.get(url, {"task": other_task.pk}).content.decode()
    assert "Autre" not in page
    # A task the member may not see at all is a 404, as everywhere.
    assert login(agency.teammate).get(url, {"task": other_task.pk}).status_code == 404


def test_feedback_on_a_hit_of_another_workspace_is_a_404(agency, records):
    foreign = InteractionFactory(client=ClientFactory(), body_text=THREAT)
    analyse_stale(Interaction.objects.filter(pk=foreign.pk))
    hit = SignalHit.objects.get(interaction=foreign, signal="intimidation")
    url = _u(agency, "hit-feedback", hit_id=hit.pk)
    response = login(agency.director).post(url, {"verdict": "wrong"})
    assert response.status_code == 404 and not HitFeedback.objects.exists()
    # A team member only reaches the hits of the clients they work on.
    mine = InteractionFactory(client=agency.other_client, body_text=THREAT)
    analyse_stale(Interaction.objects.filter(pk=mine.pk))
    hit = SignalHit.objects.get(interaction=mine, signal="intimidation")
    url = _u(agency, "hit-feedback", hit_id=hit.pk)
    assert login(agency.teammate).post(url, {"verdict": "wrong"}).status_code == 404


def test_records_refuse_contacts_invoices_and_projects_of_another_workspace(agency, records):
    foreign = ClientFactory()
    stranger = ContactFactory(client=foreign)
    http = login(agency.director)
    now = timezone.localtime() - dt.timedelta(hours=1)
    response = http.post(
        _u(agency, "interaction-record", client_id=agency.client.pk),
        {"channel": "call", "direction": "to_client", "occurred_at": f"{now:%Y-%m-%dT%H:%M}",
         "subject": "Appel", "body_text": "Compte rendu", "attendees": [stranger.pk]},
    )  # fmt: skip
    assert response.status_code == 400
    response = http.post(
        _u(agency, "contract-edit", project_id=records["project"].pk),
        {"reference": "C-1", "currency": "EUR", "revision_rounds_allowed": "2",
         "payment_terms_days": "30", "notice_period_days": "30",
         "client_contact": stranger.pk, "agency_contact": agency.outsider.pk},
    )  # fmt: skip
    assert response.status_code == 400 and not Contract.objects.exists()
    page = response.content.decode()
    assert "pas un contact du client" in page and "pas membre de l" in page
    foreign_invoice = InvoiceFactory(client=foreign)
    foreign_project = ProjectFactory(client=foreign)
    url = _u(agency, "invoice-payment", invoice_id=foreign_invoice.pk)
    assert http.post(url, {"paid_on": "2026-03-05"}).status_code == 404
    url = _u(agency, "contract-edit", project_id=foreign_project.pk)
    assert http.get(url).status_code == 404
    foreign_invoice.refresh_from_db()
    assert foreign_invoice.paid_on is None


def test_a_pulse_for_a_client_one_does_not_work_on_is_not_saved(agency):
    foreign = ClientFactory()
    response = login(agency.teammate).post(
        _u(agency, "team-pulse"),
        {"week": current_week().isoformat(), f"rating_{agency.client.pk}": "4",
         f"rating_{agency.other_client.pk}": "1", f"rating_{foreign.pk}": "1"},
    )  # fmt: skip
    assert response.status_code == 302
    assert list(TeamPulse.objects.values_list("client_id", flat=True)) == [agency.client.pk]


def test_a_thread_lists_only_the_exchanges_the_member_may_see(agency):
    """A reply matched by Message-ID can put another client's message in the same thread."""
    thread = Thread.objects.create(workspace=agency.workspace, client=agency.client)
    mine = InteractionFactory(client=agency.client, thread=thread, subject="Maquettes")
    InteractionFactory(client=agency.other_client, thread=thread, subject="Kolibri confidentiel")
    InteractionFactory(client=agency.client, thread=thread, subject="Re: Maquettes")
    url = _u(agency, "interaction-detail", interaction_id=mine.pk)
    page = login(agency.teammate).get(url).content.decode()
    assert "Re: Maquettes" in page and "Kolibri confidentiel" not in page
    assert "Kolibri confidentiel" in login(agency.director).get(url).content.decode()


# -- the .eml export --------------------------------------------------------------------------


def test_newlines_in_the_subject_cannot_add_headers_to_the_eml(agency, records):
    http = _quiet(agency.owner)
    response = http.post(
        _u(agency, "draft", client_id=agency.client.pk),
        {"template": "weekly_update", "contact": records["contact"].pk, "do": "export",
         "subject": "Point\r\nBcc: spy@evil.example\nX-Evil: 1", "body": "Bonjour\r\nà bientôt"},
    )  # fmt: skip
    assert response.status_code == 200
    assert response["Content-Type"] == "message/rfc822"
    assert "\n" not in response["Content-Disposition"]
    message = email.message_from_bytes(response.content, policy=policy.default)
    assert message["Bcc"] is None and message["X-Evil"] is None
    assert message["Subject"] == "Point Bcc: spy@evil.example X-Evil: 1"
    assert [a.addr_spec for a in message["To"].addresses] == ["lea@verdier.example"]
    assert message.get_content().strip() == "Bonjour\nà bientôt"


def test_a_check_with_newlines_in_the_subject_keeps_it_on_one_line(agency, records):
    response = _quiet(agency.owner).post(
        _u(agency, "draft", client_id=agency.client.pk),
        {"template": "weekly_update", "do": "check", "subject": "A\nB", "body": "Bonjour"},
    )
    assert response.status_code == 200 and 'value="A B"' in response.content.decode()


# -- mail HTML, redirects ---------------------------------------------------------------------


def test_mail_html_is_sanitised_and_sandboxed(agency):
    message = InteractionFactory(
        client=agency.client,
        body_html='<p onclick="steal()">Bonjour</p><script>steal()</script>'
        '<img src="https://tracker.example/p.gif"><a href="javascript:steal()">lien</a>',
    )
    page = login(agency.owner).get(_u(agency, "interaction-detail", interaction_id=message.pk))
    html = page.content.decode()
    frame = html[html.index("<iframe") : html.index("</iframe>")]
    assert 'sandbox=""' in frame
    assert "steal()" not in frame and "tracker.example" not in frame
    assert "&lt;p&gt;Bonjour&lt;/p&gt;" in frame  # the cleaned HTML, escaped into srcdoc


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x()"]
)
def test_completing_a_task_never_redirects_outside(agency, records, target):
    url = _u(agency, "task-complete", task_id=records["task"].pk)
    response = login(agency.owner).post(url, {"next": target})
    assert response.status_code == 302 and response["Location"] == _u(agency, "task-list")


def test_completing_a_task_returns_to_an_internal_page(agency, records):
    url = _u(agency, "task-complete", task_id=records["task"].pk)
    back = _u(agency, "client-detail", client_id=agency.client.pk)
    assert login(agency.owner).post(url, {"next": back})["Location"] == back


# -- bad input: a 4xx or the page, never a 500 ------------------------------------------------


def test_bad_ids_in_the_draft_query_are_not_server_errors(agency, records):
    http = _quiet(agency.owner)
    url = _u(agency, "draft", client_id=agency.client.pk)
    assert http.get(url, {"task": "²"}).status_code == 200  # "²".isdigit() is true
    assert http.get(url, {"template": "weekly_update", "contact": "²"}).status_code == 200
    assert http.get(url, {"template": "weekly_update", "contact": HUGE}).status_code == 200
    assert http.get(url, {"task": HUGE}).status_code == 200
    assert http.get(url, {"task": "-1", "contact": "abc"}).status_code == 200


def test_bad_dashboard_filters_are_not_server_errors(agency):
    http = _quiet(agency.director)
    url = reverse("client-list", kwargs={"workspace": agency.workspace.slug})
    for manager in ("²", HUGE, "-3", "abc"):
        response = http.get(url, {"manager": manager, "status": "nope", "signal": "<x>"})
        assert response.status_code == 200, manager


def test_bad_exchange_records_are_400s(agency, records):
    http = _quiet(agency.owner)
    url = _u(agency, "interaction-record", client_id=agency.client.pk)
    base = {"channel": "call", "direction": "to_client", "occurred_at": "2026-03-02T10:00",
            "subject": "Appel", "body_text": "Compte rendu"}  # fmt: skip
    for bad in (
        {"attendees": [HUGE]},
        {"attendees": ["²"]},
        {"attendees": ["abc"]},
        {"duration_minutes": HUGE},
        {"occurred_at": "0001-01-01T00:00"},
        {"occurred_at": "9999-12-31T23:59"},
        {"occurred_at": "2026-02-30T10:00"},
        {"channel": "email"},
    ):
        assert http.post(url, {**base, **bad}).status_code == 400, bad
    assert Interaction.objects.filter(client=agency.client, channel="call").count() == 0
    assert http.post(url, base).status_code == 302


def test_bad_task_and_form_input_is_not_a_server_error(agency, records):
    http = _quiet(agency.owner)
    accept = _u(agency, "task-accept", client_id=agency.client.pk)
    for data in (
        {"owner": HUGE}, {"owner": "²"}, {"due_on": "2026-02-30"}, {"due_on": "99999-01-01"},
        {"due_on": "9999-12-31"}, {"playbook": "../../etc"}, {"action": HUGE},
    ):  # fmt: skip
        response = http.post(accept, {"playbook": "scope_creep", "action": "remind_scope", **data})
        assert response.status_code == 302, data
    assert not Task.objects.filter(client=agency.client).exclude(pk=records["task"].pk).exists()
    invoice = _u(agency, "invoice-create", client_id=agency.client.pk)
    for data in ({"amount": HUGE}, {"amount": "1e999"}, {"issued_on": "0000-01-01"}):
        valid = {"number": "F-1", "amount": "10", "currency": "EUR",
                 "issued_on": "2026-03-01", "due_on": "2026-04-01"}  # fmt: skip
        assert http.post(invoice, {**valid, **data}).status_code == 400, data
    contract = _u(agency, "contract-edit", project_id=records["project"].pk)
    for data in (
        {"revision_rounds_allowed": HUGE}, {"client_contact": HUGE}, {"agency_contact": "²"},
        {"amount": HUGE}, {"signed_on": "2026-13-01"},
    ):  # fmt: skip
        valid = {"reference": "C", "currency": "EUR", "revision_rounds_allowed": "2",
                 "payment_terms_days": "30", "notice_period_days": "30"}  # fmt: skip
        assert http.post(contract, {**valid, **data}).status_code == 400, data
    pulse = {"week": "2026-99-01", f"rating_{agency.client.pk}": HUGE}
    assert http.post(_u(agency, "team-pulse"), pulse).status_code == 400
    assert http.get(_u(agency, "client-detail", client_id=int(HUGE))).status_code == 404
    page = _u(agency, "client-detail", client_id=agency.client.pk)
    assert http.get(page, {"page": HUGE}).status_code == 200


def test_the_pulse_page_shows_the_week_asked_for(agency):
    """The redirect after saving goes to ?week=…: the page must show that week."""
    last_week = current_week() - dt.timedelta(weeks=2)
    TeamPulse.objects.create(client=agency.client, member=agency.teammate, week=last_week, rating=2)
    page = login(agency.teammate).get(_u(agency, "team-pulse"), {"week": last_week.isoformat()})
    html = page.content.decode()
    assert f'value="{last_week:%Y-%m-%d}"' in html
    assert re.search(rf'name="rating_{agency.client.pk}" value="2"[^>]*checked', html)
    # A week to come, or rubbish, falls back to this week.
    for bad in ("2999-01-04", "abc", "²"):
        html = login(agency.teammate).get(_u(agency, "team-pulse"), {"week": bad}).content.decode()
        assert f'value="{current_week():%Y-%m-%d}"' in html


def test_the_tone_check_and_the_forms_are_closed_to_outsiders_and_readers(agency, records):
    body = {"body": "Vous n'avez pas envoyé le fichier.", "lang": "fr"}
    assert login(agency.outsider).post(_u(agency, "tone-check"), body).status_code == 404
    assert login(agency.owner).post(_u(agency, "tone-check"), body).status_code == 200
    reader = login(agency.reader)
    for url, _data in _writes(agency, records):
        if "complete" in url or "accept" in url or "feedback" in url:
            continue  # POST only
        assert reader.get(url).status_code == 403, url
