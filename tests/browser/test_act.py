"""Acting on a troubled demo client in a real browser: playbook → task → reply → tone → .eml."""

from __future__ import annotations

import email
import io
import re
from email import policy

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from playwright.sync_api import Page, expect

from accalmie.clients.models import Client
from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACCUSATORY = "Vous n'avez pas envoyé les contenus à temps."


def shot(page: Page, name: str, part: str | None = None) -> None:
    """Save the page (or the part of it a selector names) in test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"test_act__{name}.png"
    if part:
        page.locator(part).screenshot(path=path)
    else:
        page.screenshot(path=path, full_page=True)


@pytest.fixture
def demo_loaded(transactional_db):
    call_command("demo", "--as-of", "2026-11-23", "--json", stdout=io.StringIO())
    return User.objects.get(username="demo")


def test_playbook_to_task_to_reply_with_live_tone_check_and_eml(login_as, demo_loaded):
    client = Client.objects.get(name="Hôtels Castaigne")  # the belittler: French-speaking
    page = login_as(demo_loaded)
    page.goto(f"/w/demo/clients/{client.pk}/")
    block = page.locator("#playbooks")
    expect(block.get_by_role("heading", name="Que faire")).to_be_visible()
    card = block.locator("#playbook-contempt")
    expect(card.get_by_role("heading", name="Mettre un terme au mépris")).to_be_visible()
    expect(card.locator(".pb-reason")).to_contain_text("message méprisant")
    shot(page, "1-client-playbooks", "#playbooks")

    # Accept "talk about the behaviour" as a task (HTMX: the block is swapped in place).
    action = card.locator("#action-contempt-talk_behaviour")
    action.get_by_role("button", name="En faire une tâche").click()
    expect(page.locator("#playbooks").get_by_role("status")).to_contain_text("Tâche créée")
    action = page.locator("#action-contempt-talk_behaviour")
    expect(action.get_by_text("Tâche en cours")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/clients/{client.pk}/$"))  # no page load
    shot(page, "2-task-accepted", "#playbook-contempt")

    # Open the ready reply in the client's language.
    action.get_by_role("link", name=re.compile("Rédiger")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rédiger une réponse")
    body = page.locator("#draft-body")
    expect(body).to_have_value(re.compile(r"^Bonjour Laurence,"))
    expect(page.locator("#tone-flags")).to_contain_text("Rien à redire sur le ton.")
    expect(page.get_by_role("button", name="Copier le texte")).to_be_visible()  # with JS

    # Type an accusatory sentence: the flag appears live, with its span and a suggestion.
    body.click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\n" + ACCUSATORY)
    flag = page.locator('#tone-flags .tone-flag[data-flag="accusatory_you"]')
    expect(flag).to_be_visible()
    expect(flag).to_contain_text("Le client mis en cause")
    expect(flag).to_contain_text("Proposition")
    expect(page.locator("#tone-flags mark.tone").first).to_contain_text("Vous n'avez pas envoyé")
    shot(page, "3-tone-flag-live", "main")

    # Export the edited draft as .eml.
    with page.expect_download() as download:
        page.get_by_role("button", name="Exporter en .eml").click()
    raw = open(download.value.path(), "rb").read()  # noqa: SIM115
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["From"].addresses[0].addr_spec == "demo@atelier-boreal.fr"
    assert message["To"].addresses[0].addr_spec == "laurence.achard@hotels-castaigne.fr"
    assert message["Content-Language"] == "fr"
    assert ACCUSATORY in message.get_body(("plain",)).get_content()
    assert download.value.suggested_filename.endswith(".eml")

    # The task is in the task list; completing it writes a note in the client's timeline.
    page.get_by_role("link", name="Mes tâches").click()
    # The suggested owner is the account manager (Claire), not the director logged in.
    expect(page.locator("tr.task", has_text="Parler du comportement directement")).to_have_count(0)
    page.get_by_role("link", name="Voir toutes les tâches des clients que je suis").click()
    row = page.locator("tr.task", has_text="Parler du comportement directement")
    expect(row).to_have_count(1)
    shot(page, "4-my-tasks")
    row.get_by_role("button", name="Marquer comme faite").click()
    expect(page.get_by_text("Notée dans l'historique du client")).to_be_visible()
    page.goto(f"/w/demo/clients/{client.pk}/")
    expect(page.locator(".timeline").get_by_text(re.compile("Tâche faite"))).not_to_have_count(0)
    shot(page, "5-timeline-note", ".timeline")


def test_accepting_an_action_works_without_javascript(new_page, live_server, demo_loaded):
    from django.conf import settings
    from django.test import Client as HttpClient

    client = Client.objects.get(name="Parcelwise")  # English-speaking
    http = HttpClient()
    http.force_login(demo_loaded)
    page = new_page(javascript=False)
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME,
          "value": http.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url}]
    )  # fmt: skip
    page.goto(f"/w/demo/clients/{client.pk}/")
    # Only the most pressing playbook is open at first; the others open on a click.
    card = page.locator("#playbook-revision_overrun")
    expect(card.get_by_text("Compter les tours réalisés", exact=False)).to_be_hidden()
    card.get_by_role("heading", name="Tenir le nombre de tours de révision prévu").click()
    action = page.locator("#action-revision_overrun-remind_rounds")
    action.get_by_label("Échéance").fill("2026-12-20")
    action.get_by_role("button", name="En faire une tâche").click()
    expect(page.get_by_text("Tâche créée")).to_be_visible()
    expect(page.locator("#action-revision_overrun-remind_rounds")).to_contain_text(
        "20 décembre 2026"
    )
    page.locator("#action-revision_overrun-remind_rounds").get_by_role(
        "link", name=re.compile("Rédiger")
    ).click()
    expect(page.locator("#draft-body")).to_have_value(re.compile(r"^Dear Daniel,"))
    expect(page.get_by_role("button", name="Copier le texte")).to_be_hidden()  # JS only
    page.locator("#draft-body").fill("You failed to send the texts.")
    page.get_by_role("button", name="Vérifier le ton").click()
    expect(page.locator('#tone-flags .tone-flag[data-flag="accusatory_you"]')).to_be_visible()
    expect(page.locator("#draft-body")).to_have_value("You failed to send the texts.")
    shot(page, "6-no-js-draft")
