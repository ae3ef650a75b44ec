"""People's verdicts on text hits: keyed so that they survive re-analysis, and obeyed.

A hit marked wrong stops counting: the health records and anything else that reads hits
(playbooks, reasons) should read `counted_hits()` rather than `SignalHit.objects`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from accalmie.core.audit import record_event
from accalmie.detect.models import HitFeedback, SignalHit

WRONG = HitFeedback.Verdict.WRONG
RIGHT = HitFeedback.Verdict.RIGHT


def span_key(evidence: Sequence[Mapping[str, Any]]) -> str:
    """Return the key of a hit's evidence: its words, case-folded, in order (offsets too)."""
    parts = [f"{e.get('start', '')}:{e.get('end', '')}:{e.get('text', '')}" for e in evidence]
    return hashlib.sha256("\x1f".join(parts).casefold().encode()).hexdigest()[:64]


def counted_hits(queryset: QuerySet[SignalHit] | None = None) -> QuerySet[SignalHit]:
    """Return the hits that count: every one except those a person marked wrong."""
    hits = SignalHit.objects.all() if queryset is None else queryset
    return hits.exclude(feedback__verdict=WRONG)


@transaction.atomic
def relink_feedback(interaction_ids: Iterable[int]) -> int:
    """Point each verdict of these exchanges at the current hit with its key; return how many.

    Called after the exchanges were analysed again (their old hit rows are gone).
    """
    ids = list(interaction_ids)
    feedback = {
        (f.interaction_id, f.signal, f.span_key): f
        for f in HitFeedback.objects.filter(interaction_id__in=ids, hit__isnull=True)
    }
    if not feedback:
        return 0
    linked = []
    for hit in SignalHit.objects.filter(interaction_id__in=ids).only(
        "pk", "interaction_id", "signal", "evidence"
    ):
        row = feedback.pop((hit.interaction_id, hit.signal, span_key(hit.evidence)), None)
        if row is not None:
            row.hit_id = hit.pk
            linked.append(row)
    HitFeedback.objects.bulk_update(linked, ["hit"])
    return len(linked)


def checked_verdict(verdict: str, note: str) -> str:
    """Refuse an unknown verdict or an overlong note; return the note, trimmed."""
    if verdict not in HitFeedback.Verdict.values:
        raise ValidationError(
            f"Unknown verdict « {verdict} »: {', '.join(HitFeedback.Verdict.values)}"
        )
    note = note.strip()
    if len(note) > 2000:
        raise ValidationError("A note is at most 2,000 characters")
    return note


def give_feedback(hit: SignalHit, *, verdict: str, note: str = "", actor: User) -> HitFeedback:
    """Record (or change) the verdict on a hit, audit it, and rescore its client at once."""
    note = checked_verdict(verdict, note)
    interaction = hit.interaction
    with transaction.atomic():
        row, created = HitFeedback.objects.update_or_create(
            interaction=interaction,
            signal=hit.signal,
            span_key=span_key(hit.evidence),
            defaults={
                "workspace_id": interaction.workspace_id,
                "client_id": hit.client_id,
                "hit": hit,
                "evidence_text": " … ".join(str(e.get("text", "")) for e in hit.evidence)[:2000],
                "verdict": verdict,
                "note": note,
                "given_by": actor,
            },
        )
        record_event(
            action="hit.feedback",
            obj=row,
            workspace_id=interaction.workspace_id,
            actor=actor,
            data={"hit": hit.pk, "signal": hit.signal, "verdict": verdict, "created": created},
        )
    if hit.client_id:
        # At once, not through the queue: the next page view shows the score without it.
        from accalmie.health.services import recompute_client_ids

        recompute_client_ids([hit.client_id])
    return row


@dataclass
class SignalPrecision:
    signal: str
    right: int = 0
    wrong: int = 0
    notes: list[dict[str, str]] = field(default_factory=list)

    @property
    def judged(self) -> int:
        return self.right + self.wrong

    @property
    def precision(self) -> float | None:
        return self.right / self.judged if self.judged else None

    def as_dict(self) -> dict[str, object]:
        return {
            "signal": self.signal,
            "right": self.right,
            "wrong": self.wrong,
            "judged": self.judged,
            "precision": None if self.precision is None else round(self.precision, 4),
            "notes": self.notes,
        }


def tally_verdicts(
    rows: Iterable[tuple[str, str, str, str, dt.datetime]],
) -> list[SignalPrecision]:
    """Return each signal's precision from (signal, verdict, note, evidence, given_at) rows.

    Worst first; a note keeps its verdict, the evidence it was about and when it was given.
    """
    out: dict[str, SignalPrecision] = {}
    for signal, verdict, note, evidence, at in rows:
        item = out.setdefault(signal, SignalPrecision(signal))
        if verdict == RIGHT:
            item.right += 1
        else:
            item.wrong += 1
        if note:
            item.notes.append(
                {"verdict": verdict, "note": note, "evidence": evidence, "at": at.isoformat()}
            )
    return sorted(
        out.values(), key=lambda p: (p.precision if p.precision is not None else 2, p.signal)
    )


def precision_from_feedback(workspace_id: int | None = None) -> list[SignalPrecision]:
    """Return each signal's precision as people judged it: right / (right + wrong)."""
    rows = HitFeedback.objects.all()
    if workspace_id is not None:
        rows = rows.filter(workspace_id=workspace_id)
    return tally_verdicts(
        rows.order_by("signal", "-given_at").values_list(
            "signal", "verdict", "note", "evidence_text", "given_at"
        )
    )
