"""The portfolio dashboard and the client page's health chart, from stored health rows.

The dashboard lists the clients a member may see, worst first (status, then score), one page
at a time. Its number of SQL queries does not depend on the number of clients: the latest
snapshot of each client is read by correlated subqueries in the one listing query (which
also filters by status and by a signal among the stored reasons), and the sparklines,
reasons and open alerts of the page's clients by one query each.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accalmie.accounts.access import visible_clients
from accalmie.accounts.models import Membership
from accalmie.analysis.signals import GOOD_SIGNALS
from accalmie.clients.models import Client
from accalmie.detect.models import SIGNAL_LABELS
from accalmie.detect.templatetags.signals import _dismissed
from accalmie.health.models import Alert, HealthSnapshot, Status
from accalmie.health.views_support import dimension_labels

PAGE_SIZE = 50
TREND_DAYS = 90
REASONS_SHOWN = 3
REASONS_STORED = 10  # health.services.reasons_of stores the top 5; a margin for a change
SEARCH_MAX = 100
# Worst first; a client with no score yet comes last.
STATUS_RANK = {"critical": 0, "at_risk": 1, "watch": 2, "healthy": 3}
NO_STATUS_RANK = 4


# -- filters --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What the dashboard's GET form asks for; unknown values are ignored, never an error."""

    status: str = ""
    manager: int | None = None
    signal: str = ""
    q: str = ""

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> Filters:
        status = query.get("status", "")
        signal = query.get("signal", "")
        manager_raw = query.get("manager", "")
        # ASCII digits only ("²".isdigit() is true) and no more than a database id can hold.
        manager = (
            int(manager_raw)
            if manager_raw.isascii() and manager_raw.isdigit() and len(manager_raw) <= 18
            else None
        )
        return cls(
            status=status if status in STATUS_RANK or status == "none" else "",
            manager=manager,
            signal=signal if signal in SIGNAL_LABELS else "",
            q=query.get("q", "").strip()[:SEARCH_MAX],
        )

    @property
    def active(self) -> bool:
        return bool(self.status or self.manager or self.signal or self.q)


# -- sparklines -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Sparkline:
    """A small line of scores over a period, as SVG coordinates (0–100 maps to the height)."""

    points: str  # the polyline's "x,y x,y …"
    last_x: float
    last_y: float
    first: float
    last: float
    lowest: float
    width: int
    height: int

    @property
    def change(self) -> float:
        return self.last - self.first


def sparkline(
    values: Sequence[tuple[dt.date, float]],
    start: dt.date,
    end: dt.date,
    width: int = 120,
    height: int = 32,
    pad: float = 3.0,
) -> Sparkline | None:
    """Place (day, score) values between `start` and `end` on a width × height box.

    The vertical scale is always 0–100, so that two clients' lines compare honestly.
    Returns None when there is nothing to draw.
    """
    values = sorted((d, s) for d, s in values if start <= d <= end)
    if not values:
        return None
    span = max((end - start).days, 1)
    inner_w, inner_h = width - 2 * pad, height - 2 * pad

    def xy(day: dt.date, score: float) -> tuple[float, float]:
        x = pad + inner_w * (day - start).days / span
        y = pad + inner_h * (1 - max(0.0, min(100.0, score)) / 100)
        return round(x, 1), round(y, 1)

    coords = [xy(d, s) for d, s in values]
    if len(coords) == 1:  # one day: a short flat line, so that it can be seen
        x, y = coords[0]
        coords = [(max(pad, x - 4), y), (x, y)]
    scores = [s for _, s in values]
    return Sparkline(
        points=" ".join(f"{x},{y}" for x, y in coords),
        last_x=coords[-1][0],
        last_y=coords[-1][1],
        first=scores[0],
        last=scores[-1],
        lowest=min(scores),
        width=width,
        height=height,
    )


def spark_svg(spark: Sparkline, label: str) -> str:
    """Return the sparkline as an inline <svg> image named `label` (escaped, safe to print).

    Everything but the label is numbers (the points are "x,y" pairs of floats).
    """
    w, h = spark.width, spark.height
    return mark_safe(  # noqa: S308 - numbers and an escaped label
        f'<svg class="spark" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" '
        f'aria-label="{escape(label)}"><line class="spark-mid" x1="0" x2="{w}" y1="50%" '
        f'y2="50%"/><polyline points="{spark.points}"/><circle cx="{spark.last_x}" '
        f'cy="{spark.last_y}" r="2.5"/></svg>'
    )


def reasons_html(reasons: Sequence[Reason]) -> str:
    """Return the reasons as the dashboard's <ul class="reasons"> (escaped, safe to print)."""
    if not reasons:
        return ""
    items = "".join(
        f"<li><strong>{conditional_escape(r.label)}</strong> — "
        + (
            f'<span class="muted">{conditional_escape(r.text)}</span>'
            if r.counted
            else str(conditional_escape(r.text))
        )
        + "</li>"
        for r in reasons
    )
    return mark_safe(f'<ul class="reasons">{items}</ul>')  # noqa: S308 - escaped above


# -- the dashboard --------------------------------------------------------------------------


@dataclass
class Reason:
    signal: str
    label: str
    text: str
    points: float
    hits: int = 0
    counted: bool = False  # `text` says how many passages, there being no explanation


@dataclass
class Row:
    client: Client
    status: str | None
    score: float | None
    day: dt.date | None = None
    spark: Sparkline | None = None
    reasons: list[Reason] = field(default_factory=list)
    open_alerts: int = 0
    # Ready to print: the template does as little as it can per row (50 rows a page).
    url: str = ""
    manager: str = ""
    status_key: str = "none"  # the CSS class and data-status of the row's status
    status_label: str = ""
    score_text: str = ""  # the score, as `floatformat:0` prints it
    spark_label: str = ""
    spark_svg: str = ""  # the sparkline's <svg> element, escaped
    change_text: str = ""  # "+3", "-12", "0": the change over the sparkline's period
    change_class: str = ""  # "down", "up" or "" for a change within ±2 points
    last_iso: str = ""  # the last exchange, as <time datetime> wants it
    last_text: str = ""  # the last exchange's day in the active language
    reasons_html: str = ""  # the reasons' <ul>, escaped


@dataclass
class Dashboard:
    page: Page
    rows: list[Row]
    filters: Filters
    managers: list[Any]
    total: int


def _latest(field_name: str) -> Subquery:
    return Subquery(
        HealthSnapshot.objects.filter(client=OuterRef("pk")).order_by("-day").values(field_name)[:1]
    )


def ranked_clients(membership: Membership) -> QuerySet[Any]:
    """Return the visible clients with their latest status and score, worst first."""
    return (
        visible_clients(membership)
        .filter(is_archived=False)
        .select_related("account_manager")
        .annotate(
            health_status=_latest("status"),
            health_score=_latest("score"),
            health_snapshot_id=_latest("pk"),
        )
        .annotate(
            risk_rank=Case(
                *(When(health_status=s, then=Value(r)) for s, r in STATUS_RANK.items()),
                default=Value(NO_STATUS_RANK),
                output_field=IntegerField(),
            )
        )
        .order_by("risk_rank", F("health_score").asc(nulls_last=True), "name", "pk")
    )


def _latest_reasons_name(signal: str) -> Q:
    """The condition "one of the snapshot's stored reasons is `signal`".

    A key lookup per position of the reasons list (`reasons__0__signal`…), which Django
    writes for SQLite (JSON_EXTRACT) and PostgreSQL (->) alike.
    """
    condition = Q()
    for position in range(REASONS_STORED):
        condition |= Q(**{f"reasons__{position}__signal": signal})
    return condition


def open_alerts(today: dt.date) -> Q:
    """The condition of an alert that still asks for attention today."""
    return Q(acknowledged_at__isnull=True) & (
        Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=today)
    )


def reason_text(reason: Mapping[str, Any], lang: str) -> Reason:
    """Put a stored reason in words: the signal's name and, when stored, its explanation."""
    signal = str(reason.get("signal", ""))
    explanation = reason.get("explanation") or {}
    text = explanation.get(lang) or explanation.get("fr", "")
    hits = int(reason.get("hits", 0))
    counted = not text and hits > 0
    if counted:
        text = ngettext("%(n)s passage relevé", "%(n)s passages relevés", hits) % {"n": hits}
    return Reason(
        signal=signal,
        label=str(SIGNAL_LABELS.get(signal, signal)),
        text=text,
        points=float(reason.get("points", 0)),
        hits=hits,
        counted=counted,
    )


def manager_choices(membership: Membership) -> list[Any]:
    """Return the account managers of the clients this member sees, by name."""
    user_model = get_user_model()
    return list(
        user_model.objects.filter(managed_clients__in=visible_clients(membership).values("pk"))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def build_dashboard(
    membership: Membership,
    filters: Filters,
    page_number: str | int | None,
    lang: str,
    today: dt.date,
) -> Dashboard:
    """Return one page of the dashboard: ranked, filtered rows with their sparklines."""
    clients = ranked_clients(membership)
    if filters.q:
        clients = clients.filter(name__icontains=filters.q)
    if filters.manager:
        clients = clients.filter(account_manager_id=filters.manager)
    if filters.status == "none":
        clients = clients.filter(health_status__isnull=True)
    elif filters.status:
        clients = clients.filter(health_status=filters.status)
    if filters.signal:
        clients = clients.filter(
            Exists(
                HealthSnapshot.objects.filter(
                    _latest_reasons_name(filters.signal), pk=OuterRef("health_snapshot_id")
                )
            )
        )
    page = Paginator(clients, PAGE_SIZE).get_page(page_number)
    page_clients = list(page.object_list)
    slug = membership.workspace.slug
    not_scored = _("Pas encore calculée")
    no_manager = _("Sans chargé·e de compte")
    labels = {value: str(label) for value, label in Status.choices}
    rows = []
    for c in page_clients:
        row = Row(
            client=c,
            status=c.health_status,
            score=c.health_score,
            url=reverse("client-detail", kwargs={"workspace": slug, "client_id": c.pk}),
            manager=(
                (c.account_manager.get_full_name() or c.account_manager.get_username())
                if c.account_manager
                else no_manager
            ),
            status_key=c.health_status or "none",
            status_label=labels.get(c.health_status, not_scored),
            score_text="" if c.health_score is None else str(floatformat(c.health_score, 0)),
        )
        if c.last_interaction_at:
            last = c.last_interaction_at
            if timezone.is_aware(last):
                last = timezone.localtime(last)
            row.last_iso = last.isoformat()
            row.last_text = date_format(last, "DATE_FORMAT")
        rows.append(row)
    by_id = {row.client.pk: row for row in rows}
    snapshot_ids = [c.health_snapshot_id for c in page_clients if c.health_snapshot_id]
    if snapshot_ids:
        latest = {
            cid: (day, reasons)
            for cid, day, reasons in HealthSnapshot.objects.filter(pk__in=snapshot_ids)
            .order_by()
            .values_list("client_id", "day", "reasons")
        }
        oldest_latest = min(day for day, _ in latest.values())
        series: dict[int, list[tuple[dt.date, float]]] = defaultdict(list)
        for cid, day, score in (
            HealthSnapshot.objects.filter(
                client_id__in=list(latest), day__gte=oldest_latest - dt.timedelta(days=TREND_DAYS)
            )
            .order_by()  # the sparkline sorts; the model's ordering would join the clients
            .values_list("client_id", "day", "score")
        ):
            series[cid].append((day, score))
        for cid, (day, reasons) in latest.items():
            row = by_id[cid]
            row.day = day
            row.spark = sparkline(series[cid], day - dt.timedelta(days=TREND_DAYS), day)
            if row.spark:
                row.spark_label = _(
                    "Score sur 90 jours : de %(first)s à %(last)s, au plus bas %(low)s"
                ) % {
                    "first": round(row.spark.first),
                    "last": round(row.spark.last),
                    "low": round(row.spark.lowest),
                }
                row.spark_svg = spark_svg(row.spark, row.spark_label)
                change = row.spark.change
                row.change_text = ("+" if change > 0 else "") + str(floatformat(change, 0))
                row.change_class = "down" if change < -2 else "up" if change > 2 else ""
            harmful = [r for r in reasons if float(r.get("points", 0)) < 0]
            row.reasons = [reason_text(r, lang) for r in harmful[:REASONS_SHOWN]]
            row.reasons_html = reasons_html(row.reasons)
    if rows:
        for cid, n in (
            Alert.objects.filter(open_alerts(today), client_id__in=list(by_id))
            .values("client_id")
            .annotate(n=Count("pk"))
            .values_list("client_id", "n")
        ):
            by_id[cid].open_alerts = n
    return Dashboard(
        page=page,
        rows=rows,
        filters=filters,
        managers=manager_choices(membership),
        total=page.paginator.count,
    )


# -- the client page's chart -----------------------------------------------------------------

# One colour and one dash pattern per line, so that colour is never the only cue; every
# colour has at least 3:1 against white (WCAG 1.4.11, graphics).
SERIES_STYLE = {
    "overall": ("#1d2430", ""),
    "respect": ("#b3261e", "6 3"),
    "scope": ("#8a4b00", "2 3"),
    "communication": ("#1f5fa8", "8 3 2 3"),
    "finance": ("#5b3ea8", "4 4"),
    "team": ("#1f6b35", "1 3"),
    "partnership": ("#6b5b00", "10 4"),
}


def health_series(snapshots: Sequence[HealthSnapshot]) -> dict[str, Any]:
    """Return the overall score and each dimension over time, for the chart and its table."""
    labels = {"overall": _("Score global"), **dimension_labels()}
    keys = ["overall"] + [k for k in labels if k != "overall"]
    present = [k for k in keys if k == "overall" or any(k in s.dimensions for s in snapshots)]
    rows = []
    for s in snapshots:
        values: dict[str, int | None] = {"overall": round(s.score)}
        for k in present[1:]:
            v = s.dimensions.get(k)
            values[k] = None if v is None else round(v)
        rows.append({"day": s.day, "status": s.status, "values": [values[k] for k in present]})
    return {
        "keys": present,
        "labels": [labels[k] for k in present],
        "styles": [SERIES_STYLE[k] for k in present],
        "rows": rows,
    }


def chart_svg_lines(
    series: Mapping[str, Any], width: int = 640, height: int = 220, pad: int = 28
) -> list[dict[str, Any]]:
    """Return one SVG polyline per series of `health_series`, on a 0–100 vertical scale."""
    rows = series["rows"]
    if not rows:
        return []
    start, end = rows[0]["day"], rows[-1]["day"]
    span = max((end - start).days, 1)
    inner_w, inner_h = width - 2 * pad, height - 2 * pad
    lines = []
    for index, key in enumerate(series["keys"]):
        coords = []
        for row in rows:
            value = row["values"][index]
            if value is None:
                continue
            x = pad + inner_w * (row["day"] - start).days / span
            y = pad + inner_h * (1 - value / 100)
            coords.append(f"{x:.1f},{y:.1f}")
        colour, dash = series["styles"][index]
        lines.append(
            {
                "key": key,
                "label": series["labels"][index],
                "points": " ".join(coords),
                "colour": colour,
                "dash": dash,
                "width": 3 if key == "overall" else 1.5,
            }
        )
    return lines


def chart_json(series: Mapping[str, Any]) -> dict[str, Any]:
    """Return the chart's data for uPlot: x as Unix seconds, one list per series."""
    rows = series["rows"]
    xs = [int(dt.datetime.combine(r["day"], dt.time(12), dt.UTC).timestamp()) for r in rows]
    return {
        "x_label": _("Jour"),
        "x": xs,
        "series": [
            {
                "key": key,
                "label": series["labels"][i],
                "colour": series["styles"][i][0],
                "dash": [int(n) for n in series["styles"][i][1].split()],
                "values": [r["values"][i] for r in rows],
            }
            for i, key in enumerate(series["keys"])
        ],
    }


# -- the client page's timeline ----------------------------------------------------------------


@dataclass
class TimelineHit:
    url: str
    label: str
    good: bool
    dismissed: bool  # a person marked the hit wrong


@dataclass
class TimelineEntry:
    """One exchange of the client page's timeline, ready to print (25 a page)."""

    interaction: Any
    url: str
    when_iso: str
    when_text: str
    channel: str
    direction_label: str
    sender: str
    hits: list[TimelineHit]
    excerpt: str


def timeline_entries(page: Iterable[Any], workspace_slug: str) -> list[TimelineEntry]:
    """Put a page of exchanges (participants and hits with their feedback prefetched) in words."""
    names = {k: str(v) for k, v in SIGNAL_LABELS.items()}
    entries: list[TimelineEntry] = []
    interactions = list(page)  # a page's queryset keeps these rows: not read again
    if not interactions:
        return entries
    meta = interactions[0]._meta
    # What get_channel_display() and get_direction_display() say, looked up once a page.
    channels = {k: str(v) for k, v in meta.get_field("channel").flatchoices}
    directions = {k: str(v) for k, v in meta.get_field("direction").flatchoices}
    for it in interactions:
        url = reverse(
            "interaction-detail", kwargs={"workspace": workspace_slug, "interaction_id": it.pk}
        )
        when = it.occurred_at
        if timezone.is_aware(when):
            when = timezone.localtime(when)
        entries.append(
            TimelineEntry(
                interaction=it,
                url=url,
                when_iso=when.isoformat(),
                when_text=date_format(when, "DATETIME_FORMAT"),
                channel=channels.get(it.channel, it.channel),
                direction_label=directions.get(it.direction, it.direction),
                sender="".join(p.display_name for p in it.participants.all() if p.role == "from"),
                hits=[
                    TimelineHit(
                        url=f"{url}#hit-{hit.pk}",
                        label=names.get(hit.signal, hit.signal),
                        good=hit.signal in GOOD_SIGNALS,
                        dismissed=_dismissed(hit),
                    )
                    for hit in it.hits.all()
                ],
                excerpt=Truncator(it.body_text).chars(220),
            )
        )
    return entries
