"""Turn one imported message into an exchange, or a duplicate, or a quarantined message.

Nothing is lost: every message's bytes are stored before anything else; a message that
cannot be parsed is quarantined with its reason; a message seen before (same Message-ID,
else same bytes) is counted as a duplicate and not imported again.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from accalmie.accounts.models import Workspace
from accalmie.capture.blobs import put_blob
from accalmie.capture.csvlog import LogRow, RowError
from accalmie.capture.directory import Directory, Resolution
from accalmie.capture.models import CapturedMessage, ImportJob
from accalmie.capture.tally import CorrespondentTally
from accalmie.comms.models import Attachment, Channel, Interaction, InteractionParticipant
from accalmie.comms.threading import ThreadFinder, ThreadQuery
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
class Prepared:
    """A message read, parsed and stored, waiting to be written with its batch."""

    source_key: str
    size: int
    content_hash: str
    dedupe_key: str
    parsed: ParsedMessage | None = None
    reason: str = ""
    resolution: Resolution | None = None


def read_message(raw: bytes, source_key: str) -> Prepared:
    """Hash, parse and store one message's bytes; needs no database (runs in a worker process).

    The bytes are stored before anything else, quarantined or not: nothing is lost. The
    attachments' bytes are stored too, and dropped from the result to keep it light.
    """
    content_hash = hashlib.sha256(raw).hexdigest()
    prepared = Prepared(source_key[:1000], len(raw), content_hash, "sha:" + content_hash)
    try:
        parsed = parse_message(raw)
    except UnparseableMessage as exc:
        prepared.reason = str(exc.reason) or "not an email"
    except Exception as exc:  # a parser bug must not lose the message
        logger.exception("Parser failure on %s", source_key)
        prepared.reason = f"parser failure: {type(exc).__name__}: {exc}"
    else:
        prepared.parsed = parsed
        if parsed.message_id:
            prepared.dedupe_key = message_id_key(parsed.message_id)
    put_blob(raw, content_hash)
    if prepared.parsed is not None:
        for attachment in prepared.parsed.attachments:
            put_blob(attachment.data, attachment.sha256)
            attachment.data = b""
    return prepared


@dataclass
class Ingestor:
    """Import messages into one workspace, remembering what each batch touched."""

    workspace: Workspace
    job: ImportJob | None = None
    source: str = "import"
    touched_clients: set[int] = field(default_factory=set)
    # Exchanges created since the last batch commit, to queue for analysis.
    new_interactions: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.directory = Directory(self.workspace)
        self.threads = ThreadFinder(self.workspace.pk)
        self.correspondents = CorrespondentTally(self.workspace)

    def flush(self) -> None:
        """Write what was tallied in memory; call before each batch commits."""
        self.correspondents.flush()

    # -- outcomes --------------------------------------------------------------------------

    def _seen(self, content_hash: str) -> bool:
        """Tell whether these exact bytes were imported or quarantined before."""
        return CapturedMessage.objects.filter(
            workspace=self.workspace, content_hash=content_hash
        ).exists()

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

    def prepare_email(self, raw: bytes, source_key: str) -> Prepared:
        """Hash, parse and store one message, without writing to the database yet."""
        return self.resolve(read_message(raw, source_key))

    def resolve(self, prepared: Prepared) -> Prepared:
        """Say which client a read message belongs to and which way it went."""
        parsed = prepared.parsed
        if parsed is not None:
            sender = parsed.sender.email if parsed.sender else ""
            recipients = [a.email for a in [*parsed.to, *parsed.cc] if a.email]
            prepared.resolution = self.directory.resolve(sender, recipients)
        return prepared

    def ingest_prepared(self, items: list[Prepared]) -> list[Outcome]:
        """Save a batch; if another import raced us to some message, save one by one."""
        try:
            with transaction.atomic():
                return self.save_batch(items)
        except IntegrityError:
            self.threads = ThreadFinder(self.workspace.pk)  # it may hold rolled-back threads
            outcomes = []
            for item in items:
                try:
                    with transaction.atomic():
                        outcomes.extend(self.save_batch([item]))
                except IntegrityError:
                    outcomes.append(Outcome(DUPLICATE))
            return outcomes

    def _known(self, items: list[Prepared]) -> tuple[set[str], set[str]]:
        hashes = sorted({p.content_hash for p in items})
        keys = sorted({p.dedupe_key for p in items})
        captured = CapturedMessage.objects.filter(workspace=self.workspace)
        known_hashes = set(
            captured.filter(content_hash__in=hashes).values_list("content_hash", flat=True)
        )
        known_keys = set(captured.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
        return known_hashes, known_keys

    def save_batch(self, items: list[Prepared]) -> list[Outcome]:
        """Write a batch of prepared messages in a few queries; return each one's outcome.

        Call it inside a transaction: a batch is committed whole or not at all.
        """
        known_hashes, known_keys = self._known(items)
        outcomes: list[Outcome] = []
        fresh: list[Prepared] = []
        for item in items:
            if item.content_hash in known_hashes or item.dedupe_key in known_keys:
                outcomes.append(Outcome(DUPLICATE))
                continue
            known_hashes.add(item.content_hash)
            known_keys.add(item.dedupe_key)
            fresh.append(item)
            if item.parsed is None:
                outcomes.append(Outcome(QUARANTINED, reason=item.reason))
            else:
                assert item.resolution is not None
                outcomes.append(Outcome(IMPORTED, unassigned=item.resolution.client_id is None))
        imported = [i for i in fresh if i.parsed is not None]
        interactions = self._create_interactions(imported)
        by_item = {id(item): it for item, it in zip(imported, interactions, strict=True)}
        CapturedMessage.objects.bulk_create(
            CapturedMessage(
                workspace=self.workspace,
                dedupe_key=item.dedupe_key,
                content_hash=item.content_hash,
                outcome=(
                    CapturedMessage.Outcome.IMPORTED
                    if item.parsed is not None
                    else CapturedMessage.Outcome.QUARANTINED
                ),
                reason=item.reason[:2000],
                interaction=by_item.get(id(item)),
                job=self.job,
                source_key=item.source_key,
                size=item.size,
            )
            for item in fresh
        )
        self.new_interactions.extend(i.pk for i in interactions)
        ids = iter(interactions)
        for outcome in outcomes:
            if outcome.status == IMPORTED:
                outcome.interaction_id = next(ids).pk
        return outcomes

    def _create_interactions(self, items: list[Prepared]) -> list[Interaction]:
        fallback = self.job.created_at if self.job else timezone.now()
        threads = self.threads.find_many(
            [
                ThreadQuery(
                    client_id=item.resolution.client_id if item.resolution else None,
                    subject=item.parsed.subject if item.parsed else "",
                    parents=[item.parsed.in_reply_to, *reversed(item.parsed.references)]
                    if item.parsed
                    else [],
                    message_id=item.parsed.message_id if item.parsed else "",
                )
                for item in items
            ]
        )
        interactions = []
        for item, thread in zip(items, threads, strict=True):
            parsed, resolution = item.parsed, item.resolution
            assert parsed is not None and resolution is not None
            interactions.append(
                Interaction(
                    workspace=self.workspace,
                    client_id=resolution.client_id,
                    thread=thread,
                    channel=Channel.EMAIL,
                    direction=resolution.direction,
                    occurred_at=parsed.date or fallback,
                    subject=parsed.subject[:500],
                    body_text=parsed.new_text,
                    body_full=full_text(parsed),
                    quoted_text=parsed.quoted,
                    signature_text=parsed.signature,
                    body_html=parsed.html,
                    message_id=parsed.message_id[:998],
                    in_reply_to=parsed.in_reply_to[:998],
                    references=" ".join(parsed.references),
                    original_ref=item.content_hash,
                    source=self.source,
                )
            )
        Interaction.objects.bulk_create(interactions)
        participants: list[InteractionParticipant] = []
        attachments: list[Attachment] = []
        for item, interaction in zip(items, interactions, strict=True):
            assert item.parsed is not None and item.resolution is not None
            participants.extend(self._participants(interaction, item.parsed))
            attachments.extend(
                Attachment(
                    interaction=interaction,
                    filename=a.filename[:255],
                    content_type=a.content_type[:255],
                    size=a.size,
                    sha256=a.sha256,
                    inline=a.inline,
                )
                for a in item.parsed.attachments
            )
            names = {a.email: a.name for a in participants_of(item.parsed)}
            for address in dict.fromkeys(item.resolution.unknown):
                self.correspondents.add(address, names.get(address, ""), interaction.occurred_at)
            if item.resolution.client_id:
                self.touched_clients.add(item.resolution.client_id)
        InteractionParticipant.objects.bulk_create(participants)
        Attachment.objects.bulk_create(attachments)
        return interactions

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
                thread=self.threads.find(client_id, row.subject, []),
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
        self.new_interactions.append(interaction.pk)
        return Outcome(IMPORTED, interaction.pk)

    def _participants(
        self, interaction: Interaction, parsed: ParsedMessage
    ) -> list[InteractionParticipant]:
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
        return rows


def full_text(parsed: ParsedMessage) -> str:
    """Return the whole body, followed by the text of any message attached to it (forwards)."""
    parts = [parsed.text]
    for inner in parsed.embedded:
        sender = inner.sender.email if inner.sender else ""
        parts.append(f"---------- {inner.subject or '(no subject)'} — {sender} ----------")
        parts.append(full_text(inner))
    return "\n\n".join(p for p in parts if p)


def participants_of(parsed: ParsedMessage) -> list[Address]:
    """Return everyone named on a message: sender, To and Cc."""
    return [a for a in [parsed.sender, *parsed.to, *parsed.cc] if a is not None]


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
