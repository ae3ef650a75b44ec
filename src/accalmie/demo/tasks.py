"""Example tasks of the demo: a few recommended actions already accepted, one of them late."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User

from accalmie.accounts.models import Workspace
from accalmie.actions.services import accept_action
from accalmie.actions.situation import recommendations_for
from accalmie.clients.models import Client
from accalmie.health.models import HealthSnapshot, Status

# Two troubled clients get a task each: enough for "Mes tâches" to show the idea.
EXAMPLE_TASKS = 2
OVERDUE_BY = dt.timedelta(days=3)


def seed_example_tasks(workspace: Workspace, actor: User, today: dt.date) -> int:
    """Accept the first action of the most pressing playbook of the worst clients; return how many.

    The worst client's task is already three days late, so the overdue marking shows.
    """
    latest = {
        s.client_id: s
        for s in HealthSnapshot.objects.filter(client__workspace=workspace).order_by("day")
    }
    rank = {Status.CRITICAL: 0, Status.AT_RISK: 1, Status.WATCH: 2}
    troubled = sorted(
        (s for s in latest.values() if s.status in rank),
        key=lambda s: (rank[Status(s.status)], s.score),
    )
    created = 0
    for snapshot in troubled[:EXAMPLE_TASKS]:
        client = Client.objects.get(pk=snapshot.client_id, workspace=workspace)
        recommendations = recommendations_for(client, limit=1)
        if not recommendations:
            continue
        playbook = recommendations[0].playbook
        action = playbook.actions[0]
        accept_action(
            client,
            playbook.id,
            action.id,
            actor=actor,
            lang="fr",  # the demo's interface language
            due_on=today - OVERDUE_BY if created == 0 else action.due_on(today),
            today=today,
        )
        created += 1
    return created
