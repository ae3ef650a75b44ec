"""The client page in a real browser, on the scored demo: the health chart (uPlot with
JavaScript, drawn SVG and a table without), the reasons, and following a reason to the
highlighted words of its evidence, by mouse and by keyboard."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from accalmie.demo.generator import DEMO_USERNAME
from accalmie.detect.models import SIGNAL_LABELS, SignalHit
from tests.browser.test_dashboard import demo, french, latest  # noqa: F401 - the demo fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _client_with_text_reason(workspace):
    """The worst-scored client whose latest reasons point at a text hit."""
    for client in sorted(workspace.clients.all(), key=lambda c: latest(c).score):
        for reason in latest(client).reasons:
            if any(kind == "hit" for kind, _ in reason["refs"]):
                return client, reason
    raise AssertionError("no demo client has a reason shown by a text hit")


def _open(page: Page, workspace, client) -> None:
    page.goto(f"/w/{workspace.slug}/")
    page.get_by_role("link", name=client.name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(client.name)


def test_client_page_shows_the_health_chart_and_the_reasons(login_as, demo):  # noqa: F811
    client, _ = _client_with_text_reason(demo)
    page = login_as(User.objects.get(username=DEMO_USERNAME))
    _open(page, demo, client)
    card = page.locator("section.health-card")
    expect(card.locator(".status")).to_have_text(french(latest(client).get_status_display()))
    # uPlot drew the chart from the page's JSON, one series per line plus the x axis.
    chart = page.locator("#health-chart .uplot")
    expect(chart).to_be_visible()
    expect(chart.locator("canvas")).to_have_count(1)
    legend = chart.locator(".u-legend .u-series")
    expect(legend).to_have_count(1 + len(latest(client).dimensions) + 1)
    expect(legend.nth(1)).to_contain_text("Score global")
    expect(page.locator("svg.chart-fallback")).to_be_hidden()
    # The values, for the keyboard and screen readers, in a table behind a summary.
    page.get_by_text("Les valeurs du graphique").click()
    expect(page.locator(".chart-table table tbody tr").first).to_be_visible()
    # The reasons, each with its signal's name.
    reasons = card.locator("ol.reason-list > li")
    expect(reasons.first).to_be_visible()
    first_signal = latest(client).reasons[0]["signal"]
    expect(reasons.first).to_contain_text(french(SIGNAL_LABELS[first_signal]))


def test_client_page_reads_without_javascript(login_as, demo):  # noqa: F811
    client, _ = _client_with_text_reason(demo)
    page = login_as(User.objects.get(username=DEMO_USERNAME), javascript=False)
    _open(page, demo, client)
    expect(page.locator("svg.chart-fallback")).to_be_visible()
    expect(page.locator("svg.chart-fallback polyline")).to_have_count(
        1 + len(latest(client).dimensions)
    )
    expect(page.locator("#health-chart .legend li").first).to_contain_text("Score global")
    expect(page.locator("#health-chart .uplot")).to_have_count(0)
    page.get_by_text("Les valeurs du graphique").click()
    expect(page.locator(".chart-table tbody tr").first).to_be_visible()


def test_following_a_reason_lands_on_the_highlighted_words(login_as, demo):  # noqa: F811
    """GIVEN a client slipping because of what they wrote WHEN one clicks the reason's first
    evidence THEN the exchange opens at that hit, whose words are marked with the signal."""
    client, reason = _client_with_text_reason(demo)
    page = login_as(User.objects.get(username=DEMO_USERNAME))
    _open(page, demo, client)
    item = page.locator(f'ol.reason-list > li[data-signal="{reason["signal"]}"]')
    link = item.locator('a[data-ref^="hit-"]').first
    hit_id = int(link.get_attribute("data-ref").split("-")[1])
    hit = SignalHit.objects.get(pk=hit_id)
    link.click()
    expect(page).to_have_url(re.compile(rf"/interactions/{hit.interaction_id}/#hit-{hit.pk}$"))
    expect(page.locator(f"#hit-{hit.pk}")).to_have_count(1)
    mark = page.locator(f'mark.sig[data-signal="{hit.signal}"]').first
    expect(mark).to_be_visible()
    expect(mark).to_contain_text(french(SIGNAL_LABELS[hit.signal]))


def test_keyboard_reaches_a_reason_and_follows_it(login_as, demo):  # noqa: F811
    client, _ = _client_with_text_reason(demo)
    page = login_as(User.objects.get(username=DEMO_USERNAME))
    _open(page, demo, client)
    link = page.locator('ol.reason-list a[data-ref^="hit-"]').first
    target = link.get_attribute("href")
    for _ in range(80):
        page.keyboard.press("Tab")
        if link.evaluate("el => el === document.activeElement"):
            break
    else:
        raise AssertionError("Tab never reached the first evidence link")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(target) + "$"))
