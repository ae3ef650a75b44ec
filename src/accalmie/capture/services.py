"""Named writes of the capture area: start imports, save mail accounts, sort new people."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import IO

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from accalmie.accounts.models import Workspace
from accalmie.capture.models import Correspondent, ImportJob, MailAccount
from accalmie.clients.models import Client, ClientDomain, Contact, ContactEmail
from accalmie.comms.models import Interaction, InteractionParticipant
from accalmie.comms.services import refresh_client_activity
from accalmie.core.audit import record_event

UPLOAD_KINDS = {ImportJob.Kind.EML, ImportJob.Kind.MBOX, ImportJob.Kind.CSV}


def create_job(
    *,
    workspace: Workspace,
    kind: str,
    path: str = "",
    label: str = "",
    account: MailAccount | None = None,
    actor: User | None = None,
) -> ImportJob:
    """Record an import to run; a file source must exist now."""
    if kind not in ImportJob.Kind.values:
        raise ValidationError(f"Unknown import kind « {kind} »")
    if kind == ImportJob.Kind.IMAP:
        if account is None:
            raise ValidationError("An IMAP import needs a mail account")
        label = label or str(account)
    else:
        source = Path(path).expanduser()
        if not source.exists():
            raise ValidationError(f"{path} does not exist")
        path = str(source.resolve())
        label = label or path
    job = ImportJob.objects.create(
        workspace=workspace,
        kind=kind,
        path=path,
        label=label[:500],
        account=account,
        created_by=actor,
    )
    record_event(
        action="import.create",
        obj=job,
        workspace_id=workspace.pk,
        actor=actor,
        data={"kind": kind, "label": job.label},
    )
    return job


def store_upload(workspace: Workspace, name: str, stream: IO[bytes]) -> Path:
    """Copy an uploaded file into the data directory and return its path."""
    folder = Path(settings.DATA_DIR) / "uploads" / workspace.slug
    folder.mkdir(parents=True, exist_ok=True)
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in Path(name).name) or "upload"
    target = folder / safe
    counter = 1
    while target.exists():
        target = folder / f"{target.stem.split('~')[0]}~{counter}{target.suffix}"
        counter += 1
    with target.open("wb") as out:
        shutil.copyfileobj(stream, out, length=1024 * 1024)
    return target


def enqueue_job(job: ImportJob) -> None:
    """Queue the job for the worker once the current transaction commits."""
    from accalmie.capture.tasks import run_import_task

    transaction.on_commit(lambda: run_import_task.enqueue(job.pk))


def save_mail_account(
    *,
    workspace: Workspace,
    label: str,
    host: str,
    username: str,
    port: int | None = None,
    security: str = MailAccount.Security.SSL,
    password_env: str = "",
    password_file: str = "",
    ca_file: str = "",
    folders: list[str] | None = None,
    actor: User | None = None,
) -> MailAccount:
    """Create or update an IMAP account; the password stays in the environment or a file."""
    if security not in MailAccount.Security.values:
        raise ValidationError(f"Unknown security « {security} »")
    if not password_env and not password_file:
        raise ValidationError("Say where the password is: an environment variable or a secret file")
    if security == MailAccount.Security.PLAIN and host not in {"127.0.0.1", "localhost", "::1"}:
        raise ValidationError("An unencrypted connection is only allowed to this machine")
    account, _created = MailAccount.objects.update_or_create(
        workspace=workspace,
        label=label,
        defaults={
            "host": host,
            "port": port or (993 if security == MailAccount.Security.SSL else 143),
            "security": security,
            "username": username,
            "password_env": password_env,
            "password_file": password_file,
            "ca_file": ca_file,
            "folders": [f for f in (folders or []) if f],
        },
    )
    record_event(
        action="mail_account.save",
        obj=account,
        workspace_id=workspace.pk,
        actor=actor,
        data={"label": label, "host": host, "username": username},
    )
    return account


@transaction.atomic
def assign_correspondent(
    correspondent: Correspondent,
    client: Client,
    *,
    whole_domain: bool = False,
    actor: User | None = None,
) -> int:
    """Make the address a contact of the client and give it its exchanges; return how many."""
    if client.workspace_id != correspondent.workspace_id:
        raise ValidationError("The client belongs to another workspace")
    addresses = [correspondent.address]
    if whole_domain and correspondent.domain_is_shared:
        raise ValidationError(
            f"{correspondent.domain} is a public mail provider: assign addresses one by one"
        )
    if whole_domain:
        ClientDomain.objects.get_or_create(
            workspace_id=client.workspace_id,
            domain=correspondent.domain,
            defaults={"client": client},
        )
        addresses = (
            list(
                Correspondent.objects.filter(
                    workspace_id=correspondent.workspace_id,
                    domain=correspondent.domain,
                    status=Correspondent.Status.PENDING,
                ).values_list("address", flat=True)
            )
            or addresses
        )
    moved = 0
    for address in addresses:
        person = Correspondent.objects.get(workspace_id=client.workspace_id, address=address)
        contact_id = (
            ContactEmail.objects.filter(workspace_id=client.workspace_id, address=address)
            .values_list("contact_id", flat=True)
            .first()
        )
        if contact_id is None:
            contact = Contact.objects.create(client=client, name=person.name or address)
            ContactEmail.objects.create(
                workspace_id=client.workspace_id, contact=contact, address=address
            )
            contact_id = contact.pk
        InteractionParticipant.objects.filter(
            interaction__workspace_id=client.workspace_id, address=address
        ).update(contact_id=contact_id)
        moved += Interaction.objects.filter(
            workspace_id=client.workspace_id, client=None, participants__address=address
        ).update(client=client)
        person.status, person.client = Correspondent.Status.ASSIGNED, client
        person.save(update_fields=["status", "client"])
    refresh_client_activity([client.pk])
    record_event(
        action="correspondent.assign",
        obj=correspondent,
        workspace_id=client.workspace_id,
        actor=actor,
        data={"client": client.pk, "addresses": addresses, "moved": moved},
    )
    return moved


def ignore_correspondent(correspondent: Correspondent, *, actor: User | None = None) -> None:
    """Take the address off the review list; its exchanges stay, unassigned."""
    correspondent.status = Correspondent.Status.IGNORED
    correspondent.save(update_fields=["status"])
    record_event(
        action="correspondent.ignore",
        obj=correspondent,
        workspace_id=correspondent.workspace_id,
        actor=actor,
        data={"address": correspondent.address},
    )
