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


def _fr1(value: float) -> str:
    """Return a figure with one decimal, written the French way (3,5)."""
    return f"{value:.1f}".replace(".", ",")


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
    # Keys of the behavioural hits a person marked wrong: they do not count.
    dismissed: frozenset[str] = frozenset()


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


def _hit(
    signal: str,
    at: dt.datetime,
    severity: float,
    refs: Iterable[tuple[str, int]],
    key: str,
    fr: str,
    en: str,
    figures: dict[str, Any] | None = None,
    detector: str = "behaviour",
) -> Hit:
    """Build one hit: the one shape every detector returns, with its sentence in both languages."""
    return Hit(
        signal=signal,
        at=at,
        severity=severity,
        refs=tuple(refs),
        explanation={"fr": fr, "en": en},
        figures=figures or {},
        detector=detector,
        key=key,
    )


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


def _replies_and_unanswered(
    messages: Sequence[Message], config: HealthConfig
) -> tuple[list[tuple[Message, Message, float]], list[Message]]:
    """Pair our messages with the client's answers (In-Reply-To); list those left open.

    Returns (ours, answer, business hours) by answer time, and our messages that started a
    turn and have no answer (our own replies close a turn and expect none).
    """
    by_ref = {m.ref: m for m in messages}
    answered_by: dict[int, Message] = {}
    last_inbound_in_thread: dict[int, dt.datetime] = {}
    for m in messages:
        if m.inbound and m.reply_to is not None and m.reply_to not in answered_by:
            answered_by[m.reply_to] = m
        if m.inbound and m.thread is not None:
            last_inbound_in_thread[m.thread] = m.at
    replies: list[tuple[Message, Message, float]] = []
    unanswered: list[Message] = []
    for ours in messages:
        if ours.inbound:
            continue
        answer = answered_by.get(ours.ref)
        if answer is not None:
            replies.append((ours, answer, _business_hours(ours.at, answer.at, config)))
            continue
        replying = ours.reply_to is not None and ours.reply_to in by_ref
        later = (
            ours.thread is not None and last_inbound_in_thread.get(ours.thread, ours.at) > ours.at
        )
        if not replying and not later:
            unanswered.append(ours)
    replies.sort(key=lambda r: r[1].at)
    return replies, unanswered


def non_response(
    records: ClientRecords, as_of: dt.datetime, config: HealthConfig = DEFAULT_CONFIG
) -> list[Hit]:
    """Find replies slowing against the client's own habit, our messages left open, silence.

    Three kinds: one reply far slower than the client's usual time; the client's recent
    replies slower, taken together, than its earlier ones (the trend a manager feels before
    any single reply is alarming); our message left unanswered; no message for much longer
    than the client's usual gap.
    """
    hits: list[Hit] = []
    messages = sorted(
        (m for m in records.messages if m.at < as_of and m.channel in {"email", "chat"}),
        key=lambda m: m.at,
    )
    replies, unanswered = _replies_and_unanswered(messages, config)
    seen: list[float] = []
    for i, (ours, answer, hours) in enumerate(replies):
        usual = statistics.median(seen) if len(seen) >= 3 else config.usual_reply_hours
        limit = max(config.slow_reply_factor * usual, config.slow_reply_min_hours)
        if hours > limit:
            hits.append(
                _hit(
                    "non_response",
                    answer.at,
                    min(1.0, 0.5 + hours / limit / 4),
                    (("interaction", ours.ref), ("interaction", answer.ref)),
                    f"non_response:slow:{answer.ref}",
                    f"Réponse en {hours:.0f} h ouvrées alors que ce client répond "
                    f"d'habitude en {usual:.0f} h.",
                    f"Answered after {hours:.0f} business hours where this client "
                    f"usually takes {usual:.0f} h.",
                    {"reply_hours": round(hours), "usual_hours": round(usual, 1)},
                )
            )
        # The usual time is the client's own: slow answers become the habit only slowly.
        seen.append(min(hours, 3 * (statistics.median(seen) if seen else hours) + 1))
        trend = _reply_trend(replies, i, config)
        if trend is not None:
            hits.append(trend)
    for ours in unanswered:
        deadline = _add_business_days(ours.at.date(), config.unanswered_business_days, config)
        if _utc(deadline) > as_of:
            continue
        waited = (as_of.date() - ours.at.date()).days
        hits.append(
            _hit(
                "non_response",
                _utc(deadline),
                0.8,
                (("interaction", ours.ref),),
                f"non_response:unanswered:{ours.ref}",
                f"Notre message reste sans réponse depuis {waited} jours.",
                f"Our message has had no answer for {waited} days.",
                {"days_waiting": waited},
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
                _hit(
                    "non_response",
                    as_of,
                    min(1.0, silent_days / limit / 2 + 0.3),
                    (("interaction", inbound[-1].ref),),
                    f"non_response:silence:{inbound[-1].ref}",
                    f"Aucun message du client depuis {silent_days:.0f} jours, "
                    f"d'habitude il écrit tous les {usual_gap:.0f} jours.",
                    f"No message from the client for {silent_days:.0f} days; "
                    f"it usually writes every {usual_gap:.0f} days.",
                    {"silent_days": round(silent_days), "usual_gap_days": round(usual_gap, 1)},
                )
            )
    return hits


def _reply_trend(
    replies: Sequence[tuple[Message, Message, float]], i: int, config: HealthConfig
) -> Hit | None:
    """Return a hit when the replies up to `i` show the client slowing down, else None.

    The median of its last `reply_trend_count` replies (all within `reply_trend_days`)
    against the median of all its earlier ones (at least `reply_trend_floor_hours`).
    """
    n = config.reply_trend_count
    if i + 1 < n + 1:  # at least one earlier reply to compare with
        return None
    recent = replies[i + 1 - n : i + 1]
    answer = recent[-1][1]
    if (answer.at - recent[0][1].at).days > config.reply_trend_days:
        return None
    earlier = statistics.median(h for _, _, h in replies[: i + 1 - n])
    usual = max(earlier, config.reply_trend_floor_hours)
    now = statistics.median(h for _, _, h in recent)
    ratio = now / usual
    if now < config.reply_trend_min_hours or ratio < config.reply_trend_factor:
        return None
    return _hit(
        "non_response",
        answer.at,
        min(1.0, ratio / (2 * config.reply_trend_factor)),
        tuple(("interaction", a.ref) for _, a, _ in recent),
        f"non_response:trend:{answer.ref}",
        f"Les réponses ralentissent : {now:.0f} h ouvrées en médiane sur les {n} dernières, "
        f"contre {earlier:.0f} h auparavant.",
        f"Replies are slowing: a median of {now:.0f} business hours over the last {n} "
        f"against {earlier:.0f} h before.",
        {"recent_hours": round(now), "earlier_hours": round(earlier, 1), "replies": n},
    )


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
            _hit(
                "out_of_hours",
                m.at,
                1.0 if m.demanding else 0.4,
                (("interaction", m.ref),),
                f"out_of_hours:{m.ref}",
                f"Message envoyé {when_fr} ({local:%H:%M}){demand_fr}.",
                f"Message sent {when_en} ({local:%H:%M}){demand_en}.",
                {"local_time": local.strftime("%a %H:%M"), "demanding": m.demanding},
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
                _hit(
                    "micromanagement",
                    day_messages[-1].at,
                    min(1.0, len(day_messages) / (2 * config.burst_day_messages) + 0.4),
                    (("interaction", m.ref) for m in day_messages),
                    f"burst:day:{day.isoformat()}",
                    f"{len(day_messages)} messages du client le même jour.",
                    f"{len(day_messages)} messages from the client on one day.",
                    {"messages": len(day_messages), "day": day.isoformat()},
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
                _hit(
                    "micromanagement",
                    week[-1].at,
                    min(1.0, len(week) / (config.burst_factor * max(usual, 1.0)) / 2),
                    (("interaction", m.ref) for m in week),
                    f"burst:week:{monday.isoformat()}",
                    f"{len(week)} messages du client dans la semaine, contre {usual:g} d'habitude.",
                    f"{len(week)} messages from the client this week against {usual:g} usually.",
                    {"messages": len(week), "usual_per_week": usual},
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
            _hit(
                "channel_bypass",
                m.at,
                min(1.0, 0.5 + 0.15 * m.agency_recipients),
                (("interaction", m.ref),),
                f"channel_bypass:{m.ref}",
                f"Message adressé à {m.agency_recipients} personne(s) de l'équipe "
                "sans passer par l'interlocuteur convenu.",
                f"Message sent to {m.agency_recipients} team member(s) "
                "around the agreed point of contact.",
                {"agency_recipients": m.agency_recipients},
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
    days = config.direction_window_days
    window = dt.timedelta(days=days)
    for i, hit in enumerate(changes):
        recent = [h for h in changes[: i + 1] if hit.at - h.at <= window]
        if len(recent) >= config.direction_repeat:
            hits.append(
                _hit(
                    "direction_change",
                    hit.at,
                    min(1.0, len(recent) / (2 * config.direction_repeat) + 0.25),
                    (("interaction", h.message) for h in recent),
                    f"direction_change:repeat:{hit.ref}",
                    f"{len(recent)} changements de cap en {days} jours.",
                    f"{len(recent)} changes of direction within {days} days.",
                    {"changes": len(recent), "days": days},
                    detector="behaviour:frequency",
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
                _hit(
                    "revision_overrun",
                    _utc(r.requested_on),
                    min(1.0, 0.6 + 0.2 * (number - r.allowed - 1)),
                    (("revision", r.ref),),
                    f"revision_overrun:{r.ref}",
                    f"Série de corrections n° {number} alors que le contrat "
                    f"en prévoit {r.allowed}.",
                    f"Revision round {number} where the contract allows {r.allowed}.",
                    {"round": number, "allowed": r.allowed},
                )
            )
    return hits


# -- finance, team, partnership ----------------------------------------------------------


def late_payment(
    records: ClientRecords, as_of: dt.datetime, config: HealthConfig = DEFAULT_CONFIG
) -> list[Hit]:
    """Find invoices paid or still unpaid past their due date, and disputed invoices.

    More than `late_grace_days` late counts in proportion to the delay (full strength at
    `late_full_days`), never less than `late_minor_severity`: a first payment a few days
    late is a small sign, not nothing.
    """
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
            # Still unpaid: keeps growing past full strength, up to twice.
            strength = min(1.0 if paid else 2.0, late / config.late_full_days)
            hits.append(
                _hit(
                    "late_payment",
                    _utc(end) if paid else as_of,
                    max(config.late_minor_severity, strength),
                    (("invoice", inv.ref),),
                    f"late_payment:late:{inv.ref}",
                    f"Facture {inv.number} {state_fr}.",
                    f"Invoice {inv.number} {state_en}.",
                    {"days_late": late, "paid": paid is not None, "amount": inv.amount},
                )
            )
        if inv.disputed and not paid:
            reason = inv.dispute_reason.strip()
            hits.append(
                _hit(
                    "late_payment",
                    _utc(inv.issued_on + dt.timedelta(days=3)),
                    0.9 if reason else 1.0,
                    (("invoice", inv.ref),),
                    f"late_payment:dispute:{inv.ref}",
                    f"Facture {inv.number} contestée"
                    + (f" : « {reason[:80]} »." if reason else " sans motif précis."),
                    f"Invoice {inv.number} disputed"
                    + (f": “{reason[:80]}”." if reason else " with no specific reason."),
                    {"disputed": True, "reason_given": bool(reason), "amount": inv.amount},
                )
            )
    return hits


def team_strain(
    records: ClientRecords, as_of: dt.datetime, config: HealthConfig = DEFAULT_CONFIG
) -> list[Hit]:
    """Find weeks when the team's pulse for the client fell to the strain level or slid.

    Two kinds: a week whose mean is at most `strain_rating`; and a slide, the mean of the
    last `pulse_trend_weeks` weeks at least `pulse_slide` below the team's own earlier mean
    for this client (at least `pulse_baseline_weeks` weeks of it), however high it still is.
    """
    by_week: dict[dt.date, list[PulseRecord]] = defaultdict(list)
    for p in records.pulses:
        if _utc(p.week) < as_of:
            by_week[p.week].append(p)
    hits = []
    weeks = sorted(by_week.items())
    means = [sum(p.rating for p in pulses) / len(pulses) for _, pulses in weeks]
    n = config.pulse_trend_weeks
    for i, (week, pulses) in enumerate(weeks):
        mean = means[i]
        at = _utc(week + dt.timedelta(days=4))
        if mean <= config.strain_rating:
            hits.append(
                _hit(
                    "team_strain",
                    at,
                    min(1.0, (config.strain_rating + 0.5 - mean) / 3),
                    (("pulse", p.ref) for p in pulses),
                    f"team_strain:{week.isoformat()}",
                    f"L'équipe note la relation {_fr1(mean)}/5 la semaine du {week:%d/%m}.",
                    f"The team rates the relationship {mean:.1f}/5, week of {week:%d %b}.",
                    {"mean_rating": round(mean, 2), "ratings": len(pulses)},
                )
            )
        if i + 1 < n + config.pulse_baseline_weeks:
            continue
        recent = statistics.mean(means[i + 1 - n : i + 1])
        before = statistics.mean(means[: i + 1 - n])
        slide = before - recent
        if slide < config.pulse_slide:
            continue
        hits.append(
            _hit(
                "team_strain",
                at,
                min(1.0, slide / 2),
                (("pulse", p.ref) for _, ps in weeks[i + 1 - n : i + 1] for p in ps),
                f"team_strain:slide:{week.isoformat()}",
                f"Le moral de l'équipe baisse : {_fr1(recent)}/5 sur les {n} dernières semaines, "
                f"contre {_fr1(before)}/5 auparavant.",
                f"The team's pulse is sliding: {recent:.1f}/5 over the last {n} weeks "
                f"against {before:.1f}/5 before.",
                {"recent_rating": round(recent, 2), "earlier_rating": round(before, 2)},
            )
        )
    return hits


def transactional_shift(
    records: ClientRecords, as_of: dt.datetime, config: HealthConfig = DEFAULT_CONFIG
) -> list[Hit]:
    """Find a rise in transactional language over the recent window against the client's past.

    Consultative language: the engine's consultative markers plus its hits of the signals
    in `shift_consultative_signals` (asking our advice, sharing what they know);
    transactional: its transactional markers plus `shift_transactional_signals` (calling us
    a supplier). Both counted on the client's own messages only.
    """
    inbound = {m.ref: m for m in records.messages if m.inbound and m.at < as_of}
    consultative: dict[int, int] = {r: m.consultative for r, m in inbound.items()}
    transactional: dict[int, int] = {r: m.transactional for r, m in inbound.items()}
    for h in records.text_hits:
        if h.message not in inbound:
            continue
        if h.signal in config.shift_consultative_signals:
            consultative[h.message] += 1
        elif h.signal in config.shift_transactional_signals:
            transactional[h.message] += 1
    start = as_of - dt.timedelta(days=config.shift_window_days)
    counted = sorted(
        (m for r, m in inbound.items() if consultative[r] or transactional[r]),
        key=lambda m: m.at,
    )
    recent = [m for m in counted if m.at >= start]
    before = [m for m in counted if m.at < start]
    recent_t = sum(transactional[m.ref] for m in recent)
    recent_c = sum(consultative[m.ref] for m in recent)
    before_t = sum(transactional[m.ref] for m in before)
    before_c = sum(consultative[m.ref] for m in before)
    # A shift needs something to shift from: enough of the client's earlier wording.
    if recent_t < config.shift_min_transactional or before_t + before_c < config.shift_min_earlier:
        return []
    ratio = recent_t / (recent_t + recent_c)
    earlier = before_t / (before_t + before_c)
    if ratio - earlier < config.shift_min_rise:
        return []
    last = next(m for m in reversed(recent) if transactional[m.ref])
    days = config.shift_window_days
    return [
        _hit(
            "transactional_shift",
            last.at,
            min(1.0, ratio - earlier + 0.3),
            (("interaction", m.ref) for m in recent if transactional[m.ref]),
            f"transactional_shift:{last.ref}",
            f"Le vocabulaire devient transactionnel : {ratio:.0%} des marqueurs "
            f"sur {days} jours, contre {earlier:.0%} avant.",
            f"The wording turns transactional: {ratio:.0%} of markers over "
            f"{days} days against {earlier:.0%} before.",
            {"recent_ratio": round(ratio, 2), "earlier_ratio": round(earlier, 2)},
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
