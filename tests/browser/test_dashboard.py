"""The portfolio dashboard in a real browser, on the demo agency scored over its 26 weeks:
logging in, the clients worst first, filters and search with and without JavaScript,
switching to English, and a phone's width."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from accalmie.clients.models import Client
from accalmie.demo.generator import DEMO_PASSWORD, DEMO_USERNAME, build_demo
from accalmie.health.models import HealthSnapshot
from accalmie.health.services import recompute_clients

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ENGLISH_MONTH = r"(Jan\.|Feb\.|March|April|May|June|July|Aug\.|Sept\.|Oct\.|Nov\.|Dec\.)"


@pytest.fixture
def demo():
    """The demo workspace as `accalmie demo` loads it: stories, analysis, 26 weeks of health."""
    result = build_demo()
    as_of = dt.datetime.combine(result.anchor, dt.time(23, 59), dt.UTC)
    clients = list(Client.objects.filter(workspace=result.workspace).order_by("pk"))
    recompute_clients(clients, as_of=min(as_of, timezone.now()), history_weeks=26)
    return result.workspace


def french(text: object) -> str:
    """A lazy translation as the French pages show it, whatever language this thread has."""
    with translation.override("fr"):
        return str(text)


def latest(client: Client) -> HealthSnapshot:
    return HealthSnapshot.objects.filter(client=client).latest("day")


def rows(page: Page):
    return page.locator("table.dashboard tbody tr")


def row_names(page: Page) -> list[str]:
    return rows(page).locator("th[scope=row] a").all_inner_texts()


def test_login_lands_on_the_dashboard_worst_first(page, demo):
    """GIVEN the demo WHEN its director logs in THEN every client is listed, worst status
    first, each with a status in words, a score, a sparkline and its reasons."""
    page.goto("/login/")
    page.get_by_label("Identifiant").fill(DEMO_USERNAME)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(rf"/w/{demo.slug}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Clients")
    expect(rows(page)).to_have_count(7)
    ranks = {"critical": 0, "at_risk": 1, "watch": 2, "healthy": 3}
    expected = sorted(
        demo.clients.all(), key=lambda c: (ranks[latest(c).status], latest(c).score, c.name)
    )
    assert row_names(page) == [c.name for c in expected]
    first = rows(page).first
    expect(first.locator(".status")).to_have_text(french(latest(expected[0]).get_status_display()))
    expect(first.locator("svg.spark")).to_have_attribute("aria-label", re.compile("90 jours"))
    expect(first.locator("ul.reasons li").first).to_be_visible()
    assert latest(expected[0]).status != "healthy"


def _set_marker(page: Page) -> None:
    page.evaluate("() => { window.__sameDocument = true; }")


def _same_document(page: Page) -> bool:
    return page.evaluate("() => window.__sameDocument === true")


def test_filters_update_the_list_in_place_with_htmx(login_as, demo):
    """With JavaScript, each filter swaps only the results and the URL follows."""
    claire = User.objects.get(username="claire")
    page = login_as(User.objects.get(username=DEMO_USERNAME))
    page.goto(f"/w/{demo.slug}/")
    expect(rows(page)).to_have_count(7)
    _set_marker(page)

    page.get_by_label("Chargé·e de compte").select_option(label="Claire Martin")
    expect(page).to_have_url(re.compile(rf"manager={claire.pk}"))
    managed = sorted(c.name for c in demo.clients.filter(account_manager=claire))
    expect(rows(page)).to_have_count(len(managed))
    assert sorted(row_names(page)) == managed

    status = latest(demo.clients.get(name=row_names(page)[0])).status
    page.get_by_label("Statut").select_option(status)
    expect(page).to_have_url(re.compile(rf"status={status}"))
    wanted = sorted(
        c.name for c in demo.clients.filter(account_manager=claire) if latest(c).status == status
    )
    expect(rows(page)).to_have_count(len(wanted))
    assert sorted(row_names(page)) == wanted

    assert _same_document(page), "a filter reloaded the whole page"

    with page.expect_navigation(wait_until="load"):  # a plain link: the form resets
        page.get_by_role("link", name="Tout afficher").click()
    expect(page).to_have_url(re.compile(rf"/w/{demo.slug}/$"))
    expect(rows(page)).to_have_count(7)
    # htmx binds the search box once the new document has run its deferred scripts
    page.wait_for_function("() => window.htmx !== undefined")
    _set_marker(page)

    page.get_by_label("Nom du client").fill("parcel")
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("Parcelwise")
    expect(page).to_have_url(re.compile(r"q=parcel"))
    assert _same_document(page), "a filter reloaded the whole page"


def test_signal_filter_without_javascript(new_page, demo):
    """With JavaScript off, the same form filters by a reload: here, clients whose score
    suffers from late payment."""
    page = new_page(javascript=False)
    page.goto("/login/")
    page.get_by_label("Identifiant").fill(DEMO_USERNAME)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    signal = "late_payment"
    wanted = sorted(
        c.name for c in demo.clients.all() if any(r["signal"] == signal for r in latest(c).reasons)
    )
    assert wanted, "the demo has a late payer"
    page.get_by_label("Signe").select_option(signal)
    page.get_by_role("button", name="Filtrer").click()
    expect(page).to_have_url(re.compile(rf"signal={signal}"))
    assert sorted(row_names(page)) == wanted
    page.get_by_label("Nom du client").fill("zzz")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_text("Aucun client ne correspond à ces filtres.")).to_be_visible()
    assert page.evaluate("() => typeof window.htmx") == "undefined"


def test_account_manager_sees_only_their_clients(login_as, demo):
    hugo = User.objects.get(username="hugo")
    page = login_as(hugo)
    page.goto(f"/w/{demo.slug}/")
    theirs = sorted(c.name for c in demo.clients.filter(account_manager=hugo))
    expect(rows(page)).to_have_count(len(theirs))
    assert sorted(row_names(page)) == theirs


def test_switching_the_dashboard_to_english(login_as, demo):
    page = login_as(User.objects.get(username=DEMO_USERNAME))
    page.goto(f"/w/{demo.slug}/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("thead")).to_contain_text("Dernier échange")
    page.get_by_role("button", name=re.compile(r"^EN")).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(rf"/w/{demo.slug}/$"))
    expect(page.locator("thead")).to_contain_text("Last exchange")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    # Dates follow the language: "Nov. 24, 2026", not "24 novembre 2026".
    expect(rows(page).first.locator("time")).to_have_text(
        re.compile(ENGLISH_MONTH + r" \d{1,2}, \d{4}")
    )


@pytest.mark.parametrize("javascript", [True, False])
def test_phone_width_has_no_horizontal_scroll(login_as, demo, javascript):
    """At 375 px the dashboard and a client page fit the screen: tables become cards."""
    page = login_as(
        User.objects.get(username=DEMO_USERNAME),
        viewport={"width": 375, "height": 740},
        javascript=javascript,
    )
    page.goto(f"/w/{demo.slug}/")
    expect(rows(page)).to_have_count(7)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    rows(page).first.locator("th[scope=row] a").click()
    expect(page.get_by_role("heading", name="Santé de la relation")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
