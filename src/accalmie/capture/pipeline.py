"""Turn one imported message into an exchange, or a duplicate, or a quarantined message.

Nothing is lost: every message's bytes are stored before anything else; a message that
cannot be parsed is quarantined with its reason; a message seen before (same Message-ID,
else same bytes) is counted as a duplicate and not imported again.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accalmie.accounts.models import Workspace
from accalmie.capture.blobs import put_blob
from accalmie.capture.csvlog import LogRow, RowError
from accalmie.capture.directory import Directory
from accalmie.capture.models import CapturedMessage, ImportJob
from accalmie.capture.tally import CorrespondentTally
from accalmie.comms.models import Attachment, Channel, Interaction, InteractionParticipant
from accalmie.comms.threading import ThreadFinder
from accalmie.mail.message import Address, ParsedMessage, UnparseableMessage, parse_message

logger = logging.getLogger(__name__)

IMPORTED, DUPLICATE, QUARANTINED = "imported", "duplicate", "quarantined"


def message_id_key(message_id: str) -> str:
    """Return the dedupe key of a Message-ID (hashed: ids can be 998 characters long)."""
    return "mid:" + hashlib.sha256(message_id.strip().encode("utf-8", "replace")).hexdigest()


@dataclass
class Outcome:
    """What became of one message."""

    status: str
    interaction_id: int | None = None
    unassigned: bool = False
    reason: str = ""


@dataclass
class Ingestor:
    """Import messages into one workspace, remembering what each batch touched."""

    workspace: Workspace
    job: ImportJob | None = None
    source: str = "import"
    touched_clients: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.directory = Directory(self.workspace)
        self.threads = ThreadFinder(self.workspace.pk)
        self.correspondents = CorrespondentTally(self.workspace)

    def flush(self) -> None:
        """Write what was tallied in memory; call before each batch commits."""
        self.correspondents.flush()

    # -- outcomes --------------------------------------------------------------------------

    def _seen(self, content_hash: str, dedupe_key: str | None = None) -> bool:
        # The hot path of every import: one indexed lookup, without the ORM's query building.
        table = CapturedMessage._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT 1 FROM {table} WHERE workspace_id = %s "  # noqa: S608 - our table name
                "AND (content_hash = %s OR dedupe_key = %s) LIMIT 1",
                [self.workspace.pk, content_hash, dedupe_key or ""],
            )
            return cursor.fetchone() is not None

    def quarantine(
        self, raw: bytes, source_key: str, reason: str, content_hash: str | None = None
    ) -> Outcome:
        """Keep the bytes and the reason; the import report lists it."""
        digest = put_blob(raw, content_hash)
        try:
            with transaction.atomic():
                CapturedMessage.objects.create(
                    workspace=self.workspace,
                    dedupe_key="sha:" + digest,
                    content_hash=digest,
                    outcome=CapturedMessage.Outcome.QUARANTINED,
                    reason=reason[:2000],
                    job=self.job,
                    source_key=source_key[:1000],
                    size=len(raw),
                )
        except IntegrityError:
            return Outcome(DUPLICATE)
        return Outcome(QUARANTINED, reason=reason)

    # -- email -----------------------------------------------------------------------------

    def ingest_email(self, raw: bytes, source_key: str) -> Outcome:
        """Import one email's bytes."""
        content_hash = hashlib.sha256(raw).hexdigest()
        if self._seen(content_hash):
            return Outcome(DUPLICATE)
        try:
            parsed = parse_message(raw)
        except UnparseableMessage as exc:
            return self.quarantine(raw, source_key, str(exc.reason), content_hash)
        except Exception as exc:  # a parser bug must not lose the message
            logger.exception("Parser failure on %s", source_key)
            return self.quarantine(
                raw, source_key, f"parser failure: {type(exc).__name__}: {exc}", content_hash
            )
        dedupe_key = message_id_key(parsed.message_id) if parsed.message_id else None
        if dedupe_key and self._seen(content_hash, dedupe_key):
            return Outcome(DUPLICATE)
        put_blob(raw, content_hash)
        try:
            with transaction.atomic():
                return self._save_email(parsed, raw, source_key, dedupe_key)
        except IntegrityError:
            # Another import committed the same message meanwhile.
            return Outcome(DUPLICATE)

    def _save_email(
        self, parsed: ParsedMessage, raw: bytes, source_key: str, dedupe_key: str | None
    ) -> Outcome:
        sender = parsed.sender.email if parsed.sender else ""
        recipients = [a.email for a in [*parsed.to, *parsed.cc] if a.email]
        resolution = self.directory.resolve(sender, recipients)
        occurred_at = parsed.date or (self.job.created_at if self.job else timezone.now())
        thread_id = self.threads.find(
            resolution.client_id, parsed.subject, [parsed.in_reply_to, *parsed.references]
        )
        interaction = Interaction.objects.create(
            workspace=self.workspace,
            client_id=resolution.client_id,
            thread_id=thread_id,
            channel=Channel.EMAIL,
            direction=resolution.direction,
            occurred_at=occurred_at,
            subject=parsed.subject[:500],
            body_text=parsed.new_text,
            body_full=parsed.text,
            quoted_text=parsed.quoted,
            signature_text=parsed.signature,
            body_html=parsed.html,
            message_id=parsed.message_id[:998],
            in_reply_to=parsed.in_reply_to[:998],
            references=" ".join(parsed.references),
            original_ref=parsed.content_hash,
            source=self.source,
        )
        if parsed.message_id:
            self.threads.remember(parsed.message_id, thread_id)
        self._participants(interaction, parsed)
        self._attachments(interaction, parsed)
        CapturedMessage.objects.create(
            workspace=self.workspace,
            dedupe_key=dedupe_key or "sha:" + parsed.content_hash,
            content_hash=parsed.content_hash,
            outcome=CapturedMessage.Outcome.IMPORTED,
            interaction=interaction,
            job=self.job,
            source_key=source_key[:1000],
            size=len(raw),
        )
        names = {a.email: a.name for a in [parsed.sender, *parsed.to, *parsed.cc] if a}
        for address in dict.fromkeys(resolution.unknown):
            self.correspondents.add(address, names.get(address, ""), occurred_at)
        if resolution.client_id:
            self.touched_clients.add(resolution.client_id)
        return Outcome(IMPORTED, interaction.pk, unassigned=resolution.client_id is None)

    # -- CSV log rows -----------------------------------------------------------------------

    def ingest_log_row(self, row: LogRow | RowError, source_key: str) -> Outcome:
        """Import one row of a calls/meetings log; a bad row is quarantined with its reason."""
        raw = row.raw.encode("utf-8")
        content_hash = hashlib.sha256(raw).hexdigest()
        if self._seen(content_hash):
            return Outcome(DUPLICATE)
        if isinstance(row, RowError):
            return self.quarantine(raw, source_key, row.reason, content_hash)
        client_id = find_client_id(self.workspace, row.client)
        if client_id is None:
            return self.quarantine(
                raw, source_key, f"line {row.line}: no client « {row.client} »", content_hash
            )
        put_blob(raw, content_hash)
        party = self.directory.party(row.contact) if row.contact else None
        with transaction.atomic():
            interaction = Interaction.objects.create(
                workspace=self.workspace,
                client_id=client_id,
                thread_id=self.threads.find(client_id, row.subject, []),
                channel=row.channel,
                direction=row.direction,
                occurred_at=row.occurred_at,
                subject=row.subject[:500],
                body_text=row.summary,
                body_full=row.summary,
                duration_minutes=row.duration_minutes,
                original_ref=content_hash,
                source=self.source,
            )
            if row.contact:
                InteractionParticipant.objects.create(
                    interaction=interaction,
                    role=InteractionParticipant.Role.ATTENDEE,
                    address=row.contact[:254],
                    contact_id=party.contact_id if party else None,
                )
            CapturedMessage.objects.create(
                workspace=self.workspace,
                dedupe_key="sha:" + content_hash,
                content_hash=content_hash,
                outcome=CapturedMessage.Outcome.IMPORTED,
                interaction=interaction,
                job=self.job,
                source_key=source_key,
                size=len(raw),
            )
        self.touched_clients.add(client_id)
        return Outcome(IMPORTED, interaction.pk)

    def _participants(self, interaction: Interaction, parsed: ParsedMessage) -> None:
        rows = []
        roles: list[tuple[str, list[Address]]] = [
            (InteractionParticipant.Role.FROM, [parsed.sender] if parsed.sender else []),
            (InteractionParticipant.Role.TO, parsed.to),
            (InteractionParticipant.Role.CC, parsed.cc),
        ]
        for role, addresses in roles:
            for address in addresses:
                party = self.directory.party(address.email) if address.email else None
                rows.append(
                    InteractionParticipant(
                        interaction=interaction,
                        role=role,
                        address=address.email[:254],
                        name=address.name[:200],
                        contact_id=party.contact_id if party else None,
                        user_id=party.user_id if party else None,
                    )
                )
        InteractionParticipant.objects.bulk_create(rows)

    def _attachments(self, interaction: Interaction, parsed: ParsedMessage) -> None:
        rows = []
        for attachment in parsed.attachments:
            put_blob(attachment.data, attachment.sha256)
            rows.append(
                Attachment(
                    interaction=interaction,
                    filename=attachment.filename[:255],
                    content_type=attachment.content_type[:255],
                    size=attachment.size,
                    sha256=attachment.sha256,
                    inline=attachment.inline,
                )
            )
        Attachment.objects.bulk_create(rows)


def find_client_id(workspace: Workspace, name_or_domain: str) -> int | None:
    """Return the client called so, or owning that email domain."""
    from accalmie.clients.models import Client, ClientDomain

    value = name_or_domain.strip()
    client_id = (
        Client.objects.filter(workspace=workspace, name__iexact=value)
        .values_list("pk", flat=True)
        .first()
    )
    if client_id is None:
        client_id = (
            ClientDomain.objects.filter(workspace=workspace, domain=value.lower().lstrip("@"))
            .values_list("client_id", flat=True)
            .first()
        )
    return client_id
