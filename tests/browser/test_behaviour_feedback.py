"""Feedback on a behavioural sign in a real browser, on the demo: from the health card to the
client's signs, a late payment marked « faux / hors sujet » with a note; the sign shows as
dismissed and the client's score on the client page rises."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from playwright.sync_api import expect

from accalmie.clients.models import Client
from accalmie.health.models import BehaviourFeedback, BehaviourHit, HealthSnapshot
from accalmie.health.services import recompute_client_ids
from accalmie.health.views import SIGNS_PER_PAGE
from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_user(transactional_db):
    call_command("demo", "--as-of", "2026-11-23", "--json", stdout=io.StringIO())
    return User.objects.get(username="demo")


def _score(client: Client) -> float:
    return HealthSnapshot.objects.filter(client=client).latest("day").score


def test_marking_a_late_payment_wrong_dismisses_it_and_raises_the_score(login_as, demo_user):
    client = Client.objects.get(workspace__slug="demo", name="Maison Perrochet")
    recompute_client_ids([client.pk])  # today's score, the one the feedback will recompute
    before = _score(client)
    signs = list(BehaviourHit.objects.filter(client=client).order_by("-occurred_at", "-pk"))
    sign = max(
        (h for h in signs if h.signal == "late_payment"), key=lambda h: (h.occurred_at, h.severity)
    )
    page_number = signs.index(sign) // SIGNS_PER_PAGE + 1

    page = login_as(demo_user)
    page.goto(f"/w/demo/clients/{client.pk}/")
    expect(page.locator(".health-score").first).to_contain_text(f"{before:.0f}")
    link = page.locator("#behaviour-signs-link")
    expect(link).to_contain_text(f"Signes de comportement ({len(signs)})")
    link.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Signes de comportement")
    if page_number > 1:
        page.goto(f"/w/demo/clients/{client.pk}/signs/?page={page_number}")
    item = page.locator(f"#sign-{sign.pk}")
    expect(item).to_contain_text("Retard de paiement")
    expect(item).to_contain_text(sign.explanation_fr)
    expect(item.get_by_role("link").first).to_have_attribute(
        "href", f"/w/demo/clients/{client.pk}/#invoices-h"
    )
    item.get_by_label("Faux / hors sujet").check()
    item.get_by_label("Note (facultative)").fill("Le virement est parti, la banque traîne.")
    item.get_by_role("button", name="Enregistrer mon avis").click()

    expect(page.get_by_text("Merci : votre avis sur ce signe est enregistré.")).to_be_visible()
    current = BehaviourHit.objects.get(client=client, key=sign.key)
    item = page.locator(f"#sign-{current.pk}")
    expect(item.get_by_role("status")).to_contain_text("Écarté")
    expect(item.get_by_role("status")).to_contain_text("ne compte plus dans la santé du client")
    expect(item).to_contain_text("Le virement est parti, la banque traîne.")
    expect(item.get_by_label("Faux / hors sujet")).to_be_checked()
    row = BehaviourFeedback.objects.get()
    assert (row.key, row.verdict, row.given_by_id) == (sign.key, "wrong", demo_user.pk)

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "test_behaviour_feedback__signs-page.png", full_page=True)

    after = _score(client)
    assert round(after) > round(before)  # the late payment no longer weighs on the score
    page.goto(f"/w/demo/clients/{client.pk}/")
    expect(page.locator(".health-score").first).to_contain_text(f"{after:.0f}")
