"""Background work goes through the task queue and a real worker runs it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from accalmie.comms.models import Channel, Direction
from accalmie.comms.services import ParticipantSpec, record_interaction
from accalmie.detect.models import InteractionAnalysis
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_recording_an_exchange_queues_work_that_the_worker_runs():
    """GIVEN a new exchange WHEN it is recorded THEN a task is queued, not run in the request;
    WHEN the worker runs THEN the client's last exchange is up to date."""
    client = ClientFactory()
    at = dt.datetime(2026, 5, 4, 9, 30, tzinfo=dt.UTC)
    record_interaction(
        workspace=client.workspace,
        client=client,
        channel=Channel.EMAIL,
        direction=Direction.FROM_CLIENT,
        occurred_at=at,
        subject="Retours",
        participants=[ParticipantSpec(role="from", address="a@client.example")],
    )
    client.refresh_from_db()
    assert client.last_interaction_at is None  # not done inline
    queued = {t.task_path.rsplit(".", 1)[-1]: t for t in DBTaskResult.objects.all()}
    assert set(queued) == {"refresh_client_activity_task", "analyse_interactions_task"}
    assert all(t.status == "READY" for t in queued.values())

    call_command("worker", batch=True, queue_name="*", verbosity=0)

    for task in queued.values():
        task.refresh_from_db()
        assert task.status == "SUCCESSFUL", task.task_path
    assert InteractionAnalysis.objects.filter(interaction__client=client).exists()
    client.refresh_from_db()
    assert client.last_interaction_at == at
