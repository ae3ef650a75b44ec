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
