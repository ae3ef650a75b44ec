"""Feedback on behavioural signs: it outlives `accalmie rescore`, a sign marked wrong stops
counting in the client's health at once (and in reasons, walk-away and playbooks), `accalmie
eval --feedback` counts it, and only those who may write give it."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accalmie.actions.situation import situation_for
from accalmie.core.models import AuditEvent
from accalmie.health.feedback import counted_behaviour_hits, give_behaviour_feedback
from accalmie.health.models import BehaviourFeedback, BehaviourHit, HealthSnapshot
from accalmie.health.services import recompute_client_ids
from accalmie.health.walkaway import assessment_for
from tests.conftest import login
from tests.factories import InvoiceFactory


@pytest.fixture
def late(agency):
    """An invoice two months overdue: a late_payment sign on the client's finances."""
    today = timezone.localdate()
    InvoiceFactory(
        client=agency.client,
        number="F-LATE",
        issued_on=today - dt.timedelta(days=90),
        due_on=today - dt.timedelta(days=60),
        paid_on=None,
    )
    recompute_client_ids([agency.client.pk])
    return BehaviourHit.objects.get(client=agency.client, signal="late_payment")


def _latest(client):
    return HealthSnapshot.objects.filter(client=client).latest("day")


def _signs_url(agency, client=None):
    client = client or agency.client
    return reverse(
        "behaviour-signs", kwargs={"workspace": agency.workspace.slug, "client_id": client.pk}
    )


def _feedback_url(agency, hit):
    return reverse(
        "behaviour-feedback",
        kwargs={"workspace": agency.workspace.slug, "client_id": hit.client_id, "hit_id": hit.pk},
    )


def test_a_sign_marked_wrong_stops_counting_at_once_and_the_score_rises_back(agency, late):
    before = _latest(agency.client)
    assert before.dimensions["finance"] < 100
    assert any(r["signal"] == "late_payment" for r in before.reasons)
    assert "late_payment" in situation_for(agency.client).situation.hits  # playbooks read it
    walkaway_before = assessment_for(agency.client)["score"]  # scored live from the records
    assert walkaway_before == round(before.score)
    give_behaviour_feedback(
        late, verdict="wrong", note="Virement parti, banque lente.", actor=agency.owner
    )
    after = _latest(agency.client)
    assert after.score > before.score
    assert after.dimensions["finance"] == 100
    assert not any(r["signal"] == "late_payment" for r in after.reasons)
    # The row stays (shown as dismissed) but nothing that counts reads it.
    assert BehaviourHit.objects.filter(client=agency.client, key=late.key).exists()
    assert not counted_behaviour_hits().filter(key=late.key).exists()
    assert "late_payment" not in situation_for(agency.client).situation.hits
    assert assessment_for(agency.client)["score"] == round(after.score) > walkaway_before
    event = AuditEvent.objects.get(action="behaviour.feedback")
    assert event.data["verdict"] == "wrong" and event.data["key"] == late.key
    # Judged right again: it counts again; one verdict per sign, the latest wins.
    give_behaviour_feedback(late, verdict="right", actor=agency.director)
    assert _latest(agency.client).score == pytest.approx(before.score)
    assert BehaviourFeedback.objects.get(client=agency.client, key=late.key).verdict == "right"
    assert AuditEvent.objects.filter(action="behaviour.feedback").count() == 2


def test_the_verdict_survives_rescore_even_when_the_rows_are_rebuilt(agency, late):
    give_behaviour_feedback(late, verdict="wrong", actor=agency.owner)
    dismissed_score = _latest(agency.client).score
    BehaviourHit.objects.filter(client=agency.client).delete()  # as a fresh recompute would
    HealthSnapshot.objects.filter(client=agency.client).delete()
    call_command("rescore", "--workspace", agency.workspace.slug)
    rebuilt = BehaviourHit.objects.get(client=agency.client, signal="late_payment")
    assert rebuilt.pk != late.pk and rebuilt.key == late.key
    assert _latest(agency.client).score == pytest.approx(dismissed_score)
    assert _latest(agency.client).dimensions["finance"] == 100
    page = login(agency.owner).get(_signs_url(agency)).content.decode()
    assert "Écarté" in page and "ne compte plus dans la santé du client" in page


def test_eval_feedback_counts_behavioural_verdicts_per_signal(agency, late, capsys):
    give_behaviour_feedback(
        late, verdict="wrong", note="Payée en retard par la banque", actor=agency.owner
    )
    capsys.readouterr()
    call_command("eval", "--feedback", "--workspace", agency.workspace.slug, "--json")
    report = json.loads(capsys.readouterr().out)["feedback"]
    (row,) = [s for s in report["signals"] if s["signal"] == "late_payment"]
    assert row["kind"] == "behaviour" and row["wrong"] == 1 and row["precision"] == 0.0
    assert report["judged"] == 1 and report["wrong"] == 1
    assert row["notes"][0]["note"] == "Payée en retard par la banque"
    call_command("eval", "--feedback", "--workspace", agency.workspace.slug)
    text = capsys.readouterr().out
    line = next(line for line in text.splitlines() if "late_payment" in line)
    assert line.split()[:4] == ["behaviour", "late_payment", "0", "1"]


def test_the_signs_page_lists_signs_with_their_evidence_and_the_form(agency, late):
    page = login(agency.owner).get(_signs_url(agency)).content.decode()
    assert f'id="sign-{late.pk}"' in page
    assert '<span class="badge warn">Retard de paiement</span>' in page  # its label, not its code
    assert late.explanation_fr.replace("'", "&#x27;") in page
    client_url = reverse(
        "client-detail", kwargs={"workspace": agency.workspace.slug, "client_id": agency.client.pk}
    )
    assert f'href="{client_url}#invoices-h"' in page
    assert f'action="{_feedback_url(agency, late)}"' in page and "Ce signe est-il juste ?" in page
    card = login(agency.owner).get(client_url).content.decode()
    # The count is every sign of the client (the factories' dates may add one to the late payment).
    signs = BehaviourHit.objects.filter(client=agency.client).count()
    assert f'href="{_signs_url(agency)}"' in card and f"Signes de comportement ({signs})" in card


def test_the_page_follows_the_readers_language(agency, late):
    http = login(agency.owner)
    http.post(reverse("set_language"), {"language": "en"})
    page = http.get(_signs_url(agency)).content.decode()
    assert late.explanation_en.replace("'", "&#x27;") in page
    assert late.explanation_fr.replace("'", "&#x27;") not in page


@pytest.mark.parametrize(
    ("who", "get", "post"),
    [
        ("owner", 200, 302),
        ("teammate", 200, 302),
        ("director", 200, 302),
        ("reader", 200, 403),
        ("colleague", 404, 404),
        ("outsider", 404, 404),
    ],
)
def test_who_may_see_and_judge_signs(agency, late, who, get, post):
    http = login(getattr(agency, who))
    response = http.get(_signs_url(agency))
    assert response.status_code == get
    if get == 200:
        form = f'action="{_feedback_url(agency, late)}"' in response.content.decode()
        assert form == (post == 302)  # a read-only member sees no form
    response = http.post(_feedback_url(agency, late), {"verdict": "wrong", "note": ""})
    assert response.status_code == post
    judged = BehaviourFeedback.objects.filter(client=agency.client, key=late.key).exists()
    assert judged == (post == 302)
    if post == 302:
        assert response["Location"].startswith(_signs_url(agency))
        # The recompute may rebuild the row (its date moves with today): found by its key.
        current = BehaviourHit.objects.get(client=agency.client, key=late.key)
        assert response["Location"].endswith(f"#sign-{current.pk}")


def test_a_sign_of_another_client_is_a_404_and_a_bad_verdict_is_refused(agency, late):
    http = login(agency.owner)
    wrong_client = reverse(
        "behaviour-feedback",
        kwargs={
            "workspace": agency.workspace.slug,
            "client_id": agency.other_client.pk,
            "hit_id": late.pk,
        },
    )
    assert login(agency.director).post(wrong_client, {"verdict": "wrong"}).status_code == 404
    response = http.post(_feedback_url(agency, late), {"verdict": "maybe"}, follow=True)
    assert "Choisissez « Juste » ou « Faux / hors sujet »." in response.content.decode()
    assert not BehaviourFeedback.objects.exists()
