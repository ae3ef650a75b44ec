"""Compute, store and act on client health: scores, snapshots, alerts, walk-away decisions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accalmie.accounts.models import Role, Workspace
from accalmie.analysis import behaviour
from accalmie.analysis.behaviour import ClientRecords, Hit
from accalmie.analysis.health import Health, Snapshot, alerts_for, assess
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


def all_hits(records: ClientRecords, as_of: dt.datetime, config: HealthConfig) -> list[Hit]:
    """Return the behavioural hits and the text hits of one client as of `as_of`."""
    return behaviour.detect(records, as_of, config) + behaviour.text_hits_as_hits(
        records.text_hits, as_of
    )


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
    hits = all_hits(records, as_of, config)
    return assess(hits, as_of, config, recent_records(records, as_of)), hits


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


def _save_behaviour_hits(client: Client, hits: Iterable[Hit]) -> int:
    rows = [
        BehaviourHit(
            workspace_id=client.workspace_id,
            client_id=client.pk,
            signal=h.signal,
            key=h.key,
            occurred_at=h.at,
            severity=round(h.severity, 4),
            evidence=[list(r) for r in h.refs],
            figures=h.figures,
            explanation_fr=h.explanation.get("fr", ""),
            explanation_en=h.explanation.get("en", ""),
        )
        for h in hits
        if h.detector != "text"
    ]
    BehaviourHit.objects.filter(client_id=client.pk).delete()
    BehaviourHit.objects.bulk_create(rows)
    return len(rows)


def _recipients(client: Client, status: str) -> list[int]:
    ids = [client.account_manager_id] if client.account_manager_id else []
    if status == "critical" or not ids:
        ids += list(
            client.workspace.memberships.filter(role=Role.DIRECTOR).values_list(
                "user_id", flat=True
            )
        )
    return sorted(set(ids))


def _raise_alerts(
    client: Client, history: list[Snapshot], health: Health, config: HealthConfig
) -> int:
    raised = 0
    for decision in alerts_for(history, config):
        alert, created = Alert.objects.get_or_create(
            client=client,
            episode_key=decision.key,
            defaults={
                "workspace_id": client.workspace_id,
                "kind": decision.kind,
                "raised_on": history[-1].day,
                "status_from": decision.status_from,
                "status_to": decision.status_to,
                "score_from": round(decision.score_from, 1),
                "score_to": round(decision.score_to, 1),
                "reasons": reasons_of(health, limit=3),
            },
        )
        if created:
            alert.recipients.set(_recipients(client, decision.status_to))
            raised += 1
    return raised


def _store_snapshot(client: Client, health: Health, day: dt.date) -> None:
    HealthSnapshot.objects.update_or_create(
        client=client,
        day=day,
        defaults={
            "score": round(health.score, 2),
            "status": health.status,
            "confidence": round(health.confidence, 3),
            "dimensions": {k: round(v, 1) for k, v in health.dimensions.items()},
            "driver": health.driver,
            "reasons": reasons_of(health),
        },
    )


def history_of(client_id: int, before: dt.date | None = None) -> list[Snapshot]:
    snaps = HealthSnapshot.objects.filter(client_id=client_id).order_by("day")
    if before is not None:
        snaps = snaps.filter(day__lt=before)
    return [Snapshot(d, s, st) for d, s, st in snaps.values_list("day", "score", "status")]


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
    """
    now = as_of or timezone.now()
    result = RescoreResult()
    configs: dict[int, HealthConfig] = {}
    days = [now]
    monday = dt.datetime.combine(now.date() - dt.timedelta(days=now.weekday()), dt.time(), dt.UTC)
    for weeks in range(history_weeks, 0, -1):
        at = monday - dt.timedelta(weeks=weeks - 1)
        if at < now:
            days.insert(len(days) - 1, at)
    for start in range(0, len(clients), chunk):
        batch = clients[start : start + chunk]
        records = load_records([c.pk for c in batch])
        for client in batch:
            config = configs.setdefault(client.workspace_id, config_for(client.workspace_id))
            with transaction.atomic():
                history = history_of(client.pk, before=days[0].date())
                for at in days:
                    health, hits = score_records(records[client.pk], at, config)
                    _store_snapshot(client, health, at.date())
                    result.snapshots += 1
                    history = [s for s in history if s.day < at.date()]
                    history.append(Snapshot(at.date(), health.score, health.status))
                    result.alerts += _raise_alerts(client, history, health, config)
                result.behaviour_hits += _save_behaviour_hits(client, hits)
            result.clients += 1
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
