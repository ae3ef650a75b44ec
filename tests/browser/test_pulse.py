"""Team pulse and records in a real browser: a team member's weekly pulse for several clients
in one form, and an account manager recording a call and an invoice payment from the client
page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accalmie.comms.models import Interaction
from accalmie.finance.models import Invoice
from accalmie.team.forms import current_week
from accalmie.team.models import TeamPulse
from tests.factories import ClientFactory, ContactFactory, InvoiceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_team_member_sends_the_weekly_pulse_for_several_clients(login_as, agency):
    aurore = ClientFactory(workspace=agency.workspace, name="Aurore", account_manager=agency.owner)
    aurore.team.add(agency.teammate)
    page = login_as(agency.teammate)
    page.goto(f"/w/{agency.workspace.slug}/pulse/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pouls de la semaine")
    expect(page.get_by_label("Semaine du", exact=True)).to_have_value(current_week().isoformat())
    expect(page.get_by_role("heading", level=2).first).to_contain_text("Semaine du")
    verdier = page.get_by_role("group", name="Verdier", exact=True)
    verdier.get_by_label("2 — difficile").check()
    verdier.get_by_label("Commentaire sur Verdier").fill("Des demandes le dimanche soir.")
    page.get_by_role("group", name="Aurore", exact=True).get_by_label("5 — un plaisir").check()
    expect(page.get_by_role("group", name="Kolibri")).to_have_count(0)  # not on their team
    page.get_by_role("button", name="Enregistrer le pouls de la semaine").click()
    expect(page.get_by_text(re.compile(r"enregistré pour 2 clients"))).to_be_visible()
    ratings = dict(TeamPulse.objects.values_list("client__name", "rating"))
    assert ratings == {"Verdier": 2, "Aurore": 5}
    # Sent again for the same week: updated, not duplicated; the form shows the saved rows.
    expect(verdier.get_by_label("2 — difficile")).to_be_checked()
    verdier.get_by_label("3 — correct").check()
    page.get_by_role("button", name="Enregistrer le pouls de la semaine").click()
    expect(page.get_by_text(re.compile(r"enregistré pour 2 clients"))).to_be_visible()
    assert TeamPulse.objects.count() == 2
    assert TeamPulse.objects.get(client=agency.client).rating == 3


def test_a_pulse_error_is_shown_next_to_its_row(login_as, agency):
    page = login_as(agency.teammate)
    page.goto(f"/w/{agency.workspace.slug}/pulse/")
    page.get_by_label("Commentaire sur Verdier").fill("Sans note")
    page.get_by_role("button", name="Enregistrer le pouls de la semaine").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_role("group", name="Verdier", exact=True)).to_contain_text(
        "Donnez un ressenti de 1 à 5 pour accompagner ce commentaire."
    )
    assert not TeamPulse.objects.exists()


def test_the_account_manager_records_a_call_from_the_client_page(login_as, agency):
    ContactFactory(client=agency.client, name="Inès Carré")
    page = login_as(agency.owner)
    page.goto(f"/w/{agency.workspace.slug}/clients/{agency.client.pk}/")
    page.get_by_role("link", name="Consigner un appel").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Consigner un appel")
    when = timezone.localtime() - dt.timedelta(hours=2)
    page.get_by_label("Date et heure").fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Durée (minutes)").fill("20")
    page.get_by_label("Objet").fill("Appel sur le planning")
    page.get_by_label("Compte rendu").fill("Le client accepte le planning révisé.")
    page.get_by_label("Inès Carré").check()
    page.get_by_label("À l'initiative de").select_option("from_client")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Appel enregistré.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Appel sur le planning")
    call = Interaction.objects.get(channel="call")
    assert (call.duration_minutes, call.direction, call.created_by) == (
        20,
        "from_client",
        agency.owner,
    )
    page.get_by_role("link", name="Verdier").first.click()
    expect(page.get_by_role("link", name="Appel sur le planning")).to_be_visible()


def test_the_account_manager_records_an_invoice_payment_from_the_client_page(login_as, agency):
    invoice = InvoiceFactory(client=agency.client, number="F-0042", issued_on=dt.date(2026, 3, 3))
    page = login_as(agency.owner)
    page.goto(f"/w/{agency.workspace.slug}/clients/{agency.client.pk}/")
    page.get_by_role("link", name=re.compile("Facture F-0042 : paiement")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Paiement de la facture F-0042")
    page.get_by_label("Payée le").fill("2026-02-01")  # before it was issued
    page.get_by_role("button", name="Enregistrer").click()
    expect(
        page.get_by_text("Une facture ne peut pas être payée avant d'être émise.")
    ).to_be_visible()
    page.get_by_label("Payée le").fill("2026-04-20")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Facture F-0042 mise à jour.")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/clients/{agency.client.pk}/#invoices-h$"))
    invoice.refresh_from_db()
    assert invoice.paid_on == dt.date(2026, 4, 20)
    assert Invoice.objects.count() == 1
