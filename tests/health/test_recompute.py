"""`recompute_clients` by chunks: safe to run again, unchanged signs kept, alerts raised once."""

from __future__ import annotations

import datetime as dt
import io

from django.core.management import call_command
from django.utils import timezone

from accalmie.health.models import Alert, BehaviourHit, HealthSnapshot
from accalmie.health.services import _Writes, recompute_clients
from tests.factories import InvoiceFactory


def test_a_second_recompute_keeps_unchanged_signs_and_raises_nothing_new(agency):
    today = timezone.localdate()
    InvoiceFactory(
        client=agency.client,
        number="F-LATE",
        issued_on=today - dt.timedelta(days=90),
        due_on=today - dt.timedelta(days=60),
        paid_on=None,
    )
    clients = [agency.client, agency.other_client]
    now = timezone.now()
    first = recompute_clients(clients, as_of=now, history_weeks=8, chunk=1)
    assert first.clients == 2 and first.behaviour_hits > 0
    rows = dict(BehaviourHit.objects.values_list("key", "pk"))
    alerts = set(Alert.objects.values_list("pk", flat=True))
    snapshots = HealthSnapshot.objects.count()
    assert len(rows) == first.behaviour_hits and len(alerts) == first.alerts
    again = recompute_clients(clients, as_of=now, history_weeks=8)
    assert dict(BehaviourHit.objects.values_list("key", "pk")) == rows  # rows left as they are
    assert again.alerts == 0 and set(Alert.objects.values_list("pk", flat=True)) == alerts
    assert HealthSnapshot.objects.count() == snapshots


def test_an_episode_raised_meanwhile_is_not_raised_twice_nor_counted(agency):
    def alert(key: str) -> Alert:
        return Alert(
            workspace=agency.workspace,
            client=agency.client,
            episode_key=key,
            kind="status",
            raised_on=timezone.localdate(),
            status_from="healthy",
            status_to="watch",
            score_from=95,
            score_to=78,
            reasons=[],
        )

    alert("taken").save()  # by another process, after this one read the raised episodes
    users = [agency.owner.pk]
    writes = _Writes(alerts=[(alert("taken"), users), (alert("new"), users)])
    assert writes.save() == 1
    assert Alert.objects.filter(client=agency.client).count() == 2
    assert list(Alert.objects.get(episode_key="new").recipients.all()) == [agency.owner]
    assert not Alert.objects.get(episode_key="taken").recipients.exists()


def test_the_alerts_command_prints_words_not_keys(agency):
    Alert.objects.create(
        workspace=agency.workspace,
        client=agency.client,
        episode_key="k",
        kind="drop",
        raised_on=timezone.localdate(),
        status_from="healthy",
        status_to="at_risk",
        score_from=95,
        score_to=60,
        reasons=[{"signal": "late_payment", "points": -20.0}],
    )
    out = io.StringIO()
    call_command("alerts", "--all", stdout=out)
    text = out.getvalue()
    assert "Chute du score" in text and "En bonne santé → À risque (95 → 60)" in text
    assert "Retard de paiement -20" in text
    assert "late_payment" not in text and "at_risk" not in text
