"""Feedback on text hits: who may give it, that it outlives re-analysis, that a hit marked
wrong stops counting in the client's health at once, and `accalmie eval --feedback`."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accalmie.comms.models import Interaction
from accalmie.core.models import AuditEvent
from accalmie.detect.feedback import counted_hits, give_feedback, precision_from_feedback
from accalmie.detect.models import HitFeedback, InteractionAnalysis, SignalHit
from accalmie.detect.services import analyse_stale
from accalmie.health.models import HealthSnapshot
from accalmie.health.records import load_records
from tests.conftest import login
from tests.factories import InteractionFactory

THREAT = "Si ce n'est pas livré vendredi, nous irons voir une autre agence, je vous préviens."
THANKS = "Merci beaucoup pour ce travail remarquable, toute l'équipe est ravie du résultat."


@pytest.fixture
def threat(agency):
    message = InteractionFactory(
        client=agency.client,
        body_text=THREAT,
        subject="Ultimatum",
        occurred_at=timezone.now() - dt.timedelta(days=2),  # recent: it weighs on the score
    )
    analyse_stale(Interaction.objects.all())
    return SignalHit.objects.get(interaction=message, signal="intimidation")


def _url(agency, hit):
    return reverse("hit-feedback", kwargs={"workspace": agency.workspace.slug, "hit_id": hit.pk})


def _page(agency, http, hit):
    url = reverse(
        "interaction-detail",
        kwargs={"workspace": agency.workspace.slug, "interaction_id": hit.interaction_id},
    )
    return http.get(url).content.decode()


def test_the_page_marks_each_hit_with_an_anchor_a_label_and_a_focusable_explanation(agency, threat):
    page = _page(agency, login(agency.owner), threat)
    assert f'id="hit-{threat.pk}"' in page  # links like #hit-12 land on the words
    assert 'tabindex="0"' in page and 'aria-describedby="tip-' in page
    assert 'role="tooltip"' in page and '<span class="sig-label">Intimidation</span>' in page
    assert "Ce signal est-il juste ?" in page  # the feedback form, without JavaScript
    assert f'action="{_url(agency, threat)}"' in page and "hx-post=" in page


def test_explanations_follow_the_readers_language_not_the_messages(agency, threat):
    http = login(agency.owner)
    http.post(reverse("set_language"), {"language": "en"})
    page = _page(agency, http, threat)
    assert threat.explanation_en.replace("'", "&#x27;") in page
    assert threat.explanation_fr.replace("'", "&#x27;") not in page
    assert '<html lang="en">' in page  # the reader chose English; the message is French


def test_marking_a_hit_wrong_drops_it_from_the_score_at_once(agency, threat):
    from accalmie.health.services import recompute_client_ids

    recompute_client_ids([agency.client.pk])
    before = HealthSnapshot.objects.filter(client=agency.client).latest("day")
    assert before.dimensions["respect"] < 100  # the threat weighs on respect
    response = login(agency.owner).post(
        _url(agency, threat), {"verdict": "wrong", "note": "Il plaisantait, on se connaît."}
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#hit-{threat.pk}-item")
    row = HitFeedback.objects.get()
    assert (row.verdict, row.hit_id, row.given_by) == ("wrong", threat.pk, agency.owner)
    assert row.note == "Il plaisantait, on se connaît." and row.workspace == agency.workspace
    audit = AuditEvent.objects.get(action="hit.feedback")
    assert audit.actor == agency.owner and audit.data["verdict"] == "wrong"
    assert audit.workspace_id == agency.workspace.pk
    # Synchronously rescored: the next page view already shows the score without the hit.
    after = HealthSnapshot.objects.filter(client=agency.client).latest("day")
    assert after.dimensions["respect"] > before.dimensions["respect"]
    assert after.score > before.score
    assert threat.pk not in {
        h.ref for h in load_records([agency.client.pk])[agency.client.pk].text_hits
    }
    assert not counted_hits().filter(pk=threat.pk).exists()
    page = _page(agency, login(agency.owner), threat)
    assert "Écarté" in page and "ne compte plus" in page and "sig-dismissed" in page
    assert '<span class="sig-label">Intimidation · écarté</span>' in page


def test_a_hit_marked_right_still_counts_and_a_verdict_can_change(agency, threat):
    http = login(agency.teammate)  # a team member of the client may judge its hits
    assert http.post(_url(agency, threat), {"verdict": "right"}).status_code == 302
    assert counted_hits().filter(pk=threat.pk).exists()
    assert http.post(_url(agency, threat), {"verdict": "wrong"}).status_code == 302
    assert HitFeedback.objects.count() == 1  # changed, not duplicated
    assert HitFeedback.objects.get().verdict == "wrong"
    assert AuditEvent.objects.filter(action="hit.feedback").count() == 2


def test_htmx_gets_the_hit_back_with_its_verdict(agency, threat):
    response = login(agency.director).post(
        _url(agency, threat), {"verdict": "wrong"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith(f'<li id="hit-{threat.pk}-item"')
    assert "Écarté" in body and "<html" not in body
    assert 'id="message-body" hx-swap-oob="true"' in body and "· écarté" in body


def test_a_bad_verdict_is_refused_with_a_clear_french_message(agency, threat):
    http = login(agency.owner)
    response = http.post(_url(agency, threat), {"verdict": "maybe"}, follow=True)
    assert "Choisissez « Juste » ou « Faux / hors sujet »." in response.content.decode()
    htmx = http.post(_url(agency, threat), {}, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 200  # swapped in by HTMX, the error shown in the hit's form
    assert "Dites si le signal est juste ou faux." in htmx.content.decode()
    assert not HitFeedback.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [("reader", 403), ("colleague", 404), ("outsider", 404)],
)
def test_who_may_not_judge_a_hit(agency, threat, who, status):
    response = login(getattr(agency, who)).post(_url(agency, threat), {"verdict": "wrong"})
    assert response.status_code == status
    assert not HitFeedback.objects.exists()


def test_the_reader_sees_the_hits_but_no_feedback_form(agency, threat):
    page = _page(agency, login(agency.reader), threat)
    assert 'data-signal="intimidation"' in page and "Ce signal est-il juste ?" not in page


def test_feedback_survives_reanalysis_and_follows_the_new_hit(agency, threat):
    give_feedback(threat, verdict="wrong", note="hors sujet", actor=agency.owner)
    InteractionAnalysis.objects.update(detector_version="old")
    call_command("reanalyze", "--all")
    new = SignalHit.objects.get(interaction=threat.interaction, signal="intimidation")
    assert new.pk != threat.pk  # the old row is gone…
    row = HitFeedback.objects.get()
    assert row.hit_id == new.pk and row.verdict == "wrong"  # …the verdict follows the new one
    assert not counted_hits().filter(pk=new.pk).exists()


def test_eval_feedback_reports_precision_per_signal(agency, threat, capsys):
    thanks = InteractionFactory(client=agency.client, body_text=THANKS)
    analyse_stale(Interaction.objects.all())
    appreciation = SignalHit.objects.get(interaction=thanks, signal="appreciation")
    give_feedback(threat, verdict="wrong", note="une blague", actor=agency.owner)
    give_feedback(appreciation, verdict="right", actor=agency.owner)
    other = InteractionFactory(client=agency.client, body_text=THREAT + " Vraiment.")
    analyse_stale(Interaction.objects.all())
    give_feedback(
        SignalHit.objects.get(interaction=other, signal="intimidation"),
        verdict="right",
        actor=agency.director,
    )
    rows = {p.signal: p for p in precision_from_feedback(agency.workspace.pk)}
    assert (rows["intimidation"].right, rows["intimidation"].wrong) == (1, 1)
    assert rows["intimidation"].precision == 0.5 and rows["appreciation"].precision == 1.0
    call_command("eval", "--feedback", "--workspace", agency.workspace.slug, "--json")
    report = json.loads(capsys.readouterr().out)
    by_signal = {r["signal"]: r for r in report["feedback"]["signals"]}
    assert by_signal["intimidation"]["precision"] == 0.5
    assert by_signal["intimidation"]["notes"][0]["note"] == "une blague"
    assert report["feedback"]["judged"] == 3 and report["feedback"]["wrong"] == 1
    call_command("eval", "--feedback", "--workspace", agency.workspace.slug)
    text = capsys.readouterr().out
    assert "intimidation" in text and "0.500" in text and "une blague" in text


def test_eval_feedback_of_another_workspace_is_empty(agency, threat, capsys):
    from tests.factories import WorkspaceFactory

    give_feedback(threat, verdict="wrong", actor=agency.owner)
    other = WorkspaceFactory(slug="ailleurs")
    call_command("eval", "--feedback", "--workspace", other.slug, "--json")
    assert json.loads(capsys.readouterr().out)["feedback"]["judged"] == 0


def test_a_dismissed_label_with_an_apostrophe_is_escaped_once(agency):
    text = "C'est urgent, c'est pour hier !"
    message = InteractionFactory(client=agency.client, body_text=text)
    start = text.index("urgent")
    hit = SignalHit.objects.create(
        interaction=message,
        client=agency.client,
        signal="urgency_pressure",  # « Pression de l'urgence »
        score=0.9,
        detector="test",
        evidence=[{"start": start, "end": start + 6, "text": "urgent"}],
        explanation_fr="Tout est urgent.",
        explanation_en="Everything is urgent.",
        detector_version="test",
    )
    give_feedback(hit, verdict="wrong", actor=agency.owner)
    page = _page(agency, login(agency.owner), hit)
    assert "Pression de l&#x27;urgence · écarté" in page and "&amp;#x27;" not in page
