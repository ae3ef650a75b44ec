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


def _one(objects: QuerySet[Any], pk: int, not_found: str) -> Any:
    """Return the object of that key among these, or raise Http404."""
    found = objects.filter(pk=pk).first()
    if found is None:
        raise Http404(not_found)
    return found


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
    return _one(visible_clients(membership), client_id, "No such client")


def visible_interactions(membership: Membership) -> QuerySet[Interaction]:
    """Return the interactions of the clients this member may see."""
    interactions = Interaction.objects.filter(workspace_id=membership.workspace_id)
    if membership.sees_whole_workspace:
        return interactions
    return interactions.filter(client__in=visible_clients(membership).values("pk"))


def interaction_for(membership: Membership, interaction_id: int) -> Interaction:
    """Return one visible interaction, or raise Http404."""
    return _one(visible_interactions(membership), interaction_id, "No such interaction")


def visible_alerts(membership: Membership) -> QuerySet[Any]:
    """Return the health alerts of the clients this member may see."""
    from accalmie.health.models import Alert

    return Alert.objects.filter(
        workspace_id=membership.workspace_id, client__in=visible_clients(membership).values("pk")
    )


def alert_for(membership: Membership, alert_id: int) -> Any:
    """Return one visible alert, or raise Http404."""
    return _one(visible_alerts(membership), alert_id, "No such alert")


def visible_tasks(membership: Membership) -> QuerySet[Any]:
    """Return the tasks of the clients this member may see."""
    from accalmie.actions.models import Task

    return Task.objects.filter(
        workspace_id=membership.workspace_id, client__in=visible_clients(membership).values("pk")
    )


def task_for(membership: Membership, task_id: int) -> Any:
    """Return one visible task, or raise Http404."""
    return _one(visible_tasks(membership), task_id, "No such task")


def invoice_for(membership: Membership, invoice_id: int) -> Any:
    """Return one invoice of a visible client, its client joined, or raise Http404."""
    from accalmie.finance.models import Invoice

    invoices = Invoice.objects.filter(client__in=visible_clients(membership).values("pk"))
    return _one(invoices.select_related("client"), invoice_id, "No such invoice")


def project_for(membership: Membership, project_id: int) -> Any:
    """Return one project of a visible client, its client joined, or raise Http404."""
    from accalmie.projects.models import Project

    projects = Project.objects.filter(client__in=visible_clients(membership).values("pk"))
    return _one(projects.select_related("client"), project_id, "No such project")
