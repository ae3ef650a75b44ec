"""The tone check on the draft page (live partial and without JavaScript) and in `accalmie eval`."""

from __future__ import annotations

import io
import json
from pathlib import Path

from django.core.management import call_command
from django.urls import reverse

from accalmie.analysis.tone_check import TONE_FLAGS
from accalmie.analysis.tone_eval import evaluate_tone
from tests.conftest import login
from tests.factories import ContactEmailFactory, ContactFactory

EVAL_DIR = Path(__file__).resolve().parents[2] / "eval" / "tone"
ACCUSATORY = "Vous n'avez pas envoyé les fichiers à temps."


def test_live_partial_marks_the_span_with_explanation_and_suggestion(agency):
    url = reverse("tone-check", kwargs={"workspace": agency.workspace.slug})
    response = login(agency.owner).post(url, {"body": ACCUSATORY, "lang": "fr"})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'id="tone-flags"' in html
    assert "Le client mis en cause" in html  # the label, in the user's language
    assert "<mark" in html and "Vous n&#x27;avez pas envoyé" in html  # the span, escaped
    assert "Proposition" in html


def test_live_partial_in_english_for_an_english_speaking_user(agency):
    url = reverse("tone-check", kwargs={"workspace": agency.workspace.slug})
    http = login(agency.owner)
    http.cookies.load({"django_language": "en"})
    html = http.post(url, {"body": "You failed to send the files.", "lang": "en"}).content.decode()
    assert "<mark" in html and "You failed to send" in html


def test_a_good_reply_gets_no_flag(agency):
    url = reverse("tone-check", kwargs={"workspace": agency.workspace.slug})
    good = (
        "Bonjour Claire,\n\nMerci pour votre message, je comprends votre inquiétude. "
        "Je vous propose un appel demain à 10 h pour faire le point.\n\nCordialement"
    )
    html = login(agency.owner).post(url, {"body": good, "lang": "fr"}).content.decode()
    assert "Rien à redire sur le ton." in html and "<mark" not in html


def test_tone_check_needs_a_member(agency):
    url = reverse("tone-check", kwargs={"workspace": agency.workspace.slug})
    assert login(agency.outsider).post(url, {"body": ACCUSATORY}).status_code == 404
    assert login(agency.reader).post(url, {"body": ACCUSATORY}).status_code == 200


def test_without_javascript_the_check_button_keeps_the_edited_text(agency):
    contact = ContactFactory(client=agency.client, name="Claire Dubois")
    ContactEmailFactory(contact=contact, address="claire@verdier.fr")
    url = reverse(
        "draft", kwargs={"workspace": agency.workspace.slug, "client_id": agency.client.pk}
    )
    http = login(agency.owner)
    page = http.get(url, {"template": "acknowledge_deescalate"})
    assert page.status_code == 200 and "Rien à redire sur le ton." in page.content.decode()
    edited = page.context["body"] + "\n" + ACCUSATORY
    response = http.post(
        url,
        {"template": "acknowledge_deescalate", "subject": "Objet", "body": edited,
         "lang": "fr", "do": "check"},
    )  # fmt: skip
    html = response.content.decode()
    assert response.context["body"] == edited
    assert "Le client mis en cause" in html and "<mark" in html
    assert 'hx-trigger="keyup changed delay:400ms' in html  # the live check, with JavaScript


def test_eval_command_reports_the_tone_check_per_flag():
    out = io.StringIO()
    call_command("eval", "--no-public", "--json", stdout=out)
    tone = json.loads(out.getvalue())["tone"]
    assert {(r["lang"], r["flag"]) for r in tone} == {
        (lang, flag) for lang in ("fr", "en") for flag in TONE_FLAGS
    }
    sizes = {r["lang"]: r["n"] for r in tone}
    assert sizes["fr"] >= 60 and sizes["en"] >= 30
    text = io.StringIO()
    call_command("eval", "--no-public", stdout=text)
    assert "tone check of one's own drafts" in text.getvalue()
    assert "missing_next_step" in text.getvalue()


def test_tone_check_precision_is_at_least_0_8_per_flag():
    for score in evaluate_tone(EVAL_DIR):
        assert score.support > 0, score
        assert score.precision >= 0.8, score


def test_preview_keeps_the_marked_words_and_shortens_the_rest():
    from accalmie.actions.tone import tone_view

    text = "Bonjour Claire,\n\n" + "Le projet avance bien. " * 20 + "\n\n" + ACCUSATORY
    view = tone_view(text, "fr")
    marked = "".join(seg.text for seg in view.segments if seg.numbers)
    assert "Vous n'avez pas envoyé" in marked
    shown = "".join(seg.text for seg in view.segments)
    assert "[…]" in shown and len(shown) < len(text)
    numbers = {n for seg in view.segments for n in seg.numbers}
    assert numbers == {f.number for f in view.flags}
