"""The basics in a real browser: logging in, the client pages, the keyboard, the language,
reading with JavaScript off, and the front-end files served by the app itself."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"  # tests/factories.py
LOCK = Path(__file__).resolve().parents[2] / "package-lock.json"


def log_in(page: Page, username: str, password: str) -> None:
    page.goto("/login/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def test_wrong_password_says_so(page, agency):
    log_in(page, agency.owner.username, "not the password")
    expect(page.get_by_role("alert")).to_have_text("Identifiant ou mot de passe incorrect.")
    expect(page).to_have_url(re.compile(r"/login/$"))


def test_right_password_lands_on_the_client_list(page, agency):
    """GIVEN the account manager of Verdier WHEN they log in THEN they see their clients."""
    log_in(page, agency.owner.username, PASSWORD)
    expect(page).to_have_url(re.compile(rf"/w/{agency.workspace.slug}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Clients")
    expect(page.get_by_role("link", name="Verdier")).to_be_visible()
    expect(page.get_by_role("link", name="Kolibri")).to_have_count(0)  # not theirs


def test_client_list_leads_to_the_client_page(login_as, agency):
    page = login_as(agency.owner)
    page.goto(f"/w/{agency.workspace.slug}/")
    page.get_by_role("link", name="Verdier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verdier")
    expect(page.get_by_role("heading", name="Contacts")).to_be_visible()
    expect(page.get_by_text("Maquettes v2")).to_be_visible()  # the timeline's exchange


def test_tab_reaches_the_main_navigation(login_as, agency):
    """The first Tab shows the skip link; the next ones reach each link of the main nav."""
    page = login_as(agency.owner)
    page.goto(f"/w/{agency.workspace.slug}/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    nav = page.get_by_role("navigation", name="Navigation principale")
    wanted = [nav.get_by_role("link", name=name) for name in ("Clients", "Imports", "À trier")]
    reached = []
    for _ in range(10):
        page.keyboard.press("Tab")
        for link in wanted:
            if link not in reached and link.evaluate("el => el === document.activeElement"):
                reached.append(link)
        if len(reached) == len(wanted):
            break
    assert len(reached) == len(wanted), "Tab did not reach every link of the main navigation"
    page.keyboard.press("Enter")  # the last one reached, « À trier »
    expect(page).to_have_url(re.compile(r"/review/?"))


def test_switching_to_english_changes_the_interface(login_as, agency):
    page = login_as(agency.owner)
    page.goto(f"/w/{agency.workspace.slug}/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^EN")).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main navigation")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/w/{agency.workspace.slug}/$"))  # same page
    page.reload()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()  # and it stays


def test_pages_read_without_javascript(new_page, agency):
    """With JavaScript off, a person can still log in and read a client's page."""
    page = new_page(javascript=False)
    log_in(page, agency.owner.username, PASSWORD)
    page.get_by_role("link", name="Verdier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verdier")
    expect(page.get_by_text("Maquettes v2")).to_be_visible()
    # The page's own scripts did not run (Playwright's evaluate still does).
    assert page.evaluate("() => typeof window.htmx") == "undefined"


def test_htmx_is_served_by_the_app(login_as, agency):
    """HTMX runs in the page, at the version package-lock.json pins, from the live server."""
    page = login_as(agency.owner)
    responses = []
    page.on("response", lambda r: responses.append(r) if "/static/vendor/" in r.url else None)
    page.goto(f"/w/{agency.workspace.slug}/")
    pinned = json.loads(LOCK.read_text())["packages"]["node_modules/htmx.org"]["version"]
    assert page.evaluate("() => window.htmx && htmx.version") == pinned
    assert [r.status for r in responses] == [200]
