"""What the client page, the `health` command and the walk-away page show, from stored rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from accalmie.analysis.health import Snapshot, trend
from accalmie.clients.models import Client
from accalmie.comms.models import Interaction
from accalmie.detect.models import SIGNAL_LABELS, SignalHit
from accalmie.finance.models import Invoice
from accalmie.health.models import BehaviourHit, HealthSnapshot
from accalmie.projects.models import RevisionRound
from accalmie.team.models import TeamPulse

TREND_DAYS = (7, 30, 90)


def dimension_labels() -> dict[str, str]:
    """Return the six dimensions' names in the active language."""
    return {
        "respect": _("Respect et ton"),
        "scope": _("Attentes et périmètre"),
        "communication": _("Communication"),
        "finance": _("Finances"),
        "team": _("Équipe"),
        "partnership": _("Partenariat"),
    }


def evidence_labels(
    client: Client, refs: set[tuple[str, int]]
) -> dict[tuple[str, int], dict[str, str]]:
    """Resolve (kind, id) evidence to a label and, where there is a page, its link."""
    slug = client.workspace.slug  # the client page sets the workspace it has already read
    out: dict[tuple[str, int], dict[str, str]] = {}
    ids: dict[str, list[int]] = {}
    for kind, pk in refs:
        ids.setdefault(kind, []).append(pk)
    urls: dict[int, str] = {}

    def interaction_url(pk: int) -> str:
        if pk not in urls:
            urls[pk] = reverse(
                "interaction-detail", kwargs={"workspace": slug, "interaction_id": pk}
            )
        return urls[pk]

    for pk, subject, at in Interaction.objects.filter(
        client=client, pk__in=ids.get("interaction", [])
    ).values_list("pk", "subject", "occurred_at"):
        out["interaction", pk] = {
            "label": f"{at:%d/%m/%Y} — {subject or '…'}",
            "url": interaction_url(pk),
        }
    client_url = reverse("client-detail", kwargs={"workspace": slug, "client_id": client.pk})
    for pk, number, due in Invoice.objects.filter(
        client=client, pk__in=ids.get("invoice", [])
    ).values_list("pk", "number", "due_on"):
        out["invoice", pk] = {
            "label": f"{number} ({due:%d/%m/%Y})",
            "url": client_url + "#invoices-h",
        }
    for pk, week, rating in TeamPulse.objects.filter(
        client=client, pk__in=ids.get("pulse", [])
    ).values_list("pk", "week", "rating"):
        out["pulse", pk] = {"label": f"{week:%d/%m} {rating}/5", "url": client_url + "#pulses-h"}
    for pk, on in RevisionRound.objects.filter(
        project__client=client, pk__in=ids.get("revision", [])
    ).values_list("pk", "requested_on"):
        out["revision", pk] = {"label": f"{on:%d/%m/%Y}", "url": client_url}
    for pk, interaction_id, text in SignalHit.objects.filter(
        client=client, pk__in=ids.get("hit", [])
    ).values_list("pk", "interaction_id", "evidence"):
        words = " … ".join(e.get("text", "") for e in text[:2])
        # The hit's own words, highlighted on the interaction page (`#hit-<id>`).
        url = f"{interaction_url(interaction_id)}#hit-{pk}"
        out["hit", pk] = {"label": f"« {words} »", "url": url}
    return out


def resolve_reasons(
    client: Client, reasons: list[dict[str, Any]], lang: str
) -> list[dict[str, Any]]:
    """Attach labels, links and the signal's name to stored reasons.

    An exchange is not listed beside a hit found in it: the hit's link lands on its words.
    """
    refs = {(kind, int(i)) for r in reasons for kind, i in r.get("refs", [])}
    labels = evidence_labels(client, refs)
    resolved = []
    for r in reasons:
        found = [
            (kind, int(i), labels[kind, int(i)])
            for kind, i in r.get("refs", [])
            if (kind, int(i)) in labels  # gone since (deleted record): not shown
        ]
        hit_pages = {label["url"].partition("#")[0] for kind, _pk, label in found if kind == "hit"}
        items = [
            {"kind": kind, "id": pk, **label}
            for kind, pk, label in found
            if not (kind == "interaction" and label["url"] in hit_pages)
        ]
        resolved.append(
            {
                **r,
                "label": str(SIGNAL_LABELS.get(r["signal"], r["signal"])),
                "text": (r.get("explanation") or {}).get(lang, ""),
                "refs": items,
            }
        )
    return resolved


def alert_reasons(reasons: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """Return an alert's stored reasons with the signal's name and sentence, for display."""
    return [
        {
            "label": str(SIGNAL_LABELS.get(r["signal"], r["signal"])),
            "points": r.get("points", 0),
            "text": (r.get("explanation") or {}).get(lang, ""),
        }
        for r in reasons
    ]


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def client_health(
    client: Client,
    today: dt.date,
    lang: str = "fr",
    snapshots: Sequence[HealthSnapshot] | None = None,
) -> dict[str, Any]:
    """Return the latest score of a client with its dimensions, trends and resolved reasons.

    `snapshots`: the client's snapshots by day, when the caller has read them already.
    """
    snaps = (
        list(snapshots)
        if snapshots is not None
        else list(HealthSnapshot.objects.filter(client=client).order_by("day"))
    )
    if not snaps:
        return {"score": None, "status": None, "dimensions": {}, "reasons": [], "trend": {}}
    latest = snaps[-1]
    history = [Snapshot(s.day, s.score, s.status) for s in snaps]
    return {
        "client": client.name,
        "day": latest.day,
        "score": latest.score,
        "status": latest.status,
        "confidence": latest.confidence,
        "driver": latest.driver,
        "dimensions": latest.dimensions,
        "trend": {days: _rounded(trend(history, latest.day, days)) for days in TREND_DAYS},
        "history": [
            {"day": s.day, "score": round(s.score), "status": s.status} for s in snaps[-14:]
        ],
        "reasons": resolve_reasons(client, latest.reasons, lang),
    }


def health_context(
    client: Client, lang: str, snapshots: Sequence[HealthSnapshot] | None = None
) -> dict[str, Any]:
    """Return what the client page's health card shows (`snapshots`: as in client_health)."""
    from accalmie.health.models import Status

    today = dt.date.today()  # noqa: DTZ011 - calendar day
    data = client_health(client, today, lang[:2], snapshots)
    if data["score"] is None:
        return data
    data["signs"] = BehaviourHit.objects.filter(client=client).count()  # the signs page link
    labels = dimension_labels()
    data["status_label"] = Status(data["status"]).label
    data["confidence_pct"] = round(100 * data["confidence"])
    data["dimension_rows"] = [(labels.get(k, k), v) for k, v in data["dimensions"].items()]
    return data
