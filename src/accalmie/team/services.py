"""Named writes for team pulses: audited and followed by a health recomputation."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from accalmie.clients.models import Client
from accalmie.core.audit import record_event
from accalmie.health.services import queue_health
from accalmie.team.models import TeamPulse


@transaction.atomic
def record_pulse(
    *, client: Client, member: User, week: dt.date, rating: int, comment: str = ""
) -> TeamPulse:
    """Save (or replace) a team member's 1–5 rating of a client for one week."""
    if not 1 <= rating <= 5:
        raise ValidationError("A pulse is rated from 1 to 5")
    monday = week - dt.timedelta(days=week.weekday())
    pulse, _ = TeamPulse.objects.update_or_create(
        client=client, member=member, week=monday, defaults={"rating": rating, "comment": comment}
    )
    record_event(
        action="pulse.record",
        obj=pulse,
        workspace_id=client.workspace_id,
        actor=member,
        data={"rating": rating},
    )
    queue_health([client.pk])
    return pulse


@transaction.atomic
def record_week(
    *, member: User, week: dt.date, entries: list[tuple[Client, int, str]]
) -> list[TeamPulse]:
    """Save one member's pulse of a week for several clients at once (re-sending updates)."""
    workspaces = {client.workspace_id for client, _r, _c in entries}
    if len(workspaces) > 1:
        raise ValidationError("One week's pulse covers clients of one workspace")
    return [
        record_pulse(client=client, member=member, week=week, rating=rating, comment=comment)
        for client, rating, comment in entries
    ]
