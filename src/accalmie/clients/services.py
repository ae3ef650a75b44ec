"""Named writes for clients and their contacts."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from accalmie.accounts.models import Workspace
from accalmie.accounts.services import normalize_domain
from accalmie.clients.models import Client, ClientDomain, Contact, ContactEmail, Language
from accalmie.core.audit import record_event


@transaction.atomic
def create_client(
    *,
    workspace: Workspace,
    name: str,
    kind: str = Client.Kind.ORGANISATION,
    language: str = Language.FR,
    timezone: str = "Europe/Paris",
    domains: Iterable[str] = (),
    account_manager: User | None = None,
    team: Iterable[User] = (),
    notes: str = "",
    actor: User | None = None,
) -> Client:
    """Create a client with its email domains and the people who serve it."""
    if Client.objects.filter(workspace=workspace, name=name).exists():
        raise ValidationError(f"A client named « {name} » already exists in {workspace}")
    client = Client(
        workspace=workspace,
        name=name,
        kind=kind,
        language=language,
        timezone=timezone,
        account_manager=account_manager,
        notes=notes,
    )
    client.full_clean(exclude=["team"])
    client.save()
    client.team.set(list(team))
    clean_domains = sorted({normalize_domain(d) for d in domains})
    taken = set(
        ClientDomain.objects.filter(workspace=workspace, domain__in=clean_domains).values_list(
            "domain", flat=True
        )
    )
    if taken:
        raise ValidationError(f"Domains already used by another client: {', '.join(sorted(taken))}")
    ClientDomain.objects.bulk_create(
        ClientDomain(workspace=workspace, client=client, domain=d) for d in clean_domains
    )
    record_event(
        action="client.create",
        obj=client,
        workspace_id=workspace.pk,
        actor=actor,
        data={"name": name, "domains": clean_domains},
    )
    return client


@transaction.atomic
def add_contact(
    *,
    client: Client,
    name: str,
    emails: Iterable[str] = (),
    role: str = "",
    phone: str = "",
    actor: User | None = None,
) -> Contact:
    """Add a person to a client, with the addresses they write from."""
    contact = Contact.objects.create(client=client, name=name, role=role, phone=phone)
    for address in emails:
        email = ContactEmail(workspace_id=client.workspace_id, contact=contact, address=address)
        email.full_clean(exclude=["workspace", "contact"], validate_unique=False)
        if ContactEmail.objects.filter(
            workspace_id=client.workspace_id, address=email.address.strip().lower()
        ).exists():
            raise ValidationError(f"The address {address} already belongs to another contact")
        email.save()
    record_event(
        action="contact.create",
        obj=contact,
        workspace_id=client.workspace_id,
        actor=actor,
        data={"client": client.pk, "name": name, "emails": list(emails)},
    )
    return contact
