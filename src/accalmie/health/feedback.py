"""People's verdicts on behavioural signs: keyed so that they survive recomputation, and obeyed.

A sign marked wrong stops counting: `load_records` gives its key to the scoring
(`ClientRecords.dismissed`), and anything that reads `BehaviourHit` rows to count them should
read `counted_behaviour_hits()` instead. The row itself stays, shown as dismissed.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from accalmie.core.audit import record_event
from accalmie.detect.feedback import SignalPrecision, checked_verdict, tally_verdicts
from accalmie.health.models import BehaviourFeedback, BehaviourHit

WRONG = BehaviourFeedback.Verdict.WRONG
RIGHT = BehaviourFeedback.Verdict.RIGHT


def _wrong_verdict() -> Exists:
    return Exists(
        BehaviourFeedback.objects.filter(
            client_id=OuterRef("client_id"), key=OuterRef("key"), verdict=WRONG
        )
    )


def counted_behaviour_hits(
    queryset: QuerySet[BehaviourHit] | None = None,
) -> QuerySet[BehaviourHit]:
    """Return the behavioural signs that count: every one except those marked wrong."""
    hits = BehaviourHit.objects.all() if queryset is None else queryset
    return hits.exclude(_wrong_verdict())


def verdicts_for(hits: list[BehaviourHit]) -> dict[str, BehaviourFeedback]:
    """Return the verdict of each of these signs (of one client), by key."""
    if not hits:
        return {}
    return {
        f.key: f
        for f in BehaviourFeedback.objects.filter(
            client_id=hits[0].client_id, key__in=[h.key for h in hits]
        ).select_related("given_by")
    }


def give_behaviour_feedback(
    hit: BehaviourHit, *, verdict: str, note: str = "", actor: User
) -> BehaviourFeedback:
    """Record (or change) the verdict on a behavioural sign, audit it, rescore its client now."""
    note = checked_verdict(verdict, note)
    with transaction.atomic():
        row, created = BehaviourFeedback.objects.update_or_create(
            client_id=hit.client_id,
            key=hit.key,
            defaults={
                "workspace_id": hit.workspace_id,
                "signal": hit.signal,
                "verdict": verdict,
                "note": note,
                "given_by": actor,
            },
        )
        record_event(
            action="behaviour.feedback",
            obj=row,
            workspace_id=hit.workspace_id,
            actor=actor,
            data={
                "key": hit.key,
                "signal": hit.signal,
                "verdict": verdict,
                "created": created,
            },
        )
    # At once, not through the queue: the next page view shows the score without it.
    from accalmie.health.services import recompute_clients

    recompute_clients([hit.client])
    return row


def behaviour_precision(workspace_id: int | None = None) -> list[SignalPrecision]:
    """Return each behavioural signal's precision as people judged it: right / (right + wrong)."""
    rows = BehaviourFeedback.objects.all()
    if workspace_id is not None:
        rows = rows.filter(workspace_id=workspace_id)
    return tally_verdicts(
        rows.order_by("signal", "-given_at").values_list(
            "signal", "verdict", "note", "key", "given_at"
        )
    )
