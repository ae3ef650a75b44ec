"""Named writes for interactions, and keeping each client's last exchange up to date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accalmie.accounts.models import Workspace
from accalmie.clients.models import Client, Contact
from accalmie.comms.models import Channel, Direction, Interaction, InteractionParticipant, Thread
from accalmie.comms.tasks import refresh_client_activity_task
from accalmie.comms.threading import ThreadFinder
from accalmie.core.audit import record_event
from accalmie.detect.queue import queue_analysis
from accalmie.projects.models import Project


def refresh_client_activity(client_ids: Iterable[int]) -> int:
    """Recompute `last_interaction_at` for the given clients; return how many changed."""
    ids = sorted(set(client_ids))
    latest = dict(
        Client.objects.filter(pk__in=ids)
        .annotate(latest=Max("interactions__occurred_at"))
        .values_list("pk", "latest")
    )
    changed = 0
    for client in Client.objects.filter(pk__in=ids).only("pk", "last_interaction_at"):
        if client.last_interaction_at != latest.get(client.pk):
            client.last_interaction_at = latest.get(client.pk)
            client.save(update_fields=["last_interaction_at"])
            changed += 1
    return changed


@dataclass(frozen=True)
class ParticipantSpec:
    """Who took part in an exchange, as known when recording it."""

    role: str
    address: str = ""
    name: str = ""
    contact_id: int | None = None
    user_id: int | None = None


def thread_for(
    *,
    workspace_id: int,
    client_id: int | None,
    subject: str,
    in_reply_to: str = "",
    references: Iterable[str] = (),
) -> Thread:
    """Return the thread an exchange belongs to: its parent's, else the same subject's, else new.

    Only the primary key of a thread that already existed is loaded.
    """
    return ThreadFinder(workspace_id).find(client_id, subject, [in_reply_to, *references])


@transaction.atomic
def record_interaction(
    *,
    workspace: Workspace,
    client: Client | None,
    channel: str,
    direction: str,
    occurred_at: dt.datetime,
    subject: str = "",
    body_text: str = "",
    participants: Iterable[ParticipantSpec] = (),
    project: Project | None = None,
    message_id: str = "",
    in_reply_to: str = "",
    source: str = "manual",
    actor: User | None = None,
    refresh_activity: bool = True,
    duration_minutes: int | None = None,
) -> Interaction:
    """Save one exchange with its participants and thread, audit it, refresh the client."""
    if channel not in Channel.values:
        raise ValidationError(f"Unknown channel « {channel} »: {', '.join(Channel.values)}")
    if direction not in Direction.values:
        raise ValidationError(f"Unknown direction « {direction} »: {', '.join(Direction.values)}")
    if timezone.is_naive(occurred_at):
        raise ValidationError("An interaction's time must carry its timezone")
    if client is not None and client.workspace_id != workspace.pk:
        raise ValidationError("The client belongs to another workspace")
    thread = thread_for(
        workspace_id=workspace.pk,
        client_id=client.pk if client else None,
        subject=subject,
        in_reply_to=in_reply_to,
    )
    interaction = Interaction.objects.create(
        workspace=workspace,
        client=client,
        project=project,
        thread=thread,
        channel=channel,
        direction=direction,
        occurred_at=occurred_at.astimezone(dt.UTC),
        subject=subject[:500],
        body_text=body_text,
        message_id=message_id,
        in_reply_to=in_reply_to,
        source=source,
        created_by=actor,
        duration_minutes=duration_minutes,
    )
    InteractionParticipant.objects.bulk_create(
        InteractionParticipant(
            interaction=interaction,
            role=p.role,
            address=p.address,
            name=p.name,
            contact_id=p.contact_id,
            user_id=p.user_id,
        )
        for p in participants
    )
    record_event(
        action="interaction.create",
        obj=interaction,
        workspace_id=workspace.pk,
        actor=actor,
        data={"client": client.pk if client else None, "channel": channel, "source": source},
    )
    if refresh_activity and client is not None:
        client_id = client.pk
        transaction.on_commit(lambda: refresh_client_activity_task.enqueue([client_id]))
    if refresh_activity:
        queue_analysis([interaction.pk])
    return interaction


MANUAL_CHANNELS = (Channel.CALL, Channel.MEETING, Channel.NOTE)


def log_exchange(
    *,
    client: Client,
    actor: User,
    channel: str,
    direction: str,
    occurred_at: dt.datetime,
    subject: str,
    body_text: str,
    duration_minutes: int | None = None,
    attendees: Iterable[Contact] = (),
) -> Interaction:
    """Record a call, a meeting or a note typed in the web app (analysed, then rescored)."""
    if channel not in MANUAL_CHANNELS:
        raise ValidationError(f"Only calls, meetings and notes are recorded by hand, not {channel}")
    if not body_text.strip():
        raise ValidationError("A recorded exchange needs its summary")
    if duration_minutes is not None and not 1 <= duration_minutes <= 24 * 60:
        raise ValidationError("A duration is 1 to 1,440 minutes")
    contacts = list(attendees)
    if any(c.client_id != client.pk for c in contacts):
        raise ValidationError("An attendee is not a contact of this client")
    role = InteractionParticipant.Role.ATTENDEE
    people = [ParticipantSpec(role=role, user_id=actor.pk, name=actor.get_full_name())]
    people += [ParticipantSpec(role=role, contact_id=c.pk, name=c.name) for c in contacts]
    # The analysis queued by record_interaction recomputes the client's health once its hits
    # are stored (detect.tasks): queueing health here as well would compute it twice.
    return record_interaction(
        workspace=client.workspace,
        client=client,
        channel=channel,
        direction=direction,
        occurred_at=occurred_at,
        subject=subject.strip(),
        body_text=body_text.strip(),
        participants=people,
        source="web",
        actor=actor,
        duration_minutes=duration_minutes,
    )
