"""Build a client's `Situation` from the stored records, and the playbooks it calls for.

Everything comes from what is already stored: text hits (`detect.SignalHit`) and behavioural
hits (`health.BehaviourHit`) of the last 30 days, the latest `health.HealthSnapshot`, the
contract of the client's current project, unpaid invoices past due, the last walk-away
decision. Nothing is recomputed here, so the client page stays fast.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.utils import timezone

from accalmie.clients.models import Client
from accalmie.detect.feedback import counted_hits
from accalmie.detect.models import SignalHit
from accalmie.finance.models import Invoice
from accalmie.health.feedback import counted_behaviour_hits
from accalmie.health.models import BehaviourHit, HealthSnapshot, WalkAwayDecision
from accalmie.playbooks import ContractFacts, Recommendation, Situation, select_playbooks
from accalmie.projects.models import Contract, Project

WINDOW_DAYS = 30
# A text hit counts for the playbooks from this score on: the engine stores hits from 0.3, and
# a learned hit near 0.5 is a coin toss (one on a friendly message of the good demo client
# scores 0.52): it must not put a card on a client by itself.
MIN_TEXT_SCORE = 0.55
# The order in which a client's projects are considered "current" for the contract facts.
PROJECT_ORDER = (
    Project.Status.ACTIVE,
    Project.Status.PAUSED,
    Project.Status.PLANNED,
    Project.Status.DONE,
    Project.Status.CANCELLED,
)


def as_of_for(client: Client, snapshot: HealthSnapshot | None = None) -> dt.datetime:
    """The moment the stored data describes: the end of the latest snapshot's day, or now."""
    now = timezone.now()
    if snapshot is None:
        snapshot = HealthSnapshot.objects.filter(client=client).order_by("-day").first()
    if snapshot is None:
        return now
    end = dt.datetime.combine(snapshot.day, dt.time(23, 59, 59), dt.UTC)
    return min(end, now)


def current_project(client: Client) -> Project | None:
    """The project whose contract and milestones speak for the client now."""
    projects = list(client.projects.all())
    if not projects:
        return None
    rank: dict[str, int] = {str(status): i for i, status in enumerate(PROJECT_ORDER)}
    projects.sort(
        key=lambda p: (
            rank.get(p.status, len(rank)),
            -(p.starts_on or dt.date.min).toordinal(),
            -p.pk,
        )
    )
    return projects[0]


def contract_of(project: Project | None) -> Contract | None:
    if project is None:
        return None
    return Contract.objects.filter(project=project).first()


def contract_facts(contract: Contract | None) -> ContractFacts | None:
    if contract is None:
        return None
    return ContractFacts(
        revision_rounds_allowed=contract.revision_rounds_allowed,
        revision_rounds_used=contract.revision_rounds_used,
        has_termination_clause=bool(contract.termination_clause.strip()),
        notice_days=contract.notice_period_days,
        has_single_point_of_contact=contract.client_contact_id is not None,
        payment_terms_days=contract.payment_terms_days,
    )


def overdue_invoices(client: Client, today: dt.date) -> list[Invoice]:
    return list(
        Invoice.objects.filter(client=client, paid_on__isnull=True, due_on__lt=today).order_by(
            "due_on", "pk"
        )
    )


@dataclass(frozen=True)
class ClientSituation:
    situation: Situation
    as_of: dt.datetime
    snapshot: HealthSnapshot | None


def situation_for(
    client: Client, *, window_days: int = WINDOW_DAYS, as_of: dt.datetime | None = None
) -> ClientSituation:
    """The client's situation as the stored records describe it (now, or at `as_of`)."""
    snapshots = HealthSnapshot.objects.filter(client=client).order_by("-day")
    if as_of is not None:
        snapshots = snapshots.filter(day__lte=as_of.date())
    snapshot = snapshots.first()
    if as_of is None:
        as_of = as_of_for(client, snapshot)
    since = as_of - dt.timedelta(days=window_days)
    hits: Counter[str] = Counter()
    text = SignalHit.objects.filter(
        client=client,
        score__gte=MIN_TEXT_SCORE,
        interaction__occurred_at__gt=since,
        interaction__occurred_at__lte=as_of,
    )
    hits.update(counted_hits(text).values_list("signal", flat=True))  # marked wrong: left out
    hits.update(
        counted_behaviour_hits(  # signs marked wrong do not count
            BehaviourHit.objects.filter(
                client=client, occurred_at__gt=since, occurred_at__lte=as_of
            )
        ).values_list("signal", flat=True)
    )
    scores: dict[str, int] = {}
    status = "healthy"
    if snapshot is not None:
        status = snapshot.status
        scores = {k: round(float(v)) for k, v in (snapshot.dimensions or {}).items()}
    decision = (
        WalkAwayDecision.objects.filter(client=client, decided_at__lte=as_of)
        .order_by("-decided_at")
        .first()
    )
    today = as_of.date()
    overdue = overdue_invoices(client, today)
    situation = Situation(
        hits=dict(hits),
        window_days=window_days,
        status=status,
        scores=scores,
        contract=contract_facts(contract_of(current_project(client))),
        walk_away=decision.outcome if decision else None,
        lang=client.language,
        overdue_invoices=len(overdue),
        days_overdue=(today - overdue[0].due_on).days if overdue else 0,
    )
    return ClientSituation(situation, as_of, snapshot)


def recommendations_for(
    client: Client, *, limit: int = 3, as_of: dt.datetime | None = None
) -> list[Recommendation]:
    """The playbooks recommended for the client, most pressing first."""
    return select_playbooks(situation_for(client, as_of=as_of).situation, limit=limit)
