"""What a person sees on the pages: timeline order and paging, the thread, the language."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accalmie.comms.models import Direction
from accalmie.comms.services import ParticipantSpec, record_interaction
from accalmie.projects.models import RevisionRound, ScopeItem
from tests.conftest import login
from tests.factories import ContractFactory, InteractionFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


def test_timeline_is_newest_first_and_paginated(agency):
    base = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
    for day in range(30):
        InteractionFactory(
            client=agency.client,
            subject=f"Message du jour {day:02d}",
            occurred_at=base + dt.timedelta(days=day),
        )
    url = reverse(
        "client-detail", kwargs={"workspace": agency.workspace.slug, "client_id": agency.client.pk}
    )
    http = login(agency.owner)
    first = http.get(url).content.decode()
    assert first.index("Message du jour 29") < first.index("Message du jour 28")
    assert "Message du jour 00" not in first
    second = http.get(url + "?page=2").content.decode()
    assert "Message du jour 00" in second
    assert "Page 2 sur 2" in second


def test_client_page_summarises_the_contract_and_invoices(agency):
    contract = ContractFactory(
        project__client=agency.client,
        project__name="Refonte",
        revision_rounds_allowed=2,
        notice_period_days=45,
    )
    ScopeItem.objects.create(contract=contract, title="Maquettes de 12 gabarits")
    ScopeItem.objects.create(contract=contract, title="Rédaction des fiches", included=False)
    for day in (1, 8, 15):
        RevisionRound.objects.create(project=contract.project, requested_on=dt.date(2026, 2, day))
    InvoiceFactory(client=agency.client, number="F-2026-007", disputed=True)
    page = (
        login(agency.owner)
        .get(
            reverse(
                "client-detail",
                kwargs={"workspace": agency.workspace.slug, "client_id": agency.client.pk},
            )
        )
        .content.decode()
    )
    assert "Refonte" in page and "Maquettes de 12 gabarits" in page
    assert "Rédaction des fiches" in page
    assert "3 utilisées sur 2 prévues" in page
    assert "45 jours" in page
    assert "F-2026-007" in page and "contestée" in page


def test_interaction_page_shows_the_whole_thread(agency):
    ws = agency.workspace
    first = record_interaction(
        workspace=ws,
        client=agency.client,
        channel="email",
        direction=Direction.FROM_CLIENT,
        occurred_at=dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC),
        subject="Planning de mars",
        body_text="Pouvez-vous confirmer le planning ?",
        message_id="<a@client.example>",
        participants=[ParticipantSpec(role="from", address="a@client.example", name="Anne")],
    )
    reply = record_interaction(
        workspace=ws,
        client=agency.client,
        channel="email",
        direction=Direction.TO_CLIENT,
        occurred_at=dt.datetime(2026, 3, 2, 11, tzinfo=dt.UTC),
        subject="RE : Planning de mars",
        body_text="Oui, c'est confirmé.",
        in_reply_to="<a@client.example>",
    )
    by_subject = record_interaction(
        workspace=ws,
        client=agency.client,
        channel="email",
        direction=Direction.FROM_CLIENT,
        occurred_at=dt.datetime(2026, 3, 3, 8, tzinfo=dt.UTC),
        subject="TR: Re: planning de MARS",
        body_text="Merci !",
    )
    assert first.thread_id == reply.thread_id == by_subject.thread_id
    page = (
        login(agency.teammate)
        .get(
            reverse("interaction-detail", kwargs={"workspace": ws.slug, "interaction_id": reply.pk})
        )
        .content.decode()
    )
    assert "Le fil de discussion" in page and "(3)" in page
    assert "Anne" in page


def test_french_by_default_english_on_request(agency):
    http = login(agency.owner)
    url = reverse("client-list", kwargs={"workspace": agency.workspace.slug})
    assert "Dernier échange" in http.get(url).content.decode()
    response = http.post(reverse("set_language"), {"language": "en", "next": url})
    assert response.status_code == 302
    page = http.get(url).content.decode()
    assert 'lang="en"' in page
    assert "Last exchange" in page
    assert "Dernier échange" not in page


def test_login_page_and_wrong_password(client, agency):
    page = client.get(reverse("login")).content.decode()
    assert "Connexion" in page
    response = client.post(
        reverse("login"), {"username": agency.owner.username, "password": "wrong"}
    )
    assert response.status_code == 200
    assert "incorrect" in response.content.decode()


def test_healthz_answers_with_the_database_vendor(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
