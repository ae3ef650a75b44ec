"""Health on a real database: the demo stories, alerts once per episode, pages and access."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from accalmie.clients.models import Client
from accalmie.core.models import AuditEvent
from accalmie.demo.generator import build_demo
from accalmie.demo.stories import load_stories
from accalmie.health import backtest
from accalmie.health.models import Alert, HealthSnapshot, WalkAwayDecision
from accalmie.health.services import recompute_clients
from tests.conftest import login

ANCHOR = dt.date(2026, 11, 23)
pytestmark = pytest.mark.django_db


def _score(name: str) -> HealthSnapshot:
    return HealthSnapshot.objects.filter(client__name=name).latest("day")


def test_demo_rescore_matches_the_stories_and_alerts_are_not_duplicated():
    """GIVEN the demo WHEN rescored twice THEN the good client is healthy, the others are not
    all healthy, the anxious client recovered, and the second run raises no new alert."""
    demo = build_demo(anchor=ANCHOR)
    clients = list(demo.workspace.clients.all())
    now = dt.datetime.combine(ANCHOR, dt.time(), tzinfo=dt.UTC)
    first = recompute_clients(clients, as_of=now, history_weeks=26)
    assert first.alerts > 0
    count = Alert.objects.count()
    second = recompute_clients(clients, as_of=now, history_weeks=26)
    assert second.alerts == 0 and Alert.objects.count() == count
    assert _score("Coopérative Les Vergers du Pilat").status == "healthy"
    assert _score("Laboratoires Célandine").status == "healthy"  # recovered
    alerted = set(Alert.objects.values_list("client__name", flat=True))
    assert "Coopérative Les Vergers du Pilat" not in alerted
    assert {"Laboratoires Célandine", "Parcelwise", "Hôtels Castaigne"} <= alerted
    # The account manager gets the alert; directors only for critical ones.
    anxious = Alert.objects.filter(client__name="Laboratoires Célandine")
    assert anxious.filter(recipients__username="claire").exists()
    assert anxious.filter(status_to="critical", recipients__username="demo").exists()
    # At the right time: each deteriorating client's first alert 4 weeks or more before its
    # story's turning point; and one episode each, so each status is entered once.
    for story, turning_point in demo.turning_points.items():
        name = next(s.data["name"] for s in load_stories() if s.key == story)
        alerts = Alert.objects.filter(client__name=name)
        if turning_point is None:
            assert not alerts.exists(), name
            continue
        first = alerts.order_by("raised_on").first()
        assert first is not None, name
        assert (turning_point - first.raised_on).days >= 28, (name, first.raised_on)
        entered = list(alerts.filter(kind="status").values_list("status_to", flat=True))
        assert len(entered) == len(set(entered)), (name, entered)
    # `accalmie health CLIENT`: score, dimensions, trend and why with evidence, in French…
    out = io.StringIO()
    call_command("health", "Perrochet", stdout=out)
    text = out.getvalue()
    # Scored today, whatever today is: any status, in words.
    assert re.match(
        r"Maison Perrochet : \d+/100, (En bonne santé|À surveiller|À risque|Critique) "
        r"\(confiance \d+ %\)\n",
        text,
    ), text[:80]
    for words in ("Tendance  7 j : ", "30 j : ", "90 j : ", "Finances", "Équipe", "Pourquoi :"):
        assert words in text, words
    assert "Retard de paiement" in text and "invoice #" in text and "F-2026-05" in text
    assert "Faut-il se séparer ? Proposition : " in text and "repair_plan" not in text
    # …and as JSON.
    out = io.StringIO()
    call_command("health", "Perrochet", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert set(data["trend"]) == {"7", "30", "90"} and len(data["dimensions"]) == 6
    assert data["status_label"] and data["walkaway"]["proposed_label"]
    top = data["reasons"][0]
    assert top["refs"] and {"kind", "id", "label", "url"} <= set(top["refs"][0])


def test_backtest_meets_the_goal_on_the_demo_and_prints_one_object_per_client():
    """GIVEN the demo stories WHEN `accalmie backtest --json` replays them week by week THEN
    every deteriorating client left healthy 4 weeks or more before its turning point, the good
    client never went below watch and the anxious client is healthy again after recovering."""
    out = io.StringIO()
    call_command("backtest", "--as-of", ANCHOR.isoformat(), "--json", stdout=out)
    rows = json.loads(out.getvalue())
    stories = {s.data["name"]: s for s in load_stories()}
    assert sorted(r["client"] for r in rows) == sorted(stories)
    for row in rows:
        assert {"client", "turning_point", "first_flagged", "weeks_ahead", "lowest_status"} <= set(
            row
        )
        assert row["lowest_status"] in {"healthy", "watch", "at_risk", "critical"}
        story = stories[row["client"]]
        if story.turning_point_week is None:  # the good client
            assert row["turning_point"] is None and row["weeks_ahead"] is None
            assert row["lowest_status"] in {"healthy", "watch"}, row
            continue
        turning_point = dt.date.fromisoformat(row["turning_point"])
        first_flagged = dt.date.fromisoformat(row["first_flagged"])
        assert row["weeks_ahead"] == (turning_point - first_flagged).days // 7
        assert row["weeks_ahead"] >= backtest.GOAL_WEEKS_AHEAD, row
        if story.recovery_week is not None:  # the anxious client, healthy again at the end
            assert row["recovered"] is True and row["final_status"] == "healthy", row
        assert row["meets_goal"] is True


def test_pages_show_health_and_refuse_other_workspaces(agency):
    recompute_clients([agency.client])
    url_client = reverse(
        "client-detail", kwargs={"workspace": "boreal", "client_id": agency.client.pk}
    )
    walk = reverse("walkaway", kwargs={"workspace": "boreal", "client_id": agency.client.pk})
    alerts = reverse("alert-list", kwargs={"workspace": "boreal"})
    owner = login(agency.owner)
    assert "/100" in owner.get(url_client).content.decode()
    assert owner.get(walk).status_code == 200
    assert owner.get(alerts).status_code == 200
    outsider = login(agency.outsider)
    for url in (walk, alerts, url_client):
        assert outsider.get(url).status_code == 404
    assert login(agency.colleague).get(walk).status_code == 404


def test_pages_show_words_not_keys(agency):
    """The walk-away proposal, the checklist states and an alert's reasons are shown in words."""
    owner = login(agency.owner)
    walk = reverse("walkaway", kwargs={"workspace": "boreal", "client_id": agency.client.pk})
    page = owner.get(walk).content.decode()
    assert "<strong>Continuer</strong>" in page
    assert "[missing]" not in page and "[check]" not in page and "[ok]" not in page
    Alert.objects.create(
        workspace=agency.workspace,
        client=agency.client,
        episode_key="k",
        kind="drop",
        raised_on=ANCHOR,
        status_from="healthy",
        status_to="watch",
        score_from=95,
        score_to=78,
        reasons=[
            {
                "signal": "team_strain",
                "points": -12.0,
                "explanation": {"fr": "Le moral de l'équipe baisse.", "en": "Sliding."},
            }
        ],
    )
    inbox = owner.get(reverse("alert-list", kwargs={"workspace": "boreal"})).content.decode()
    assert "Équipe sous tension" in inbox and "Le moral de l&#x27;équipe baisse." in inbox
    assert "team_strain" not in inbox


def test_decision_is_recorded_with_its_reason_and_audited(agency):
    owner = login(agency.owner)
    walk = reverse("walkaway", kwargs={"workspace": "boreal", "client_id": agency.client.pk})
    assert (
        owner.post(walk, {"form": "decision", "outcome": "continue", "reason": ""}).status_code
        == 400
    )
    response = owner.post(
        walk, {"form": "decision", "outcome": "repair_plan", "reason": "Un point par semaine"}
    )
    assert response.status_code == 302
    decision = WalkAwayDecision.objects.get(client=agency.client)
    assert decision.reason == "Un point par semaine" and decision.decided_by == agency.owner
    assert AuditEvent.objects.filter(action="walkaway.decide").exists()


def test_team_members_flag_conduct_but_do_not_decide(agency):
    """Deciding to end a relationship is for account managers and directors."""
    walk = reverse("walkaway", kwargs={"workspace": "boreal", "client_id": agency.client.pk})
    teammate = login(agency.teammate)
    page = teammate.get(walk).content.decode()
    assert 'value="flag"' in page and 'value="decision"' not in page
    decide = {"form": "decision", "outcome": "prepare_exit", "reason": "Assez"}
    assert teammate.post(walk, decide).status_code == 403
    assert teammate.post(walk, {"form": "flag", "illegal_or_unethical": "on"}).status_code == 302
    assert login(agency.reader).post(walk, decide).status_code == 403
    assert login(agency.director).post(walk, decide).status_code == 302
    assert list(WalkAwayDecision.objects.values_list("decided_by", flat=True)) == [
        agency.director.pk
    ]
    assert login(agency.owner).put(walk).status_code == 405


def test_acknowledge_and_snooze_from_the_inbox(agency):
    base = dict(
        workspace=agency.workspace,
        client=agency.client,
        kind="status",
        raised_on=ANCHOR,
        status_from="healthy",
        status_to="watch",
        score_from=90,
        score_to=80,
    )
    a = Alert.objects.create(episode_key="a", **base)
    b = Alert.objects.create(episode_key="b", **base)
    owner = login(agency.owner)
    url = lambda pk: reverse("alert-action", kwargs={"workspace": "boreal", "alert_id": pk})  # noqa: E731
    assert login(agency.outsider).post(url(a.pk), {"action": "acknowledge"}).status_code == 404
    assert login(agency.reader).post(url(a.pk), {"action": "acknowledge"}).status_code == 403
    owner.post(url(a.pk), {"action": "acknowledge"})
    owner.post(url(b.pk), {"action": "snooze", "days": "7"})
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.acknowledged_by == agency.owner
    assert b.snoozed_until is not None
    inbox = owner.get(reverse("alert-list", kwargs={"workspace": "boreal"})).content.decode()
    assert agency.client.name not in inbox
    assert Client.objects.filter(pk=agency.client.pk).exists()
