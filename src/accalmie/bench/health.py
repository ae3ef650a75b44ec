"""`accalmie bench health`: full and incremental health recomputation on the bench workspace.

- Full: every client of the workspace scored as of now with `recompute_clients` (behavioural
  detectors, score, snapshot, alerts, stored behavioural hits), as `accalmie rescore
  --history 0` does. The snapshots of the last weeks (`ensure_history`) are kept, so the
  alerts are decided against a real history.
- Incremental: what happens when one new message arrives, in the order the worker does it:
  `record_interaction` stores it with its participants and thread, `analyse_interactions`
  runs the signal engine on it and stores its hits, `recompute_client_ids` recomputes that
  client. Each trial uses another client of median size and one of the demo's client texts;
  the trial messages are deleted afterwards and their clients scored again.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accalmie.accounts.models import Workspace
from accalmie.clients.models import Client
from accalmie.comms.models import (
    Channel,
    Direction,
    Interaction,
    InteractionParticipant,
    Thread,
)
from accalmie.comms.services import ParticipantSpec, record_interaction, refresh_client_activity
from accalmie.detect.services import analyse_interactions
from accalmie.health.models import HealthSnapshot
from accalmie.health.services import recompute_client_ids, recompute_clients


def spread_ms(seconds: list[float]) -> dict[str, float]:
    """Median, 95th percentile and maximum of these durations, in milliseconds."""
    values = sorted(s * 1000 for s in seconds)
    if not values:
        return {"median": 0.0, "p95": 0.0, "max": 0.0}
    p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
    return {
        "median": round(statistics.median(values), 1),
        "p95": round(p95, 1),
        "max": round(values[-1], 1),
    }


def _clients(workspace: Workspace) -> list[Client]:
    return list(
        Client.objects.filter(workspace=workspace, is_archived=False)
        .select_related("workspace")
        .order_by("pk")
    )


def ensure_history(
    workspace: Workspace, weeks: int, progress: Callable[[str], None] | None = None
) -> dict[str, Any] | None:
    """Score the workspace weekly back `weeks` weeks unless it was; return the figures."""
    now = timezone.now()
    since = now.date() - dt.timedelta(weeks=weeks)
    have = (
        HealthSnapshot.objects.filter(client__workspace=workspace, day__gte=since)
        .values("day")
        .distinct()
        .count()
    )
    if have >= weeks:
        return None
    clients = _clients(workspace)
    if progress:
        progress(f"scoring {len(clients)} clients weekly over {weeks} weeks (once)…")
    started = time.perf_counter()
    result = recompute_clients(clients, as_of=now, history_weeks=weeks)
    seconds = time.perf_counter() - started
    return {
        "weeks": weeks,
        "seconds": round(seconds, 1),
        "snapshots": result.snapshots,
        "alerts": result.alerts,
    }


def full(workspace: Workspace) -> dict[str, Any]:
    """Recompute every client's health as of now; return the time and what it wrote."""
    clients = _clients(workspace)
    with CaptureQueriesContext(connection) as queries:
        started, cpu = time.perf_counter(), time.process_time()
        result = recompute_clients(clients, as_of=timezone.now())
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "clients": result.clients,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "clients_per_second": round(result.clients / seconds, 1) if seconds else 0.0,
        "queries": len(queries),
        "snapshots": result.snapshots,
        "behaviour_hits": result.behaviour_hits,
        "alerts": result.alerts,
    }


def _trial_clients(workspace: Workspace, count: int) -> list[tuple[Client, int]]:
    """Return `count` clients around the median size (interactions), with their size."""
    from django.db.models import Count

    rows = list(
        Client.objects.filter(workspace=workspace)
        .annotate(n=Count("interactions"))
        .order_by("n", "pk")
        .values_list("pk", "n")
    )
    middle = len(rows) // 2
    picked = rows[max(0, middle - count // 2) :][:count]
    by_pk = {c.pk: c for c in Client.objects.filter(pk__in=[p for p, _ in picked])}
    return [(by_pk[pk], n) for pk, n in picked]


def _texts(workspace: Workspace, count: int) -> list[tuple[str, str]]:
    """Return (subject, body) of client e-mails already in the workspace (demo texts)."""
    rows = list(
        Interaction.objects.filter(
            workspace=workspace, direction=Direction.FROM_CLIENT, channel=Channel.EMAIL
        )
        .order_by("pk")
        .values_list("subject", "body_text")[: count * 7 : 7]
    )
    return rows or [("Point d'étape", "Bonjour, pouvez-vous me rappeler aujourd'hui ? Merci.")]


def incremental(workspace: Workspace, trials: int) -> dict[str, Any]:
    """Time `trials` new messages through store → analyse → recompute; return the figures."""
    picked = _trial_clients(workspace, trials + 1)
    texts = _texts(workspace, trials + 1)
    store: list[float] = []
    analyse: list[float] = []
    score: list[float] = []
    total: list[float] = []
    cpu: list[float] = []
    query_counts: list[int] = []
    made: list[int] = []
    now = timezone.now()
    last_thread = Thread.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for n in range(trials + 1):  # the first trial warms the engine up and is not counted
        client, _size = picked[n % len(picked)]
        subject, body = texts[n % len(texts)]
        contact = client.contacts.prefetch_related("emails").first()
        participants = [
            ParticipantSpec(
                role=InteractionParticipant.Role.FROM,
                address=contact.primary_email if contact else "",
                name=contact.name if contact else "",
                contact_id=contact.pk if contact else None,
            )
        ]
        if client.account_manager_id:
            participants.append(
                ParticipantSpec(
                    role=InteractionParticipant.Role.TO, user_id=client.account_manager_id
                )
            )
        with CaptureQueriesContext(connection) as queries:
            c0 = time.process_time()
            t0 = time.perf_counter()
            interaction = record_interaction(
                workspace=workspace,
                client=client,
                channel=Channel.EMAIL,
                direction=Direction.FROM_CLIENT,
                occurred_at=now - dt.timedelta(minutes=trials + 1 - n),
                subject=subject,
                body_text=body,
                participants=participants,
                message_id=f"<bench-trial-{n}-{now.timestamp():.0f}@bench.example>",
                source="bench-trial",
                refresh_activity=False,
            )
            t1 = time.perf_counter()
            analyse_interactions([interaction])
            t2 = time.perf_counter()
            recompute_client_ids([client.pk])
            t3 = time.perf_counter()
            c3 = time.process_time()
        made.append(interaction.pk)
        if n == 0:
            continue
        store.append(t1 - t0)
        analyse.append(t2 - t1)
        score.append(t3 - t2)
        total.append(t3 - t0)
        cpu.append(c3 - c0)
        query_counts.append(len(queries))
    # Leave the workspace as it was: drop the trial messages, score their clients again.
    touched = sorted({c.pk for c, _ in picked})
    Interaction.objects.filter(pk__in=made).delete()
    Thread.objects.filter(pk__gt=last_thread, interactions__isnull=True).delete()
    refresh_client_activity(touched)
    recompute_client_ids(touched)
    sizes = [n for _c, n in picked]
    return {
        "trials": trials,
        "client_interactions_median": int(statistics.median(sizes)) if sizes else 0,
        "total_ms": spread_ms(total),
        "total_cpu_ms": spread_ms(cpu),
        "store_ms": spread_ms(store),
        "analyse_ms": spread_ms(analyse),
        "recompute_ms": spread_ms(score),
        "queries_median": int(statistics.median(query_counts)) if query_counts else 0,
    }


def run(
    workspace: Workspace,
    trials: int = 50,
    history_weeks: int = 13,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run both measures on the bench workspace; return the figures."""
    history = ensure_history(workspace, history_weeks, progress) if history_weeks else None
    if progress:
        progress("full recomputation…")
    result: dict[str, Any] = {"full": full(workspace)}
    if progress:
        progress(f"incremental: {trials} new messages…")
    result["incremental"] = incremental(workspace, trials)
    if history is not None:
        result["history"] = history
    return result
