"""Behavioural detectors: warning signs in the pattern of exchanges and records, not in words.

Plain records in, `Hit`s out, each with the records that show it, the figures and one sentence
in French and English. Every detector looks only at what happened before `as_of`, so the
same records replayed week by week give what one would have seen at the time.
"""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from accalmie.analysis.health_config import DEFAULT_CONFIG, HealthConfig


@dataclass(frozen=True)
class Message:
    """One exchange: who wrote it (the client or us), when, in which thread, to whom."""

    ref: int
    at: dt.datetime  # aware
    inbound: bool  # written by the client
    channel: str = "email"
    thread: int | None = None
    reply_to: int | None = None  # the exchange this one answers (its In-Reply-To), when known
    # Inbound mail: was the agreed point of contact among the direct recipients, and how many
    # agency people were. None when unknown (calls, notes, no agreed contact).
    to_agreed_contact: bool | None = None
    agency_recipients: int = 0
    # Inbound: the text detectors saw a demand for speed in it (urgency, control).
    demanding: bool = False
    consultative: int = 0
    transactional: int = 0


@dataclass(frozen=True)
class InvoiceRecord:
    ref: int
    number: str
    issued_on: dt.date
    due_on: dt.date
    paid_on: dt.date | None = None
    disputed: bool = False
    dispute_reason: str = ""
    amount: float = 0.0


@dataclass(frozen=True)
class PulseRecord:
    ref: int
    week: dt.date
    rating: int


@dataclass(frozen=True)
class RevisionRecord:
    ref: int
    requested_on: dt.date
    project: int
    allowed: int | None  # rounds the contract allows; None when the project has no contract


@dataclass(frozen=True)
class TextHit:
    """A hit of the text engine on one message (stored as SignalHit)."""

    ref: int  # the SignalHit
    message: int  # the interaction
    at: dt.datetime
    signal: str
    score: float


@dataclass(frozen=True)
class ClientRecords:
    """Everything the detectors read about one client."""

    timezone: str = "Europe/Paris"
    messages: Sequence[Message] = ()
    invoices: Sequence[InvoiceRecord] = ()
    pulses: Sequence[PulseRecord] = ()
    revisions: Sequence[RevisionRecord] = ()
    text_hits: Sequence[TextHit] = ()


@dataclass(frozen=True)
class Hit:
    """A sign found in the records: its signal, when, how strong (0–1), and what shows it.

    `refs` are (kind, id) pairs: ("interaction", 12), ("invoice", 3), ("pulse", 7),
    ("revision", 2), ("hit", 40) for a text hit. `key` is stable across recomputations.
    """

    signal: str
    at: dt.datetime
    severity: float
    refs: tuple[tuple[str, int], ...]
    explanation: dict[str, str]
    figures: dict[str, Any] = field(default_factory=dict)
    detector: str = "behaviour"
    key: str = ""


def _utc(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def _business_hours(start: dt.datetime, end: dt.datetime, config: HealthConfig) -> float:
    """Return the hours between two instants, leaving out whole non-business days."""
    hours = (end - start).total_seconds() / 3600
    day = start.date() + dt.timedelta(days=1)
    while day < end.date():
        if day.weekday() not in config.business_days:
            hours -= 24
        day += dt.timedelta(days=1)
    return max(hours, 0.0)


def _add_business_days(day: dt.date, n: int, config: HealthConfig) -> dt.date:
    while n > 0:
        day += dt.timedelta(days=1)
        if day.weekday() in config.business_days:
            n -= 1
    return day


# -- communication ------------------------------------------------------------------------


def non_response(
    records: ClientRecords, as_of: dt.datetime, config: HealthConfig = DEFAULT_CONFIG
) -> list[Hit]:
    """Find slow replies against the client's own habit, our messages left unanswered, silence."""
    hits: list[Hit] = []
    messages = sorted(
        (m for m in records.messages if m.at < as_of and m.channel in {"email", "chat"}),
        key=lambda m: m.at,
    )
    by_ref = {m.ref: m for m in messages}
    answered_by: dict[int, Message] = {}
    for m in messages:
        if m.inbound and m.reply_to is not None and m.reply_to not in answered_by:
            answered_by[m.reply_to] = m
    last_inbound_in_thread: dict[int, dt.datetime] = {}
    for m in messages:
        if m.inbound and m.thread is not None:
            last_inbound_in_thread[m.thread] = m.at
    # Replies: the client's answers to one of our messages (In-Reply-To); slow ones count.
    replies: list[tuple[Message, Message, float]] = []
    unanswered: list[Message] = []
    for ours in messages:
        if ours.inbound:
            continue
        answer = answered_by.get(ours.ref)
        if answer is not None:
            replies.append((ours, answer, _business_hours(ours.at, answer.at, config)))
            continue
        # Only what we start expects an answer; our own replies close a turn.
        replying = ours.reply_to is not None and ours.reply_to in by_ref
        later = (
            ours.thread is not None and last_inbound_in_thread.get(ours.thread, ours.at) > ours.at
        )
        if not replying and not later:
            unanswered.append(ours)
    replies.sort(key=lambda r: r[1].at)
    seen: list[float] = []
    for ours, answer, hours in replies:
        usual = statistics.median(seen) if len(seen) >= 3 else config.usual_reply_hours
        limit = max(config.slow_reply_factor * usual, config.slow_reply_min_hours)
        if hours > limit:
            hits.append(
                Hit(
                    signal="non_response",
                    at=answer.at,
                    severity=min(1.0, 0.5 + hours / limit / 4),
                    refs=(("interaction", ours.ref), ("interaction", answer.ref)),
                    figures={"reply_hours": round(hours), "usual_hours": round(usual, 1)},
                    explanation={
                        "fr": f"Réponse en {hours:.0f} h ouvrées alors que ce client répond "
                        f"d'habitude en {usual:.0f} h.",
                        "en": f"Answered after {hours:.0f} business hours where this client "
                        f"usually takes {usual:.0f} h.",
                    },
                    key=f"non_response:slow:{answer.ref}",
                )
            )
        # The usual time is the client's own: slow answers become the habit only slowly.
        seen.append(min(hours, 3 * (statistics.median(seen) if seen else hours) + 1))
    for ours in unanswered:
        deadline = _add_business_days(ours.at.date(), config.unanswered_business_days, config)
        if _utc(deadline) > as_of:
            continue
        waited = (as_of.date() - ours.at.date()).days
        hits.append(
            Hit(
                signal="non_response",
                at=_utc(deadline),
                severity=0.8,
                refs=(("interaction", ours.ref),),
                figures={"days_waiting": waited},
                explanation={
                    "fr": f"Notre message reste sans réponse depuis {waited} jours.",
                    "en": f"Our message has had no answer for {waited} days.",
                },
                key=f"non_response:unanswered:{ours.ref}",
            )
        )
    inbound = [m for m in messages if m.inbound]
    if len(inbound) >= 4:
        gaps = [(b.at - a.at).total_seconds() / 86400 for a, b in itertools.pairwise(inbound)]
        usual_gap = statistics.median(gaps)
        silent_days = (as_of - inbound[-1].at).total_seconds() / 86400
        limit = max(config.silence_factor * usual_gap, config.silence_min_days)
        if silent_days > limit:
            hits.append(
                Hit(
                    signal="non_response",
                    at=as_of,
                    severity=min(1.0, silent_days / limit / 2 + 0.3),
                    refs=(("interaction", inbound[-1].ref),),
                    figures={
                        "silent_days": round(silent_days),
                        "usual_gap_days": round(usual_gap, 1),
                    },
                    explanation={
                        "fr": f"Aucun message du client depuis {silent_days:.0f} jours, "
                        f"d'habitude il écrit tous les {usual_gap:.0f} jours.",
                        "en": f"No message from the client for {silent_days:.0f} days; "
                        f"it usually writes every {usual_gap:.0f} days.",
                    },
                    key=f"non_response:silence:{inbound[-1].ref}",
                )
            )
    return hits


def out_of_hours(
    records: ClientRecords, as_of: dt.datetime, config: HealthConfig = DEFAULT_CONFIG
) -> list[Hit]:
    """Find client messages sent at night or at the weekend, in the client's timezone."""
    tz = ZoneInfo(records.timezone)
    hits = []
    for m in records.messages:
        if not m.inbound or m.at >= as_of or m.channel not in {"email", "chat"}:
            continue
        local = m.at.astimezone(tz)
        weekend = local.weekday() not in config.business_days
        night = not config.business_start_hour <= local.hour < config.business_end_hour
        if not (weekend or night):
            continue
        when_fr = "le week-end" if weekend else "en pleine nuit" if local.hour < 6 else "le soir"
        when_en = (
            "at the weekend" if weekend else "at night" if local.hour < 6 else "in the evening"
        )
        demand_fr = " en exigeant une réponse rapide" if m.demanding else ""
        demand_en = ", expecting a quick answer" if m.demanding else ""
        hits.append(
            Hit(
                signal="out_of_hours",
                at=m.at,
                severity=1.0 if m.demanding else 0.4,
                refs=(("interaction", m.ref),),
                figures={"local_time": local.strftime("%a %H:%M"), "demanding": m.demanding},
                explanation={
                    "fr": f"Message envoyé {when_fr} ({local:%H:%M}){demand_fr}.",
                    "en": f"Message sent {when_en} ({local:%H:%M}){demand_en}.",
                },
                key=f"out_of_hours:{m.ref}",
            )
        )
    return hits


def contact_bursts(
    records: ClientRecords, as_of: dt.datetime, config: HealthConfig = DEFAULT_CONFIG
) -> list[Hit]:
    """Find weeks and days with far more client messages than the client's usual pace."""
    tz = ZoneInfo(records.timezone)
    inbound = sorted(
        (m for m in records.messages if m.inbound and m.at < as_of), key=lambda m: m.at
    )
    if not inbound:
        return []
    per_day: dict[dt.date, list[Message]] = defaultdict(list)
    for m in inbound:
        per_day[m.at.astimezone(tz).date()].append(m)
    hits = []
    for day, day_messages in per_day.items():
        if len(day_messages) >= config.burst_day_messages:
            hits.append(
                Hit(
                    signal="micromanagement",
                    at=day_messages[-1].at,
                    severity=min(1.0, len(day_messages) / (2 * config.burst_day_messages) + 0.4),
                    refs=tuple(("interaction", m.ref) for m in day_messages),
                    figures={"messages": len(day_messages), "day": day.isoformat()},
                    explanation={
                        "fr": f"{len(day_messages)} messages du client le même jour.",
                        "en": f"{len(day_messages)} messages from the client on one day.",
                    },
                    key=f"burst:day:{day.isoformat()}",
                )
            )
    first = inbound[0].at.astimezone(tz).date()
    monday = first - dt.timedelta(days=first.weekday())
    counts: list[int] = []
    while _utc(monday + dt.timedelta(days=7)) <= as_of:
        week = [m for d in range(7) for m in per_day.get(monday + dt.timedelta(days=d), [])]
        usual = statistics.median(counts[-8:]) if len(counts) >= 3 else 2.0
        if len(week) >= max(config.burst_min_messages, config.burst_factor * max(usual, 1.0)):
            hits.append(
                Hit(
                    signal="micromanagement",
                    at=week[-1].at,
                    severity=min(1.0, len(week) / (config.burst_factor * max(usual, 1.0)) / 2),
                    refs=tuple(("interaction", m.ref) for m in week),
                    figures={"messages": len(week), "usual_per_week": usual},
                    explanation={
                        "fr": f"{len(week)} messages du client dans la semaine, "
                        f"contre {usual:g} d'habitude.",
                        "en": f"{len(week)} messages from the client this week against "
                        f"{usual:g} usually.",
                    },
                    key=f"burst:week:{monday.isoformat()}",
                )
            )
        counts.append(len(week))
        monday += dt.timedelta(days=7)
    return hits


def channel_bypass(
    records: ClientRecords, as_of: dt.datetime, config: HealthConfig = DEFAULT_CONFIG
) -> list[Hit]:
    """Find client messages sent to agency people around the agreed point of contact."""
    hits = []
    for m in records.messages:
        if not m.inbound or m.at >= as_of or m.to_agreed_contact is not False:
            continue
        if m.agency_recipients < config.bypass_min_recipients:
            continue
        hits.append(
            Hit(
                signal="channel_bypass",
                at=m.at,
                severity=min(1.0, 0.5 + 0.15 * m.agency_recipients),
                refs=(("interaction", m.ref),),
                figures={"agency_recipients": m.agency_recipients},
                explanation={
                    "fr": f"Message adressé à {m.agency_recipients} personne(s) de l'équipe "
                    "sans passer par l'interlocuteur convenu.",
                    "en": f"Message sent to {m.agency_recipients} team member(s) "
                    "around the agreed point of contact.",
                },
                key=f"channel_bypass:{m.ref}",
            )
        )
    return hits


# -- scope ---------------------------------------------------------------------------------


def direction_changes(
    records: ClientRecords, as_of: dt.datetime, config: HealthConfig = DEFAULT_CONFIG
) -> list[Hit]:
    """Find reversals of direction repeated within a short window (frequency, not one text)."""
    changes = sorted(
        (h for h in records.text_hits if h.signal == "direction_change" and h.at < as_of),
        key=lambda h: h.at,
    )
    hits = []
    window = dt.timedelta(days=config.direction_window_days)
    for i, hit in enumerate(changes):
        recent = [h for h in changes[: i + 1] if hit.at - h.at <= window]
        if len(recent) >= config.direction_repeat:
            hits.append(
                Hit(
                    signal="direction_change",
                    at=hit.at,
                    severity=min(1.0, len(recent) / (2 * config.direction_repeat) + 0.25),
                    refs=tuple(("interaction", h.message) for h in recent),
                    figures={"changes": len(recent), "days": config.direction_window_days},
                    explanation={
                        "fr": f"{len(recent)} changements de cap en "
                        f"{config.direction_window_days} jours.",
                        "en": f"{len(recent)} changes of direction within "
                        f"{config.direction_window_days} days.",
                    },
                    detector="behaviour:frequency",
                    key=f"direction_change:repeat:{hit.ref}",
                )
            )
    return hits


def revision_overrun(
    records: ClientRecords, as_of: dt.datetime, config: HealthConfig = DEFAULT_CONFIG
) -> list[Hit]:
    """Find revision rounds beyond what the project's contract allows."""
    hits = []
    by_project: dict[int, list[RevisionRecord]] = defaultdict(list)
    for r in sorted(records.revisions, key=lambda r: (r.requested_on, r.ref)):
        if _utc(r.requested_on) < as_of:
            by_project[r.project].append(r)
    for rounds in by_project.values():
        for number, r in enumerate(rounds, start=1):
            if r.allowed is None or number <= r.allowed:
                continue
            hits.append(
                Hit(
                    signal="revision_overrun",
                    at=_utc(r.requested_on),
                    severity=min(1.0, 0.6 + 0.2 * (number - r.allowed - 1)),
                    refs=(("revision", r.ref),),
                    figures={"round": number, "allowed": r.allowed},
                    explanation={
                        "fr": f"Série de corrections n° {number} alors que le contrat "
                        f"en prévoit {r.allowed}.",
                        "en": f"Revision round {number} where the contract allows {r.allowed}.",
                    },
                    key=f"revision_overrun:{r.ref}",
                )
            )
    return hits


# -- finance, team, partnership ----------------------------------------------------------


def late_payment(
    records: ClientRecords, as_of: dt.datetime, config: HealthConfig = DEFAULT_CONFIG
) -> list[Hit]:
    """Find invoices paid or still unpaid past their due date, and disputed invoices."""
    hits = []
    today = as_of.date()
    for inv in records.invoices:
        if _utc(inv.issued_on) >= as_of:
            continue
        paid = inv.paid_on if inv.paid_on is not None and inv.paid_on < today else None
        end = paid or today
        late = (end - inv.due_on).days
        if late > config.late_grace_days:
            state_fr = (
                f"payée avec {late} jours de retard"
                if paid
                else f"impayée, {late} jours après l'échéance"
            )
            state_en = f"paid {late} days late" if paid else f"unpaid, {late} days past due"
            hits.append(
                Hit(
                    signal="late_payment",
                    at=_utc(end) if paid else as_of,
                    # Still unpaid: keeps growing past full strength, up to twice.
                    severity=min(1.0 if paid else 2.0, late / config.late_full_days),
                    refs=(("invoice", inv.ref),),
                    figures={"days_late": late, "paid": paid is not None, "amount": inv.amount},
                    explanation={
                        "fr": f"Facture {inv.number} {state_fr}.",
                        "en": f"Invoice {inv.number} {state_en}.",
                    },
                    key=f"late_payment:late:{inv.ref}",
                )
            )
        if inv.disputed and not paid:
            reason = inv.dispute_reason.strip()
            hits.append(
                Hit(
                    signal="late_payment",
                    at=_utc(inv.issued_on + dt.timedelta(days=3)),
                    severity=0.9 if reason else 1.0,
                    refs=(("invoice", inv.ref),),
                    figures={"disputed": True, "reason_given": bool(reason), "amount": inv.amount},
                    explanation={
                        "fr": f"Facture {inv.number} contestée"
                        + (f" : « {reason[:80]} »." if reason else " sans motif précis."),
                        "en": f"Invoice {inv.number} disputed"
                        + (f": “{reason[:80]}”." if reason else " with no specific reason."),
                    },
                    key=f"late_payment:dispute:{inv.ref}",
                )
            )
    return hits


def team_strain(
    records: ClientRecords, as_of: dt.datetime, config: HealthConfig = DEFAULT_CONFIG
) -> list[Hit]:
    """Find weeks when the team's mean pulse for the client fell to the strain level."""
    by_week: dict[dt.date, list[PulseRecord]] = defaultdict(list)
    for p in records.pulses:
        if _utc(p.week) < as_of:
            by_week[p.week].append(p)
    hits = []
    for week, pulses in sorted(by_week.items()):
        mean = sum(p.rating for p in pulses) / len(pulses)
        if mean > config.strain_rating:
            continue
        hits.append(
            Hit(
                signal="team_strain",
                at=_utc(week + dt.timedelta(days=4)),
                severity=min(1.0, (config.strain_rating + 0.5 - mean) / 3),
                refs=tuple(("pulse", p.ref) for p in pulses),
                figures={"mean_rating": round(mean, 2), "ratings": len(pulses)},
                explanation={
                    "fr": f"L'équipe note la relation {mean:.1f}/5 la semaine du {week:%d/%m}.",
                    "en": f"The team rates the relationship {mean:.1f}/5, week of {week:%d %b}.",
                },
                key=f"team_strain:{week.isoformat()}",
            )
        )
    return hits


def transactional_shift(
    records: ClientRecords, as_of: dt.datetime, config: HealthConfig = DEFAULT_CONFIG
) -> list[Hit]:
    """Find a rise in transactional language over the recent window against the client's past."""
    inbound = sorted(
        (
            m
            for m in records.messages
            if m.inbound and m.at < as_of and (m.consultative or m.transactional)
        ),
        key=lambda m: m.at,
    )
    start = as_of - dt.timedelta(days=config.shift_window_days)
    recent = [m for m in inbound if m.at >= start]
    before = [m for m in inbound if m.at < start]
    recent_t = sum(m.transactional for m in recent)
    recent_c = sum(m.consultative for m in recent)
    before_t = sum(m.transactional for m in before)
    before_c = sum(m.consultative for m in before)
    if recent_t < config.shift_min_transactional:
        return []
    ratio = recent_t / (recent_t + recent_c)
    earlier = before_t / (before_t + before_c) if before_t + before_c else 0.0
    if ratio - earlier < config.shift_min_rise:
        return []
    last = next(m for m in reversed(recent) if m.transactional)
    return [
        Hit(
            signal="transactional_shift",
            at=last.at,
            severity=min(1.0, ratio - earlier + 0.3),
            refs=tuple(("interaction", m.ref) for m in recent if m.transactional),
            figures={"recent_ratio": round(ratio, 2), "earlier_ratio": round(earlier, 2)},
            explanation={
                "fr": f"Le vocabulaire devient transactionnel : {ratio:.0%} des marqueurs "
                f"sur {config.shift_window_days} jours, contre {earlier:.0%} avant.",
                "en": f"The wording turns transactional: {ratio:.0%} of markers over "
                f"{config.shift_window_days} days against {earlier:.0%} before.",
            },
            key=f"transactional_shift:{last.ref}",
        )
    ]


DETECTORS = (
    non_response,
    out_of_hours,
    contact_bursts,
    channel_bypass,
    direction_changes,
    revision_overrun,
    late_payment,
    team_strain,
    transactional_shift,
)


def detect(
    records: ClientRecords, as_of: dt.datetime, config: HealthConfig = DEFAULT_CONFIG
) -> list[Hit]:
    """Run every behavioural detector on one client's records as of `as_of`."""
    hits: list[Hit] = []
    for detector in DETECTORS:
        hits.extend(detector(records, as_of, config))
    return sorted(hits, key=lambda h: (h.at, h.key))


def text_hits_as_hits(text_hits: Iterable[TextHit], as_of: dt.datetime) -> list[Hit]:
    """Wrap the text engine's hits so the health model weighs them like the others."""
    return [
        Hit(
            signal=h.signal,
            at=h.at,
            severity=h.score,
            refs=(("interaction", h.message), ("hit", h.ref)),
            explanation={},
            detector="text",
            key=f"text:{h.ref}",
        )
        for h in text_hits
        if h.at < as_of
    ]
