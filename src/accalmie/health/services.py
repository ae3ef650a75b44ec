"""Compute, store and act on client health: scores, snapshots, alerts, walk-away decisions."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accalmie.accounts.models import Membership, Role, Workspace
from accalmie.analysis import behaviour
from accalmie.analysis.behaviour import ClientRecords, Hit
from accalmie.analysis.health import AlertDecision, Health, Snapshot, alerts_for, assess
from accalmie.analysis.health_config import DEFAULT_CONFIG, HealthConfig
from accalmie.clients.models import Client
from accalmie.core.audit import record_event
from accalmie.health.models import (
    Alert,
    BehaviourHit,
    HealthSettings,
    HealthSnapshot,
    WalkAwayDecision,
    WalkAwayFlag,
)
from accalmie.health.records import load_records

RECENT = dt.timedelta(days=90)


def config_for(workspace_id: int) -> HealthConfig:
    """Return the workspace's health settings: the defaults with its overrides."""
    row = HealthSettings.objects.filter(workspace_id=workspace_id).first()
    return DEFAULT_CONFIG.with_overrides(row.values if row else None)


def update_settings(
    workspace: Workspace, values: dict[str, object], actor: User | None = None
) -> HealthSettings:
    """Validate and save a workspace's overrides of the health defaults."""
    try:
        DEFAULT_CONFIG.with_overrides(values)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    row, _ = HealthSettings.objects.update_or_create(
        workspace=workspace, defaults={"values": values}
    )
    record_event(
        action="health.settings", obj=row, workspace_id=workspace.pk, actor=actor, data=values
    )
    return row


def _split_hits(
    records: ClientRecords, as_of: dt.datetime, config: HealthConfig
) -> tuple[list[Hit], list[Hit]]:
    """Return the hits that count and the behavioural hits a person marked wrong.

    Hits marked wrong are left out of the first list: text hits by `load_records`,
    behavioural ones here, by their key in `records.dismissed`.
    """
    counted: list[Hit] = []
    dismissed: list[Hit] = []
    for h in behaviour.detect(records, as_of, config):
        (dismissed if h.key in records.dismissed else counted).append(h)
    return counted + behaviour.text_hits_as_hits(records.text_hits, as_of), dismissed


def recent_records(records: ClientRecords, as_of: dt.datetime) -> int:
    """Count the records of the last 90 days: what the confidence rests on."""
    since = as_of - RECENT
    since_day = since.date()
    return (
        sum(1 for m in records.messages if since <= m.at < as_of)
        + sum(1 for i in records.invoices if since_day <= i.issued_on < as_of.date())
        + len({p.week for p in records.pulses if since_day <= p.week < as_of.date()})
    )


def score_records(
    records: ClientRecords, as_of: dt.datetime, config: HealthConfig
) -> tuple[Health, list[Hit]]:
    """Return the health of one client's records as of `as_of`, and the hits behind it."""
    health, hits, _dismissed = _score(records, as_of, config)
    return health, hits


def _score(
    records: ClientRecords, as_of: dt.datetime, config: HealthConfig
) -> tuple[Health, list[Hit], list[Hit]]:
    """`score_records`, and the dismissed behavioural hits (stored, shown, not counted)."""
    hits, dismissed = _split_hits(records, as_of, config)
    return assess(hits, as_of, config, recent_records(records, as_of)), hits, dismissed


def reasons_of(health: Health, limit: int = 5) -> list[dict[str, object]]:
    """Return the top contributions of a health as JSON-ready dicts with their evidence."""
    reasons = []
    for c in health.explain(limit=limit):
        explained = next((h.explanation for h in c.hits if h.explanation), {})
        reasons.append(
            {
                "dimension": c.dimension,
                "signal": c.signal,
                "points": round(c.points, 1),
                "hits": len(c.hits),
                "refs": [list(r) for r in c.refs[:6]],
                "explanation": explained,
            }
        )
    return reasons


@dataclass
class RescoreResult:
    clients: int = 0
    snapshots: int = 0
    alerts: int = 0
    behaviour_hits: int = 0


_HIT_FIELDS = (
    "signal",
    "occurred_at",
    "severity",
    "evidence",
    "figures",
    "explanation_fr",
    "explanation_en",
)


def _values_of(h: Hit) -> tuple[object, ...]:
    """A hit's stored values, in the order of _HIT_FIELDS."""
    return (
        h.signal,
        h.at,
        round(h.severity, 4),
        [list(r) for r in h.refs],
        h.figures,
        h.explanation.get("fr", ""),
        h.explanation.get("en", ""),
    )


def _hit_row(client: Client, h: Hit) -> BehaviourHit:
    return BehaviourHit(
        workspace_id=client.workspace_id,
        client_id=client.pk,
        key=h.key,
        **dict(zip(_HIT_FIELDS, _values_of(h), strict=True)),
    )


def _stored_hits(client_ids: Sequence[int]) -> dict[int, dict[str, tuple[int, tuple[object, ...]]]]:
    """Return the stored behavioural hits of these clients: key -> (pk, values), per client."""
    stored: dict[int, dict[str, tuple[int, tuple[object, ...]]]] = defaultdict(dict)
    for pk, client_id, key, *values in BehaviourHit.objects.filter(
        client_id__in=client_ids
    ).values_list("pk", "client_id", "key", *_HIT_FIELDS):
        stored[client_id][key] = (pk, tuple(values))
    return stored


def _directors(workspace_id: int) -> list[int]:
    return list(
        Membership.objects.filter(workspace_id=workspace_id, role=Role.DIRECTOR).values_list(
            "user_id", flat=True
        )
    )


def _recipients(client: Client, status: str, directors: list[int]) -> list[int]:
    ids = [client.account_manager_id] if client.account_manager_id else []
    if status == "critical" or not ids:
        ids += directors
    return sorted(set(ids))


def _snapshot_row(client: Client, health: Health, day: dt.date) -> HealthSnapshot:
    return HealthSnapshot(
        client=client,
        day=day,
        score=round(health.score, 2),
        status=health.status,
        confidence=round(health.confidence, 3),
        dimensions={k: round(v, 1) for k, v in health.dimensions.items()},
        driver=health.driver,
        reasons=reasons_of(health),
    )


def _alert_row(client: Client, decision: AlertDecision, health: Health, day: dt.date) -> Alert:
    return Alert(
        client_id=client.pk,
        episode_key=decision.key,
        workspace_id=client.workspace_id,
        kind=decision.kind,
        raised_on=day,
        status_from=decision.status_from,
        status_to=decision.status_to,
        score_from=round(decision.score_from, 1),
        score_to=round(decision.score_to, 1),
        reasons=reasons_of(health, limit=3),
    )


_SNAPSHOT_FIELDS = ["score", "status", "confidence", "dimensions", "driver", "reasons"]


def _histories(client_ids: Sequence[int], before: dt.date) -> dict[int, list[Snapshot]]:
    """Return each client's stored snapshots before `before`, oldest first."""
    snaps = HealthSnapshot.objects.filter(client_id__in=client_ids, day__lt=before).order_by(
        "client_id", "day"
    )
    out: dict[int, list[Snapshot]] = defaultdict(list)
    for client_id, d, s, st in snaps.values_list("client_id", "day", "score", "status"):
        out[client_id].append(Snapshot(d, s, st))
    return out


@dataclass
class _Writes:
    """What one chunk of clients writes, saved together in one short transaction."""

    snapshots: list[HealthSnapshot] = field(default_factory=list)
    new_hits: list[BehaviourHit] = field(default_factory=list)
    stale_hits: list[int] = field(default_factory=list)
    alerts: list[tuple[Alert, list[int]]] = field(default_factory=list)

    def save(self) -> int:
        """Write everything; return how many alerts were raised."""
        with transaction.atomic():
            if self.stale_hits:
                BehaviourHit.objects.filter(pk__in=self.stale_hits).delete()
            BehaviourHit.objects.bulk_create(self.new_hits, batch_size=500)
            # One row per client and day: the last computed wins (a Monday's history point
            # and today's score fall on the same day when today is a Monday).
            snapshots = {(s.client_id, s.day): s for s in self.snapshots}
            HealthSnapshot.objects.bulk_create(
                list(snapshots.values()),
                batch_size=500,
                update_conflicts=True,
                unique_fields=["client", "day"],
                update_fields=[*_SNAPSHOT_FIELDS, "computed_at"],
            )
            if not self.alerts:
                return 0
            try:
                with transaction.atomic():
                    self._save_alerts()
                return len(self.alerts)
            except IntegrityError:
                # Another process raised one of these episodes meanwhile: one by one.
                raised = 0
                for alert, users in self.alerts:
                    saved, created = Alert.objects.get_or_create(
                        client_id=alert.client_id,
                        episode_key=alert.episode_key,
                        defaults={
                            f.attname: getattr(alert, f.attname)
                            for f in Alert._meta.concrete_fields
                            if f.attname not in {"id", "client_id", "episode_key"}
                        },
                    )
                    if created:
                        saved.recipients.set(users)
                        raised += 1
                return raised

    def _save_alerts(self) -> None:
        created = Alert.objects.bulk_create([a for a, _r in self.alerts])
        if not all(a.pk for a in created):  # a backend that returns no ids
            keys = {(a.client_id, a.episode_key) for a in created}
            ids = {
                (c, k): pk
                for pk, c, k in Alert.objects.filter(
                    client_id__in={c for c, _k in keys}
                ).values_list("pk", "client_id", "episode_key")
            }
            for a in created:
                a.pk = ids[(a.client_id, a.episode_key)]
        Alert.recipients.through.objects.bulk_create(
            Alert.recipients.through(alert_id=a.pk, user_id=u)
            for a, (_a, users) in zip(created, self.alerts, strict=True)
            for u in users
        )


def recompute_clients(
    clients: Sequence[Client],
    as_of: dt.datetime | None = None,
    history_weeks: int = 0,
    progress: Callable[[int], None] | None = None,
    chunk: int = 50,
) -> RescoreResult:
    """Recompute the health of these clients now (and weekly back `history_weeks` weeks).

    Stores the behavioural hits, one snapshot per computed day, and the alerts the history
    calls for. Safe to run again: snapshots are replaced, alerts are keyed by episode.
    Clients are read and written by chunks: a handful of queries per chunk, not per client;
    behavioural hits that did not change are left as they are.
    """
    now = as_of or timezone.now()
    result = RescoreResult()
    configs: dict[int, HealthConfig] = {}
    directors: dict[int, list[int]] = {}
    days = [now]
    monday = dt.datetime.combine(now.date() - dt.timedelta(days=now.weekday()), dt.time(), dt.UTC)
    for weeks in range(history_weeks, 0, -1):
        at = monday - dt.timedelta(weeks=weeks - 1)
        if at < now:
            days.insert(len(days) - 1, at)
    for start in range(0, len(clients), chunk):
        batch = clients[start : start + chunk]
        ids = [c.pk for c in batch]
        records = load_records(ids)
        stored_hits = _stored_hits(ids)
        histories = _histories(ids, before=days[0].date())
        raised_before = set(
            Alert.objects.filter(client_id__in=ids).values_list("client_id", "episode_key")
        )
        writes = _Writes()
        for client in batch:
            ws = client.workspace_id
            config = configs.setdefault(ws, config_for(ws))
            history = histories.get(client.pk, [])
            hits: list[Hit] = []
            dismissed: list[Hit] = []
            for at in days:
                health, hits, dismissed = _score(records[client.pk], at, config)
                writes.snapshots.append(_snapshot_row(client, health, at.date()))
                result.snapshots += 1
                history = [s for s in history if s.day < at.date()]
                history.append(Snapshot(at.date(), health.score, health.status))
                for decision in alerts_for(history, config):
                    if (client.pk, decision.key) in raised_before:
                        continue
                    raised_before.add((client.pk, decision.key))
                    if ws not in directors:
                        directors[ws] = _directors(ws)
                    writes.alerts.append(
                        (
                            _alert_row(client, decision, health, at.date()),
                            _recipients(client, decision.status_to, directors[ws]),
                        )
                    )
            old = stored_hits.get(client.pk, {})
            keep: set[str] = set()
            found = 0
            for h in hits + dismissed:  # dismissed signs stay stored, shown as such
                if h.detector == "text":
                    continue
                found += 1
                before = old.get(h.key)
                if before is not None and before[1] == _values_of(h):
                    keep.add(h.key)
                else:
                    writes.new_hits.append(_hit_row(client, h))
            writes.stale_hits += [pk for key, (pk, _v) in old.items() if key not in keep]
            result.behaviour_hits += found
        result.alerts += writes.save()
        result.clients += len(batch)
        if progress:
            progress(result.clients)
    return result


def recompute_client_ids(client_ids: Iterable[int]) -> RescoreResult:
    """Recompute today's health of these clients (the incremental path)."""
    clients = list(
        Client.objects.filter(pk__in=set(client_ids)).select_related("workspace").order_by("pk")
    )
    return recompute_clients(clients)


def queue_health(client_ids: Iterable[int]) -> None:
    """Have `accalmie worker` recompute these clients' health after the current commit."""
    ids = sorted({i for i in client_ids if i})
    if not ids:
        return
    from accalmie.health.tasks import recompute_health_task

    transaction.on_commit(lambda: recompute_health_task.enqueue(ids))


# -- alerts ---------------------------------------------------------------------------------


def acknowledge_alert(alert: Alert, actor: User) -> Alert:
    """Mark an alert as seen and dealt with."""
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = actor
    alert.snoozed_until = None
    alert.save(update_fields=["acknowledged_at", "acknowledged_by", "snoozed_until"])
    record_event(
        action="alert.acknowledge", obj=alert, workspace_id=alert.workspace_id, actor=actor
    )
    return alert


def snooze_alert(alert: Alert, actor: User, days: int) -> Alert:
    """Hide an alert from the inbox for `days` days."""
    if not 1 <= days <= 90:
        raise ValidationError("Snooze for 1 to 90 days")
    alert.snoozed_until = timezone.localdate() + dt.timedelta(days=days)
    alert.save(update_fields=["snoozed_until"])
    record_event(
        action="alert.snooze",
        obj=alert,
        workspace_id=alert.workspace_id,
        actor=actor,
        data={"until": alert.snoozed_until.isoformat()},
    )
    return alert


# -- walk-away ------------------------------------------------------------------------------


def set_walkaway_flag(client: Client, flagged: bool, note: str, actor: User) -> WalkAwayFlag:
    """Record (or clear) the manual flag of illegal or unethical conduct."""
    flag, _ = WalkAwayFlag.objects.update_or_create(
        client=client, defaults={"illegal_or_unethical": flagged, "note": note, "set_by": actor}
    )
    record_event(
        action="walkaway.flag",
        obj=flag,
        workspace_id=client.workspace_id,
        actor=actor,
        data={"illegal_or_unethical": flagged},
    )
    return flag


def record_decision(
    client: Client,
    outcome: str,
    reason: str,
    actor: User,
    proposed: str,
    assessment: dict[str, object],
) -> WalkAwayDecision:
    """Record what a person decided after the walk-away assessment, with the reason."""
    if outcome not in WalkAwayDecision.Outcome.values:
        raise ValidationError(f"Unknown outcome « {outcome} »")
    if not reason.strip():
        raise ValidationError("A decision needs its reason")
    decision = WalkAwayDecision.objects.create(
        client=client,
        outcome=outcome,
        proposed=proposed,
        reason=reason.strip(),
        assessment=assessment,
        decided_by=actor,
    )
    record_event(
        action="walkaway.decide",
        obj=decision,
        workspace_id=client.workspace_id,
        actor=actor,
        data={"outcome": outcome, "proposed": proposed},
    )
    return decision
