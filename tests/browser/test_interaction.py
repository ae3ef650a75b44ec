"""The interaction page in a real browser: evidence highlighted by signal with a visible label,
its explanation shown on keyboard focus and on hover, links to a hit landing on its words, the
original HTML shown sandboxed, the folded quoted history, and the thread around the message."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accalmie.comms.models import Interaction, Thread
from accalmie.detect.models import SignalHit
from accalmie.detect.services import analyse_stale

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

THREAT = "Si ce n'est pas livré vendredi, nous irons voir une autre agence, je vous préviens."


@pytest.fixture
def ultimatum(agency):
    thread = Thread.objects.create(
        workspace=agency.workspace, client=agency.client, subject="Livraison"
    )
    at = timezone.now() - dt.timedelta(days=3)
    common = {"workspace": agency.workspace, "client": agency.client, "thread": thread}
    Interaction.objects.create(
        **common,
        channel="email",
        direction="to_client",
        occurred_at=at - dt.timedelta(days=1),
        subject="Livraison",
        body_text="Bonjour, la livraison est prévue pour vendredi prochain.",
    )
    message = Interaction.objects.create(
        **common,
        channel="email",
        direction="from_client",
        occurred_at=at,
        subject="RE: Livraison",
        body_text=THREAT,
        quoted_text="> Bonjour, la livraison est prévue pour vendredi prochain.",
        signature_text="Paul Verdier\nDirecteur",
        body_html=(
            "<p>Si ce n'est pas <b>livré vendredi</b>…</p>"
            "<script>parent.document.title = 'pwned'</script><img src='https://tracker.example/p.gif'>"
        ),
    )
    analyse_stale(Interaction.objects.filter(pk=message.pk))
    return message


def _url(agency, interaction):
    return f"/w/{agency.workspace.slug}/interactions/{interaction.pk}/"


def test_evidence_is_marked_with_its_label_and_explained_on_keyboard_focus(
    login_as, agency, ultimatum
):
    hit = SignalHit.objects.get(interaction=ultimatum, signal="intimidation")
    page = login_as(agency.owner)
    page.goto(_url(agency, ultimatum))
    mark = page.locator(f"mark#hit-{hit.pk}")
    expect(mark).to_be_visible()
    expect(mark.locator(".sig-label")).to_have_text("Intimidation")  # words, not colour alone
    tip = mark.locator(".sig-tip")
    expect(tip).to_be_hidden()
    # Reach the mark with the keyboard alone.
    for _ in range(40):
        page.keyboard.press("Tab")
        if mark.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the highlighted evidence")
    expect(tip).to_be_visible()
    expect(tip).to_have_text(hit.explanation_fr)
    expect(mark).to_have_accessible_description(hit.explanation_fr)
    page.keyboard.press("Tab")  # focus leaves: the explanation hides again
    expect(tip).to_be_hidden()
    mark.hover()
    expect(tip).to_be_visible()


def test_a_link_to_a_hit_lands_on_its_words(login_as, agency, ultimatum):
    hit = SignalHit.objects.get(interaction=ultimatum, signal="intimidation")
    page = login_as(agency.owner, viewport={"width": 390, "height": 500})  # a phone
    page.goto(_url(agency, ultimatum) + f"#hit-{hit.pk}")
    expect(page.locator(f"mark#hit-{hit.pk}")).to_be_in_viewport()


def test_explanations_are_in_the_readers_language(login_as, agency, ultimatum):
    hit = SignalHit.objects.get(interaction=ultimatum, signal="intimidation")
    page = login_as(agency.owner, locale="en-GB")
    page.goto(_url(agency, ultimatum))
    # The browser asks for English: the interface follows, whatever the message's language.
    expect(page.locator("html")).to_have_attribute("lang", "en")
    tip = page.locator(f"mark#hit-{hit.pk} .sig-tip")
    page.locator(f"mark#hit-{hit.pk}").focus()
    expect(tip).to_have_text(hit.explanation_en)  # a French message, explained in English


def test_original_html_is_sandboxed_quotes_are_folded_and_the_thread_is_shown(
    login_as, agency, ultimatum
):
    page = login_as(agency.owner)
    page.goto(_url(agency, ultimatum))
    quoted = page.locator("details", has_text="Historique cité")
    expect(quoted.locator("pre")).to_be_hidden()
    quoted.locator("summary").click()
    expect(quoted.locator("pre")).to_contain_text("la livraison est prévue")
    html = page.locator("details", has_text="Version HTML")
    html.locator("summary").click()
    frame = html.locator("iframe.html-view")
    expect(frame).to_have_attribute("sandbox", "")
    expect(page.frame_locator("iframe.html-view").locator("b")).to_have_text("livré vendredi")
    expect(page.frame_locator("iframe.html-view").locator("script, img")).to_have_count(0)
    assert page.title() != "pwned"
    thread = page.get_by_role("region", name="Le fil de discussion")
    expect(thread.get_by_role("link", name="Livraison")).to_be_visible()
    expect(thread.locator("[aria-current=true]")).to_have_text("RE: Livraison")


def test_without_javascript_the_explanations_are_readable(new_page, agency, ultimatum, live_server):
    from django.conf import settings
    from django.test import Client as HttpClient

    hit = SignalHit.objects.get(interaction=ultimatum, signal="intimidation")
    http = HttpClient()
    http.force_login(agency.owner)
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
    page.goto(_url(agency, ultimatum))
    item = page.locator(f"#hit-{hit.pk}-item")
    expect(item).to_contain_text(hit.explanation_fr)
    page.locator(f"mark#hit-{hit.pk}").focus()
    expect(page.locator(f"mark#hit-{hit.pk} .sig-tip")).to_be_visible()  # CSS alone
