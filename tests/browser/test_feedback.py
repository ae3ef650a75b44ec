"""Feedback on a hit in a real browser: "faux / hors sujet" with a note, by HTMX and without
JavaScript; the hit shows as dismissed and the client's score changes on the next page view."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accalmie.comms.models import Interaction
from accalmie.detect.models import HitFeedback, SignalHit
from accalmie.detect.services import analyse_stale
from accalmie.health.models import HealthSnapshot
from accalmie.health.services import recompute_client_ids
from tests.factories import InteractionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

THREAT = "Si ce n'est pas livré vendredi, nous irons voir une autre agence, je vous préviens."


@pytest.fixture
def threat(agency):
    message = InteractionFactory(
        client=agency.client,
        body_text=THREAT,
        subject="Ultimatum",
        occurred_at=timezone.now() - dt.timedelta(days=2),
    )
    analyse_stale(Interaction.objects.filter(pk=message.pk))
    recompute_client_ids([agency.client.pk])
    return SignalHit.objects.get(interaction=message, signal="intimidation")


def _score(agency) -> float:
    return HealthSnapshot.objects.filter(client=agency.client).latest("day").score


def test_marking_a_hit_wrong_dismisses_it_and_changes_the_score(login_as, agency, threat):
    before = _score(agency)
    page = login_as(agency.owner)
    page.goto(f"/w/{agency.workspace.slug}/clients/{agency.client.pk}/")
    expect(page.locator(".health-score").first).to_contain_text(f"{before:.0f}")
    page.goto(f"/w/{agency.workspace.slug}/interactions/{threat.interaction_id}/")
    page.evaluate("window.notReloaded = true")
    item = page.locator(f"#hit-{threat.pk}-item")
    item.get_by_label("Faux / hors sujet").check()
    item.get_by_label("Note (facultative)").fill("Une plaisanterie entre nous.")
    item.get_by_role("button", name="Enregistrer mon avis").click()
    item = page.locator(f"#hit-{threat.pk}-item")  # swapped in place by HTMX
    expect(item.get_by_role("status")).to_contain_text("ne compte plus dans la santé du client")
    expect(item).to_contain_text("Une plaisanterie entre nous.")
    expect(item.get_by_label("Faux / hors sujet")).to_be_checked()
    assert page.evaluate("window.notReloaded") is True  # a partial update, not a new page
    row = HitFeedback.objects.get()
    assert (row.verdict, row.given_by_id, row.hit_id) == ("wrong", agency.owner.pk, threat.pk)
    after = _score(agency)
    assert after > before
    # The message's marks were swapped too: the words now say the hit is dismissed.
    expect(page.locator(f"mark#hit-{threat.pk} .sig-label")).to_have_text("Intimidation · écarté")
    page.reload()
    expect(page.locator(f"mark#hit-{threat.pk} .sig-label")).to_have_text("Intimidation · écarté")
    page.goto(f"/w/{agency.workspace.slug}/clients/{agency.client.pk}/")
    expect(page.locator(".health-score").first).to_contain_text(f"{after:.0f}")


def test_without_javascript_the_form_still_works(new_page, agency, threat, live_server):
    from django.conf import settings
    from django.test import Client as HttpClient

    http = HttpClient()
    http.force_login(agency.teammate)
    page = new_page(javascript=False)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": http.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto(f"/w/{agency.workspace.slug}/interactions/{threat.interaction_id}/")
    item = page.locator(f"#hit-{threat.pk}-item")
    item.get_by_label("Juste", exact=True).check()
    item.get_by_role("button", name="Enregistrer mon avis").click()
    expect(page).to_have_url(re.compile(rf"#hit-{threat.pk}-item$"))
    expect(page.get_by_text("Merci : votre avis sur ce signal est enregistré.")).to_be_visible()
    expect(page.locator(f"#hit-{threat.pk}-item")).to_contain_text("Marqué juste.")
    assert HitFeedback.objects.get().verdict == "right"


def test_a_read_only_member_sees_no_feedback_form(login_as, agency, threat):
    page = login_as(agency.reader)
    page.goto(f"/w/{agency.workspace.slug}/interactions/{threat.interaction_id}/")
    expect(page.locator(f"mark#hit-{threat.pk}")).to_be_visible()
    expect(page.get_by_role("button", name="Enregistrer mon avis")).to_have_count(0)
