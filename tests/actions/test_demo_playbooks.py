"""Playbooks and reply drafts on the demo's real data, as stored after `accalmie demo`."""

from __future__ import annotations

import datetime as dt
import email
import re
from email import policy

import pytest
from django.urls import reverse

from accalmie.actions.drafting import draft_context_for, recipient_for
from accalmie.actions.situation import overdue_invoices, recommendations_for, situation_for
from accalmie.analysis.tone_check import check_tone
from accalmie.demo.generator import week_start
from accalmie.demo.stories import load_stories
from accalmie.playbooks import MissingPlaceholders, load_templates, render_draft
from tests.actions.conftest import ANCHOR
from tests.conftest import login

# What each story calls for: the playbook that must be among the client's (at most three)
# recommendations, and one of its actions with the reply template it opens.
EXPECTED = {
    "anxious": ("micromanagement", "regular_update", "weekly_update"),
    "scope_creep": ("revision_overrun", "remind_rounds", "scope_reminder_change_order"),
    "tone_slide": ("intimidation", "call_then_confirm", "call_recap"),
    "silent": ("non_response", "list_open_items", "check_in_request"),
    "late_payer": ("late_payment", "remind_firmly", "payment_reminder"),
    "belittler": ("contempt", "talk_behaviour", "behaviour_conversation"),
}
PAYMENT_TEMPLATES = {"payment_reminder", "work_pause_notice"}
LEFTOVER = re.compile(r"\{[a-z_]+\}|\[à compléter|\[to fill in")


def test_each_story_gets_the_playbook_it_calls_for(demo):
    for key, (playbook, action, template) in EXPECTED.items():
        client = demo.clients[key]
        recs = recommendations_for(client)
        ids = [r.playbook.id for r in recs]
        assert playbook in ids, (key, ids, situation_for(client).situation)
        rec = recs[ids.index(playbook)]
        actions = {a.id: a for a in rec.playbook.actions}
        assert actions[action].template == template, key
        assert rec.reason_in(client.language), key  # a reason, in the client's language
    # The good client: only friendly signs in its last 30 days, no playbook at all.
    assert recommendations_for(demo.clients["good"]) == []


def test_at_the_turning_point_the_playbooks_follow_the_story(demo):
    """The stored history gives the situation of any past week, e.g. at each turning point."""
    stories = {s.key: s for s in load_stories()}

    def templates_at(key: str) -> set[str]:
        week = stories[key].turning_point_week
        assert week is not None
        day = week_start(ANCHOR, week) + dt.timedelta(days=6)
        at = dt.datetime.combine(day, dt.time(23, 59), dt.UTC)
        recs = recommendations_for(demo.clients[key], as_of=at)
        return {a.template for r in recs for a in r.playbook.actions if a.template}

    # The anxious client at her worst: real-time updates and a single point of contact.
    assert {"weekly_update", "single_point_of_contact"} <= templates_at("anxious")
    # The scope creeper when the change order is refused: restate the scope.
    assert "scope_reminder_change_order" in templates_at("scope_creep")


def test_late_payer_and_scope_creep_reasons_name_their_figures(demo):
    late = {r.playbook.id: r for r in recommendations_for(demo.clients["late_payer"])}
    assert "facture" in late["late_payment"].reason_in("fr")
    scope = {r.playbook.id: r for r in recommendations_for(demo.clients["scope_creep"])}
    assert "revision rounds of 2 agreed" in scope["revision_overrun"].reason_in("en")


def test_every_template_renders_on_every_demo_client_in_both_languages(demo):
    """No placeholder is ever left unfilled, and the filled templates pass the tone check."""
    rendered = 0
    for key, client in demo.clients.items():
        has_overdue = bool(overdue_invoices(client, dt.date.today()))
        for lang in ("fr", "en"):
            ctx = draft_context_for(client, demo.director, lang=lang).context
            for template_id in load_templates():
                try:
                    draft = render_draft(template_id, lang, ctx)
                except MissingPlaceholders as exc:
                    # Only a payment letter to a client who owes nothing cannot be written.
                    assert template_id in PAYMENT_TEMPLATES and not has_overdue, (key, exc)
                    continue
                rendered += 1
                assert not LEFTOVER.search(draft.subject + draft.body), (key, template_id, lang)
                assert client.name in draft.body or ctx.contact_name.split()[0] in draft.body
                flags = check_tone(draft.body, lang).flags
                assert not flags, (key, template_id, lang, [f.as_dict() for f in flags])
    assert rendered >= 7 * 2 * (len(load_templates()) - len(PAYMENT_TEMPLATES))


def test_weekly_update_carries_the_projects_progress(demo):
    client = demo.clients["anxious"]
    ctx = draft_context_for(client, demo.director).context
    draft = render_draft("weekly_update", "fr", ctx)
    project = client.projects.get()
    done = project.milestones.filter(done_on__isnull=False).order_by("-done_on").first()
    upcoming = project.milestones.filter(done_on__isnull=True).order_by("due_on").first()
    assert done is not None and done.title in draft.body
    if upcoming is not None:
        assert upcoming.title in draft.body
    assert "Camille Roussel" in draft.body and demo.workspace.name in draft.body


def test_termination_letter_quotes_the_contract(demo):
    client = demo.clients["tone_slide"]
    contract = client.projects.get().contract
    ctx = draft_context_for(client, demo.director).context
    draft = render_draft("termination_letter", "fr", ctx)
    assert contract.termination_clause.strip() in draft.body
    assert contract.confidentiality.strip() in draft.body
    assert contract.reference in draft.subject


@pytest.mark.parametrize("key", ["belittler", "scope_creep"])
def test_draft_page_every_template_in_the_clients_language(demo, key):
    client = demo.clients[key]
    http = login(demo.director)
    url = reverse("draft", kwargs={"workspace": demo.workspace.slug, "client_id": client.pk})
    has_overdue = bool(overdue_invoices(client, dt.date.today()))
    for template_id in load_templates():
        page = http.get(url, {"template": template_id})
        assert page.status_code == 200
        html = page.content.decode()
        if template_id in PAYMENT_TEMPLATES and not has_overdue:
            assert "ne peut pas être rempli" in html
            assert 'name="body"' not in html
            continue
        body = page.context["body"]
        assert not LEFTOVER.search(body + page.context["subject"]), template_id
        assert page.context["draft_lang"] == client.language
        marker = "Bonjour" if client.language == "fr" else "Dear"
        assert f"{marker} {recipient_for(client).first_name}," in body, template_id


def test_exported_eml_is_the_edited_draft_from_the_user_to_the_contact(demo):
    client = demo.clients["scope_creep"]  # English-speaking
    http = login(demo.director)
    url = reverse("draft", kwargs={"workspace": demo.workspace.slug, "client_id": client.pk})
    form = http.get(url, {"template": "scope_reminder_change_order"}).context
    edited = form["body"].replace("Kind regards,", "Thanks again — Kind regards,")
    response = http.post(
        url,
        {
            "template": "scope_reminder_change_order",
            "subject": form["subject"] + " (v2)",
            "body": edited.replace("\n", "\r\n"),  # as a browser sends a textarea
            "lang": "en",
            "do": "export",
        },
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "message/rfc822"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    message = email.message_from_bytes(response.content, policy=policy.default)
    contact = recipient_for(client)
    assert message["From"].addresses[0].addr_spec == "demo@atelier-boreal.fr"
    assert message["From"].addresses[0].display_name == "Camille Roussel"
    assert message["To"].addresses[0].addr_spec == contact.primary_email
    assert message["Subject"] == form["subject"] + " (v2)"
    assert message["Content-Language"] == "en"
    assert message["X-Unsent"] == "1"
    text = message.get_body(("plain",)).get_content()
    assert "Thanks again — Kind regards," in text
    assert text.replace("\r\n", "\n").strip() == edited.replace("\r\n", "\n").strip()


def test_client_page_shows_the_playbooks_of_a_troubled_client(demo):
    client = demo.clients["belittler"]
    http = login(demo.director)
    page = http.get(
        reverse("client-detail", kwargs={"workspace": demo.workspace.slug, "client_id": client.pk})
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="playbooks"' in html
    assert "Mettre un terme au mépris" in html
    assert "Consigner les remarques, mot pour mot et datées" in html  # its first action
    assert "En faire une tâche" in html
    assert "Rédiger une réponse" in html
    # A read-only member sees the same playbooks, without the forms.
    from django.contrib.auth.models import User

    reader = login(User.objects.get(username="nora"))
    html = reader.get(
        reverse("client-detail", kwargs={"workspace": demo.workspace.slug, "client_id": client.pk})
    ).content.decode()
    assert "Mettre un terme au mépris" in html
    assert "En faire une tâche" not in html and "Rédiger une réponse" not in html


def test_hits_marked_wrong_no_longer_call_for_a_playbook(demo):
    """The belittler's contempt card rests on its text hits: marked wrong, it goes."""
    from accalmie.detect.feedback import WRONG, counted_hits, give_feedback
    from accalmie.detect.models import SignalHit

    client = demo.clients["belittler"]
    assert "contempt" in [r.playbook.id for r in recommendations_for(client)]
    for hit in counted_hits(SignalHit.objects.filter(client=client, signal="contempt")):
        give_feedback(hit, verdict=WRONG, actor=demo.director)
    assert "contempt" not in [r.playbook.id for r in recommendations_for(client)]
