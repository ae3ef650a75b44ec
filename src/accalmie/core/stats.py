"""Counts of what a workspace holds, for `accalmie stats` and the health of an install."""

from __future__ import annotations

from accalmie.accounts.models import Membership, Workspace
from accalmie.capture.models import CapturedMessage, Correspondent
from accalmie.clients.models import Client, Contact
from accalmie.comms.models import Interaction
from accalmie.finance.models import Invoice
from accalmie.team.models import TeamPulse


def workspace_counts(workspace: Workspace) -> dict[str, int]:
    """Return how many members, clients, contacts, interactions, invoices and pulses it has."""
    return {
        "members": Membership.objects.filter(workspace=workspace).count(),
        "clients": Client.objects.filter(workspace=workspace).count(),
        "contacts": Contact.objects.filter(client__workspace=workspace).count(),
        "interactions": Interaction.objects.filter(workspace=workspace).count(),
        "unassigned_interactions": Interaction.objects.filter(
            workspace=workspace, client=None
        ).count(),
        "invoices": Invoice.objects.filter(client__workspace=workspace).count(),
        "team_pulses": TeamPulse.objects.filter(client__workspace=workspace).count(),
        "quarantined": CapturedMessage.objects.filter(
            workspace=workspace, outcome=CapturedMessage.Outcome.QUARANTINED
        ).count(),
        "correspondents_to_review": Correspondent.objects.filter(
            workspace=workspace, status=Correspondent.Status.PENDING
        ).count(),
    }
