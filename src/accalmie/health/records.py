"""Load what the detectors read, for many clients at once, as plain records."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from accalmie.analysis.behaviour import (
    ClientRecords,
    InvoiceRecord,
    Message,
    PulseRecord,
    RevisionRecord,
    TextHit,
)
from accalmie.clients.models import Client
from accalmie.comms.models import Direction, Interaction, InteractionParticipant
from accalmie.detect.feedback import counted_hits  # hits marked wrong do not count
from accalmie.detect.models import InteractionAnalysis, SignalHit
from accalmie.finance.models import Invoice
from accalmie.health.models import BehaviourFeedback
from accalmie.projects.models import Contract, RevisionRound
from accalmie.team.models import TeamPulse

DEMANDING = frozenset({"urgency_pressure", "micromanagement", "out_of_hours"})


def load_records(client_ids: Sequence[int]) -> dict[int, ClientRecords]:
    """Return each client's records: exchanges, text hits, invoices, pulses, revision rounds."""
    ids = list(client_ids)
    tz = dict(Client.objects.filter(pk__in=ids).values_list("pk", "timezone"))
    agreed: dict[int, int] = {}
    allowed: dict[int, int] = {}
    for client_id, project_id, user_id, rounds in Contract.objects.filter(
        project__client_id__in=ids
    ).values_list(
        "project__client_id", "project_id", "agency_contact_id", "revision_rounds_allowed"
    ):
        if user_id:
            agreed.setdefault(client_id, user_id)
        allowed[project_id] = rounds
    text: dict[int, list[TextHit]] = defaultdict(list)
    demanding: set[int] = set()
    for hit_id, interaction_id, client_id, signal, score, at in counted_hits(
        SignalHit.objects.filter(client_id__in=ids)
    ).values_list(
        "pk", "interaction_id", "client_id", "signal", "score", "interaction__occurred_at"
    ):
        text[client_id].append(TextHit(hit_id, interaction_id, at, signal, score))
        if signal in DEMANDING:
            demanding.add(interaction_id)
    markers = {
        interaction_id: m
        for interaction_id, m in InteractionAnalysis.objects.filter(interaction__client_id__in=ids)
        .exclude(markers={})
        .values_list("interaction_id", "markers")
    }
    recipients: dict[int, set[int]] = defaultdict(set)
    for interaction_id, user_id in InteractionParticipant.objects.filter(
        interaction__client_id__in=ids,
        interaction__direction=Direction.FROM_CLIENT,
        role=InteractionParticipant.Role.TO,
        user_id__isnull=False,
    ).values_list("interaction_id", "user_id"):
        recipients[interaction_id].add(user_id)
    messages: dict[int, list[Message]] = defaultdict(list)
    rows = list(
        Interaction.objects.filter(client_id__in=ids)
        .exclude(direction=Direction.INTERNAL)
        .values_list(
            "pk",
            "client_id",
            "occurred_at",
            "direction",
            "channel",
            "thread_id",
            "message_id",
            "in_reply_to",
        )
        .order_by("occurred_at", "pk")
    )
    by_message_id = {(r[1], r[6]): r[0] for r in rows if r[6]}
    for pk, client_id, at, direction, channel, thread_id, _mid, in_reply_to in rows:
        inbound = direction == Direction.FROM_CLIENT
        to = recipients.get(pk, set())
        contact = agreed.get(client_id)
        m = markers.get(pk, {})
        messages[client_id].append(
            Message(
                ref=pk,
                at=at,
                inbound=inbound,
                channel=channel,
                thread=thread_id,
                reply_to=by_message_id.get((client_id, in_reply_to)) if in_reply_to else None,
                to_agreed_contact=(contact in to) if inbound and contact and to else None,
                agency_recipients=len(to),
                demanding=pk in demanding,
                consultative=int(m.get("consultative", 0)),
                transactional=int(m.get("transactional", 0)),
            )
        )
    invoices: dict[int, list[InvoiceRecord]] = defaultdict(list)
    for row in Invoice.objects.filter(client_id__in=ids).values_list(
        "pk",
        "client_id",
        "number",
        "issued_on",
        "due_on",
        "paid_on",
        "disputed",
        "dispute_reason",
        "amount",
    ):
        pk, client_id, number, issued, due, paid, disputed, reason, amount = row
        invoices[client_id].append(
            InvoiceRecord(pk, number, issued, due, paid, disputed, reason, float(amount))
        )
    pulses: dict[int, list[PulseRecord]] = defaultdict(list)
    for pk, client_id, week, rating in TeamPulse.objects.filter(client_id__in=ids).values_list(
        "pk", "client_id", "week", "rating"
    ):
        pulses[client_id].append(PulseRecord(pk, week, rating))
    dismissed: dict[int, set[str]] = defaultdict(set)
    for client_id, key in BehaviourFeedback.objects.filter(
        client_id__in=ids, verdict=BehaviourFeedback.Verdict.WRONG
    ).values_list("client_id", "key"):
        dismissed[client_id].add(key)
    revisions: dict[int, list[RevisionRecord]] = defaultdict(list)
    for pk, client_id, project_id, on in RevisionRound.objects.filter(
        project__client_id__in=ids
    ).values_list("pk", "project__client_id", "project_id", "requested_on"):
        revisions[client_id].append(RevisionRecord(pk, on, project_id, allowed.get(project_id)))
    return {
        cid: ClientRecords(
            timezone=tz.get(cid, "Europe/Paris"),
            messages=messages[cid],
            invoices=invoices[cid],
            pulses=pulses[cid],
            revisions=revisions[cid],
            text_hits=text[cid],
            dismissed=frozenset(dismissed.get(cid, ())),
        )
        for cid in ids
    }
