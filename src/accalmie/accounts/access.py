"""Every object a user reaches goes through these lookups, scoped to workspace and role.

A lookup that the user may not see raises Http404, never 403, so that nobody can
learn what exists in a workspace that is not theirs.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db.models import Q, QuerySet
from django.http import Http404

from accalmie.accounts.models import Membership
from accalmie.clients.models import Client
from accalmie.comms.models import Interaction


def memberships_of(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Membership]:
    """Return the user's memberships, workspaces joined."""
    if not isinstance(user, User):
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("workspace")


def membership_for(user: AbstractBaseUser | AnonymousUser, workspace_slug: str) -> Membership:
    """Return the user's membership of the workspace, or raise Http404."""
    membership = memberships_of(user).filter(workspace__slug=workspace_slug).first()
    if membership is None:
        raise Http404("No such workspace")
    return membership


def visible_clients(membership: Membership) -> QuerySet[Client]:
    """Return the clients this member may see: all of them, or those assigned to them."""
    clients = Client.objects.filter(workspace_id=membership.workspace_id)
    if membership.sees_whole_workspace:
        return clients
    user_id = membership.user_id
    return clients.filter(Q(account_manager_id=user_id) | Q(team__id=user_id)).distinct()


def client_for(membership: Membership, client_id: int) -> Client:
    """Return one visible client, or raise Http404."""
    client = visible_clients(membership).filter(pk=client_id).first()
    if client is None:
        raise Http404("No such client")
    return client


def visible_interactions(membership: Membership) -> QuerySet[Interaction]:
    """Return the interactions of the clients this member may see."""
    interactions = Interaction.objects.filter(workspace_id=membership.workspace_id)
    if membership.sees_whole_workspace:
        return interactions
    return interactions.filter(client__in=visible_clients(membership).values("pk"))


def interaction_for(membership: Membership, interaction_id: int) -> Interaction:
    """Return one visible interaction, or raise Http404."""
    interaction = visible_interactions(membership).filter(pk=interaction_id).first()
    if interaction is None:
        raise Http404("No such interaction")
    return interaction


def visible_alerts(membership: Membership) -> QuerySet[Any]:
    """Return the health alerts of the clients this member may see."""
    from accalmie.health.models import Alert

    return Alert.objects.filter(
        workspace_id=membership.workspace_id, client__in=visible_clients(membership).values("pk")
    )


def alert_for(membership: Membership, alert_id: int) -> Any:
    """Return one visible alert, or raise Http404."""
    alert = visible_alerts(membership).filter(pk=alert_id).first()
    if alert is None:
        raise Http404("No such alert")
    return alert


def visible_tasks(membership: Membership) -> QuerySet[Any]:
    """Return the tasks of the clients this member may see."""
    from accalmie.actions.models import Task

    return Task.objects.filter(
        workspace_id=membership.workspace_id, client__in=visible_clients(membership).values("pk")
    )


def task_for(membership: Membership, task_id: int) -> Any:
    """Return one visible task, or raise Http404."""
    task = visible_tasks(membership).filter(pk=task_id).first()
    if task is None:
        raise Http404("No such task")
    return task
