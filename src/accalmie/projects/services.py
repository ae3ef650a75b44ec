"""Named writes for contracts: validated, saved with their scope, audited, then rescored."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from accalmie.core.audit import record_event
from accalmie.health.services import queue_health
from accalmie.projects.models import Contract, Project, ScopeItem


@transaction.atomic
def save_contract(
    contract: Contract,
    *,
    included: Sequence[str],
    excluded: Sequence[str],
    actor: User | None = None,
) -> Contract:
    """Save a project's contract (new or changed) and replace its scope lines."""
    project: Project = contract.project
    client = project.client
    contact, agent = contract.client_contact, contract.agency_contact
    if contact is not None and contact.client_id != client.pk:
        raise ValidationError("The single point of contact is not a contact of this client")
    if (
        agent is not None
        and not agent.memberships.filter(workspace_id=client.workspace_id).exists()
    ):
        raise ValidationError("The agency's point of contact is not a member of the workspace")
    created = contract.pk is None
    contract.full_clean(exclude=["project"])
    contract.save()
    contract.scope_items.all().delete()
    ScopeItem.objects.bulk_create(
        [
            ScopeItem(contract=contract, title=title[:300], included=True, position=n)
            for n, title in enumerate(included)
        ]
        + [
            ScopeItem(contract=contract, title=title[:300], included=False, position=n)
            for n, title in enumerate(excluded)
        ]
    )
    record_event(
        action="contract.create" if created else "contract.update",
        obj=contract,
        workspace_id=client.workspace_id,
        actor=actor,
        data={
            "project": project.pk,
            "revision_rounds_allowed": contract.revision_rounds_allowed,
            "scope_items": len(included) + len(excluded),
        },
    )
    queue_health([client.pk])
    return contract
