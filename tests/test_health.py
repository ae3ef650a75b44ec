"""Health on a real database: the demo stories, alerts once per episode, pages and access."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accalmie.clients.models import Client
from accalmie.core.models import AuditEvent
from accalmie.demo.generator import build_demo
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


def test_backtest_flags_deteriorating_clients_before_their_turning_point():
    replays = {r.key: r for r in backtest.run(ANCHOR)}
    assert replays["good"].lowest_status in {"healthy", "watch"}
    assert replays["anxious"].recovered is True
    for key in ("anxious", "belittler", "scope_creep", "tone_slide", "late_payer", "silent"):
        r = replays[key]
        assert r.first_flagged is not None and r.first_flagged <= r.turning_point, key
    met = [k for k, r in replays.items() if r.meets_goal]
    assert {"good", "anxious", "belittler", "scope_creep"} <= set(met)


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
    owner.post(url(a.pk), {"action": "acknowledge"})
    owner.post(url(b.pk), {"action": "snooze", "days": "7"})
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.acknowledged_by == agency.owner
    assert b.snoozed_until is not None
    inbox = owner.get(reverse("alert-list", kwargs={"workspace": "boreal"})).content.decode()
    assert agency.client.name not in inbox
    assert Client.objects.filter(pk=agency.client.pk).exists()
