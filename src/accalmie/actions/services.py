"""Writes of the acting side: accept an action as a task, complete a task.

Each validates, saves, writes an audit row; completing a task also writes an internal note
in the client's timeline (channel `note`, direction `internal`: never read as a client message
by the text analysis or the behavioural detectors).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accalmie.accounts.models import Membership, Role
from accalmie.actions.models import Task
from accalmie.clients.models import Client
from accalmie.comms.models import Channel, Direction, Interaction
from accalmie.comms.services import ParticipantSpec, record_interaction
from accalmie.core.audit import record_event
from accalmie.playbooks import get_playbook

MAX_DUE_DAYS = 366


def eligible_owners(client: Client) -> list[User]:
    """Who may own a task on the client: its account manager, its team and the directors."""
    ids: list[int] = []
    if client.account_manager_id:
        ids.append(client.account_manager_id)
    ids += list(client.team.values_list("pk", flat=True))
    ids += list(
        Membership.objects.filter(workspace_id=client.workspace_id, role=Role.DIRECTOR).values_list(
            "user_id", flat=True
        )
    )
    writers = set(
        Membership.objects.filter(
            workspace_id=client.workspace_id,
            role__in=[Role.DIRECTOR, Role.ACCOUNT_MANAGER, Role.TEAM_MEMBER],
        ).values_list("user_id", flat=True)
    )
    ordered = [pk for pk in dict.fromkeys(ids) if pk in writers]
    users = {u.pk: u for u in User.objects.filter(pk__in=ordered)}
    return [users[pk] for pk in ordered if pk in users]


def default_owner(client: Client, role: str) -> User | None:
    """The person a suggested role points to on this client.

    `director` → the first director of the workspace; `team_member` → the first member of the
    client's team; otherwise (and when nobody fits) the account manager, then a director.
    """
    # Each person is read only when the role needs them (the client page asks for every role).
    if role == Role.TEAM_MEMBER:
        member = client.team.order_by("pk").first()
        if member is not None:
            return member
    if role != Role.DIRECTOR and client.account_manager_id:
        return client.account_manager
    director = (
        User.objects.filter(
            memberships__workspace_id=client.workspace_id, memberships__role=Role.DIRECTOR
        )
        .order_by("pk")
        .first()
    )
    if director is not None:
        return director
    return client.account_manager if client.account_manager_id else None


def accept_action(
    client: Client,
    playbook_id: str,
    action_id: str,
    *,
    actor: User,
    lang: str,
    owner: User | None = None,
    due_on: dt.date | None = None,
    today: dt.date | None = None,
) -> Task:
    """Turn a recommended action into a task on the client."""
    try:
        playbook = get_playbook(playbook_id)
    except KeyError:
        raise ValidationError(_("Playbook inconnu.")) from None
    action = next((a for a in playbook.actions if a.id == action_id), None)
    if action is None:
        raise ValidationError(_("Action inconnue."))
    today = today or timezone.localdate()
    if owner is None:
        owner = default_owner(client, action.owner)
    elif owner.pk not in {u.pk for u in eligible_owners(client)}:
        raise ValidationError(_("Cette personne ne peut pas porter une tâche de ce client."))
    due_on = due_on or action.due_on(today)
    if due_on < today - dt.timedelta(days=MAX_DUE_DAYS) or due_on > today + dt.timedelta(
        days=MAX_DUE_DAYS
    ):
        raise ValidationError(_("Échéance hors de l'année qui vient."))
    task = Task.objects.create(
        workspace_id=client.workspace_id,
        client=client,
        title=action.title_in(lang)[:300],
        why=action.why_in(lang),
        playbook_id=playbook.id,
        action_id=action.id,
        template_id=action.template or "",
        owner=owner,
        due_on=due_on,
        created_by=actor,
    )
    record_event(
        action="task.create",
        obj=task,
        workspace_id=client.workspace_id,
        actor=actor,
        data={
            "client": client.pk,
            "playbook": playbook.id,
            "action": action.id,
            "owner": owner.pk if owner else None,
            "due_on": due_on.isoformat(),
        },
    )
    return task


def complete_task(task: Task, *, actor: User, comment: str = "") -> Task:
    """Mark the task done and write it in the client's timeline as an internal note."""
    if not task.is_open:
        raise ValidationError(_("Cette tâche est déjà faite."))
    now = timezone.now()
    who = actor.get_full_name() or actor.get_username()
    body = _("Tâche faite par %(who)s : %(title)s.") % {"who": who, "title": task.title}
    if task.why:
        body += "\n\n" + task.why
    if comment.strip():
        body += "\n\n" + comment.strip()
    with transaction.atomic():
        note: Interaction = record_interaction(
            workspace=task.client.workspace,
            client=task.client,
            channel=Channel.NOTE,
            direction=Direction.INTERNAL,
            occurred_at=now,
            subject=(_("Tâche faite : %(title)s") % {"title": task.title})[:500],
            body_text=body,
            participants=[ParticipantSpec(role="from", user_id=actor.pk, name=who)],
            source="task",
            actor=actor,
            # A note is not an exchange with the client: it must not move "last exchange"
            # nor be queued for the text analysis.
            refresh_activity=False,
        )
        task.status = Task.Status.DONE
        task.completed_at = now
        task.completed_by = actor
        task.note = note
        task.save(update_fields=["status", "completed_at", "completed_by", "note"])
        record_event(
            action="task.complete",
            obj=task,
            workspace_id=task.workspace_id,
            actor=actor,
            data={"client": task.client_id, "note": note.pk},
        )
    return task
