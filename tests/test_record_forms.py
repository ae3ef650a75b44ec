"""Recording from the web app: the weekly pulse, calls, meetings and notes, invoices and their
payment, contracts. Each form for each role: who may write (and what), who gets 403 or 404."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accalmie.comms.models import Channel, Interaction, InteractionParticipant
from accalmie.core.models import AuditEvent
from accalmie.finance.models import Invoice
from accalmie.projects.models import Contract, ScopeItem
from accalmie.team.forms import current_week
from accalmie.team.models import TeamPulse
from tests.conftest import login
from tests.factories import (
    ClientFactory,
    ContactFactory,
    ContractFactory,
    InvoiceFactory,
    ProjectFactory,
)


def _u(agency, name, **kwargs):
    return reverse(name, kwargs={"workspace": agency.workspace.slug, **kwargs})


# -- weekly pulse ---------------------------------------------------------------------------


@pytest.fixture
def second_client(agency):
    client = ClientFactory(workspace=agency.workspace, name="Aurore", account_manager=agency.owner)
    client.team.add(agency.teammate)
    return client


def test_pulse_form_has_one_row_per_assigned_client_and_the_current_week(agency, second_client):
    page = login(agency.teammate).get(_u(agency, "team-pulse")).content.decode()
    assert "Verdier" in page and "Aurore" in page and "Kolibri" not in page  # not theirs
    assert f'value="{current_week():%Y-%m-%d}"' in page
    assert page.count('type="radio"') == 10  # five ratings for each of the two clients


def test_pulse_for_several_clients_in_one_form_then_resubmitted_updates(agency, second_client):
    http = login(agency.teammate)
    week = current_week()
    data = {
        "week": week.isoformat(),
        f"rating_{agency.client.pk}": "2",
        f"comment_{agency.client.pk}": "Des demandes le dimanche soir.",
        f"rating_{second_client.pk}": "5",
    }
    response = http.post(_u(agency, "team-pulse"), data)
    assert response.status_code == 302
    pulses = {p.client_id: p for p in TeamPulse.objects.filter(member=agency.teammate)}
    assert pulses[agency.client.pk].rating == 2 and pulses[second_client.pk].rating == 5
    assert pulses[agency.client.pk].comment == "Des demandes le dimanche soir."
    assert {p.week for p in pulses.values()} == {week}
    assert AuditEvent.objects.filter(action="pulse.record").count() == 2
    # The same week again: updated, never duplicated; the form shows what was saved.
    data[f"rating_{agency.client.pk}"] = "3"
    assert http.post(_u(agency, "team-pulse"), data).status_code == 302
    assert TeamPulse.objects.filter(member=agency.teammate).count() == 2
    assert TeamPulse.objects.get(member=agency.teammate, client=agency.client).rating == 3
    page = http.get(_u(agency, "team-pulse")).content.decode()
    assert re.search(rf'name="rating_{agency.client.pk}" value="3"[^>]*checked', page)
    assert re.search(rf'name="rating_{second_client.pk}" value="5"[^>]*checked', page)
    assert not re.search(rf'name="rating_{agency.client.pk}" value="2"[^>]*checked', page)
    assert "Des demandes le dimanche soir." in page


def test_a_day_of_the_week_is_taken_as_its_monday(agency):
    http = login(agency.owner)
    monday = current_week() - dt.timedelta(weeks=1)
    http.post(
        _u(agency, "team-pulse"),
        {"week": (monday + dt.timedelta(days=3)).isoformat(), f"rating_{agency.client.pk}": "4"},
    )
    assert TeamPulse.objects.get(member=agency.owner).week == monday


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"comment": "Rien à dire"},
            "Donnez un ressenti de 1 à 5 pour accompagner ce commentaire.",
        ),
        ({}, "Donnez un ressenti pour au moins un client."),
        ({"rating": "9"}, "Le ressenti va de 1 à 5."),
        (
            {"rating": "3", "week": "+2"},
            "On ne peut pas donner le pouls d&#x27;une semaine à venir.",
        ),
        (
            {"rating": "3", "week": "-20"},
            "On peut saisir le pouls des 8 dernières semaines seulement.",
        ),
        ({"rating": "3", "week": "demain"}, "Date invalide : utilisez le format JJ/MM/AAAA."),
    ],
)
def test_pulse_errors_are_clear_and_nothing_is_saved(agency, data, message):
    week = current_week()
    raw = data.get("week", "0")
    posted = {
        "week": (week + dt.timedelta(weeks=int(raw))).isoformat()
        if raw.lstrip("+-").isdigit()
        else raw
    }
    if "rating" in data:
        posted[f"rating_{agency.client.pk}"] = data["rating"]
    if "comment" in data:
        posted[f"comment_{agency.client.pk}"] = data["comment"]
    response = login(agency.teammate).post(_u(agency, "team-pulse"), posted)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not TeamPulse.objects.exists()


def test_a_pulse_for_a_client_not_assigned_is_ignored(agency):
    http = login(agency.teammate)
    http.post(
        _u(agency, "team-pulse"),
        {
            "week": current_week().isoformat(),
            f"rating_{agency.client.pk}": "4",
            f"rating_{agency.other_client.pk}": "1",  # Kolibri: not on their team
        },
    )
    assert list(TeamPulse.objects.values_list("client_id", flat=True)) == [agency.client.pk]


@pytest.mark.parametrize(("who", "status"), [("reader", 403), ("outsider", 404)])
def test_who_may_not_send_a_pulse(agency, who, status):
    http = login(getattr(agency, who))
    assert http.get(_u(agency, "team-pulse")).status_code == status
    response = http.post(
        _u(agency, "team-pulse"),
        {"week": current_week().isoformat(), f"rating_{agency.client.pk}": "1"},
    )
    assert response.status_code == status
    assert not TeamPulse.objects.exists()


def test_a_member_with_no_client_is_told_so(agency):
    page = login(agency.director).get(_u(agency, "team-pulse")).content.decode()
    assert "Aucun client ne vous est assigné" in page


# -- calls, meetings, notes -----------------------------------------------------------------


def _exchange(agency, **overrides):
    at = timezone.localtime() - dt.timedelta(hours=3)
    data = {
        "channel": "call",
        "direction": "from_client",
        "occurred_at": at.strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "25",
        "subject": "Point sur le lancement",
        "body_text": "Le client s'inquiète du calendrier ; on envoie un planning révisé lundi.",
    }
    data.update(overrides)
    return data


def test_the_account_manager_records_a_call_with_its_attendees(agency):
    contact = ContactFactory(client=agency.client, name="Inès Carré")
    data = _exchange(agency, attendees=[str(contact.pk)])
    http = login(agency.owner)
    response = http.post(_u(agency, "interaction-record", client_id=agency.client.pk), data)
    assert response.status_code == 302
    call = Interaction.objects.get(channel=Channel.CALL)
    assert response["Location"] == _u(agency, "interaction-detail", interaction_id=call.pk)
    assert (call.client, call.direction, call.duration_minutes) == (
        agency.client,
        "from_client",
        25,
    )
    assert call.source == "web" and call.created_by == agency.owner
    people = set(
        InteractionParticipant.objects.filter(interaction=call).values_list("contact_id", "user_id")
    )
    assert people == {(contact.pk, None), (None, agency.owner.pk)}
    assert AuditEvent.objects.filter(action="interaction.create", object_id=str(call.pk)).exists()
    page = http.get(response["Location"]).content.decode()
    assert "Appel enregistré." in page and "25 minutes" in page and "Inès Carré" in page


def test_a_director_records_a_meeting(agency):
    data = _exchange(agency, channel="meeting", direction="to_client")
    response = login(agency.director).post(
        _u(agency, "interaction-record", client_id=agency.client.pk), data
    )
    assert response.status_code == 302
    assert Interaction.objects.filter(channel=Channel.MEETING, client=agency.client).exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"body_text": ""}, "Écrivez le compte rendu : ce qui a été dit ou décidé."),
        ({"subject": ""}, "Donnez un objet à l&#x27;échange."),
        ({"occurred_at": "n'importe quand"}, "Date et heure invalides"),
        ({"duration_minutes": "0"}, "La durée est d&#x27;au moins une minute."),
        ({"channel": "email"}, "Ce type d&#x27;échange ne peut pas être saisi ici."),
        (
            {"direction": "internal"},
            "Un appel ou une réunion avec le client n&#x27;est pas un échange interne.",
        ),
    ],
)
def test_exchange_errors_are_clear_and_nothing_is_saved(agency, overrides, message):
    before = Interaction.objects.count()
    response = login(agency.owner).post(
        _u(agency, "interaction-record", client_id=agency.client.pk), _exchange(agency, **overrides)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Interaction.objects.count() == before
    field = next(iter(overrides))  # the field's error is its accessible description
    assert f'aria-describedby="id_{field}_error"' in response.content.decode()
    assert f'id="id_{field}_error"' in response.content.decode()


def test_an_exchange_cannot_be_dated_in_the_future(agency):
    later = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = login(agency.owner).post(
        _u(agency, "interaction-record", client_id=agency.client.pk),
        _exchange(agency, occurred_at=later),
    )
    assert response.status_code == 400
    assert "Un échange ne peut pas être daté dans le futur." in response.content.decode()


def test_an_attendee_from_another_client_is_refused(agency):
    stranger = ContactFactory(client=agency.other_client)
    response = login(agency.owner).post(
        _u(agency, "interaction-record", client_id=agency.client.pk),
        _exchange(agency, attendees=[str(stranger.pk)]),
    )
    assert response.status_code == 400
    assert not Interaction.objects.filter(channel=Channel.CALL).exists()


def test_a_team_member_writes_notes_only(agency):
    http = login(agency.teammate)
    url = _u(agency, "interaction-record", client_id=agency.client.pk)
    page = http.get(url).content.decode()
    assert 'value="note"' in page and 'value="call"' not in page
    refused = http.post(url, _exchange(agency))
    assert refused.status_code == 400 and not Interaction.objects.filter(channel="call").exists()
    note = _exchange(agency, channel="note", direction="internal", duration_minutes="")
    assert http.post(url, note).status_code == 302
    assert Interaction.objects.get(channel=Channel.NOTE).created_by == agency.teammate


@pytest.mark.parametrize(
    ("who", "status"), [("reader", 403), ("colleague", 404), ("outsider", 404)]
)
def test_who_may_not_record_an_exchange(agency, who, status):
    http = login(getattr(agency, who))
    url = _u(agency, "interaction-record", client_id=agency.client.pk)
    assert http.get(url).status_code == status
    assert (
        http.post(url, _exchange(agency, channel="note", direction="internal")).status_code
        == status
    )
    assert not Interaction.objects.filter(source="web").exists()


# -- invoices and payments ------------------------------------------------------------------


def _invoice_data(**overrides):
    data = {
        "number": "F-2026-031",
        "amount": "1 250,50",
        "currency": "eur",
        "issued_on": "2026-03-02",
        "due_on": "2026-04-01",
        "paid_on": "",
    }
    data.update(overrides)
    return data


def test_the_account_manager_records_an_invoice(agency):
    response = login(agency.owner).post(
        _u(agency, "invoice-create", client_id=agency.client.pk), _invoice_data()
    )
    assert response.status_code == 302
    invoice = Invoice.objects.get()
    assert (invoice.number, str(invoice.amount), invoice.currency) == (
        "F-2026-031",
        "1250.50",
        "EUR",
    )
    assert invoice.client == agency.client and invoice.paid_on is None
    assert AuditEvent.objects.filter(action="invoice.create").count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"due_on": "2026-02-01"}, "L&#x27;échéance ne peut pas précéder la date d&#x27;émission."),
        ({"amount": "-5"}, "Le montant doit être positif."),
        ({"amount": "beaucoup"}, "Le montant est un nombre, par exemple 1200,50."),
        ({"currency": "euros"}, "La devise est un code de trois lettres, par exemple EUR."),
        ({"number": ""}, "Indiquez le numéro de la facture."),
        ({"issued_on": "31/02/2026"}, "Date invalide : utilisez le format JJ/MM/AAAA."),
        ({"paid_on": "2026-03-01"}, "Une facture ne peut pas être payée avant d&#x27;être émise."),
        (
            {"issued_on": "1926-03-02", "due_on": "1926-04-01"},
            "La date d&#x27;émission doit tomber entre il y a dix ans et dans un an.",
        ),
        ({"due_on": "2029-04-01"}, "L&#x27;échéance tombe au plus deux ans après l&#x27;émission."),
    ],
)
def test_invoice_errors_are_clear(agency, overrides, message):
    response = login(agency.owner).post(
        _u(agency, "invoice-create", client_id=agency.client.pk), _invoice_data(**overrides)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Invoice.objects.exists()


def test_an_invoice_number_is_unique_per_client(agency):
    InvoiceFactory(client=agency.client, number="F-2026-031")
    response = login(agency.owner).post(
        _u(agency, "invoice-create", client_id=agency.client.pk), _invoice_data()
    )
    assert response.status_code == 400
    assert "Ce client a déjà une facture portant ce numéro." in response.content.decode()


def test_an_invoice_is_marked_paid_then_disputed_then_unpaid(agency):
    invoice = InvoiceFactory(client=agency.client, issued_on=dt.date(2026, 3, 3))
    http = login(agency.owner)
    url = _u(agency, "invoice-payment", invoice_id=invoice.pk)
    assert http.post(url, {"paid_on": "2026-04-20"}).status_code == 302
    invoice.refresh_from_db()
    assert invoice.paid_on == dt.date(2026, 4, 20) and not invoice.disputed
    missing = http.post(url, {"paid_on": "", "disputed": "on", "dispute_reason": " "})
    assert missing.status_code == 400
    assert "Notez le motif de la contestation donné par le client." in missing.content.decode()
    http.post(url, {"paid_on": "", "disputed": "on", "dispute_reason": "Livrable incomplet"})
    invoice.refresh_from_db()
    assert invoice.paid_on is None and invoice.disputed
    assert invoice.dispute_reason == "Livrable incomplet"
    assert AuditEvent.objects.filter(action="invoice.payment").count() == 2
    early = http.post(url, {"paid_on": "2026-03-01"})
    assert "Une facture ne peut pas être payée avant d&#x27;être émise." in early.content.decode()
    future = http.post(url, {"paid_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat()})
    assert "Le paiement ne peut pas être daté dans le futur." in future.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [("teammate", 403), ("reader", 403), ("colleague", 404), ("outsider", 404)],
)
def test_who_may_not_record_invoices_or_payments(agency, who, status):
    invoice = InvoiceFactory(client=agency.client)
    http = login(getattr(agency, who))
    create = _u(agency, "invoice-create", client_id=agency.client.pk)
    pay = _u(agency, "invoice-payment", invoice_id=invoice.pk)
    assert http.get(create).status_code == status
    assert http.post(create, _invoice_data()).status_code == status
    assert http.get(pay).status_code == status
    assert http.post(pay, {"paid_on": "2026-04-02"}).status_code == status
    invoice.refresh_from_db()
    assert Invoice.objects.count() == 1 and invoice.paid_on is None


def test_a_director_records_a_payment(agency):
    invoice = InvoiceFactory(client=agency.other_client)
    url = _u(agency, "invoice-payment", invoice_id=invoice.pk)
    assert login(agency.director).post(url, {"paid_on": "2026-04-02"}).status_code == 302
    invoice.refresh_from_db()
    assert invoice.paid_on == dt.date(2026, 4, 2)


# -- contracts ------------------------------------------------------------------------------


def _contract_data(agency, **overrides):
    data = {
        "reference": "C-2026-07",
        "signed_on": "2026-01-12",
        "amount": "18000",
        "currency": "EUR",
        "revision_rounds_allowed": "3",
        "payment_terms_days": "45",
        "payment_terms": "30 % à la commande, le solde à la livraison.",
        "termination_clause": "Résiliation par lettre recommandée.",
        "notice_period_days": "60",
        "confidentiality": "Accord de confidentialité de deux ans.",
        "client_contact": "",
        "agency_contact": str(agency.owner.pk),
        "scope_included": "Maquettes du site\n- Intégration\n\n",
        "scope_excluded": "Traductions",
    }
    data.update(overrides)
    return data


def test_the_account_manager_writes_a_contract_for_a_project(agency):
    project = ProjectFactory(client=agency.client)
    contact = ContactFactory(client=agency.client)
    url = _u(agency, "contract-edit", project_id=project.pk)
    assert "Saisir le contrat" in login(agency.owner).get(url).content.decode()
    response = login(agency.owner).post(url, _contract_data(agency, client_contact=str(contact.pk)))
    assert response.status_code == 302
    contract = Contract.objects.get(project=project)
    assert (contract.revision_rounds_allowed, contract.payment_terms_days) == (3, 45)
    assert (contract.notice_period_days, contract.client_contact, contract.agency_contact) == (
        60,
        contact,
        agency.owner,
    )
    assert contract.confidentiality.startswith("Accord")
    included = list(contract.scope_items.filter(included=True).values_list("title", flat=True))
    assert included == ["Maquettes du site", "Intégration"]
    assert list(contract.scope_items.filter(included=False).values_list("title", flat=True)) == [
        "Traductions"
    ]
    assert AuditEvent.objects.filter(action="contract.create").count() == 1


def test_editing_a_contract_replaces_its_scope(agency):
    contract = ContractFactory(project=ProjectFactory(client=agency.client))
    ScopeItem.objects.create(contract=contract, title="Ancien livrable")
    url = _u(agency, "contract-edit", project_id=contract.project_id)
    page = login(agency.director).get(url).content.decode()
    assert "Ancien livrable" in page and "Modifier le contrat" in page
    data = _contract_data(agency, scope_included="Nouveau livrable", scope_excluded="")
    assert login(agency.director).post(url, data).status_code == 302
    assert list(ScopeItem.objects.values_list("title", flat=True)) == ["Nouveau livrable"]
    assert Contract.objects.count() == 1
    assert AuditEvent.objects.filter(action="contract.update").count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"revision_rounds_allowed": "-1"}, "Ce nombre ne peut pas être négatif."),
        ({"notice_period_days": "beaucoup"}, "Indiquez un nombre entier."),
        ({"payment_terms_days": ""}, "Indiquez un nombre (0 si aucun)."),
        ({"currency": "€"}, "La devise est un code de trois lettres, par exemple EUR."),
        ({"amount": "-10"}, "Le montant ne peut pas être négatif."),
    ],
)
def test_contract_errors_are_clear(agency, overrides, message):
    project = ProjectFactory(client=agency.client)
    response = login(agency.owner).post(
        _u(agency, "contract-edit", project_id=project.pk), _contract_data(agency, **overrides)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Contract.objects.exists()


def test_a_contact_of_another_client_cannot_be_the_point_of_contact(agency):
    project = ProjectFactory(client=agency.client)
    stranger = ContactFactory(client=agency.other_client)
    response = login(agency.owner).post(
        _u(agency, "contract-edit", project_id=project.pk),
        _contract_data(agency, client_contact=str(stranger.pk)),
    )
    assert response.status_code == 400
    assert "Ce contact n&#x27;est pas un contact du client." in response.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [("teammate", 403), ("reader", 403), ("colleague", 404), ("outsider", 404)],
)
def test_who_may_not_edit_a_contract(agency, who, status):
    project = ProjectFactory(client=agency.client)
    http = login(getattr(agency, who))
    url = _u(agency, "contract-edit", project_id=project.pk)
    assert http.get(url).status_code == status
    assert http.post(url, _contract_data(agency)).status_code == status
    assert not Contract.objects.exists()


# -- the client page links to the forms each role may use ----------------------------------


def test_the_client_page_offers_each_role_its_forms(agency):
    invoice = InvoiceFactory(client=agency.client)
    project = ProjectFactory(client=agency.client)
    url = _u(agency, "client-detail", client_id=agency.client.pk)
    owner = login(agency.owner).get(url).content.decode()
    for name, kwargs in [
        ("interaction-record", {"client_id": agency.client.pk}),
        ("invoice-create", {"client_id": agency.client.pk}),
        ("invoice-payment", {"invoice_id": invoice.pk}),
        ("contract-edit", {"project_id": project.pk}),
        ("team-pulse", {}),
    ]:
        assert _u(agency, name, **kwargs) in owner
    team = login(agency.teammate).get(url).content.decode()
    assert "?channel=note" in team and "?channel=call" not in team
    assert _u(agency, "invoice-create", client_id=agency.client.pk) not in team
    reader = login(agency.reader).get(url).content.decode()
    assert _u(agency, "interaction-record", client_id=agency.client.pk) not in reader
