"""The health of a relationship: six dimensions, an overall score, a status, and why.

Every hit (text or behavioural) belongs to one dimension (`signals.DIMENSIONS`). A warning
sign takes `signal_weights[signal] × severity` points off its dimension on the day it
happens, halved every `half_life_days` after; the points of one signal saturate at about
`signal_cap` (cap × (1 − e^(−raw/cap)); `signal_caps` for the signals that are alone in
their dimension). Good signs give points back to the partnership
dimension, at most `good_lift_cap`. Each dimension starts at 100 and stays within 0–100; the
overall score is their weighted mean. The status is the worse of the one the overall score
gives and the one the weakest dimension gives, so one collapsing dimension is never averaged
away; and a client otherwise healthy is on `watch` when `broad_slide_dimensions` dimensions
are below `broad_slide_score` at once (several small signs in different areas: driver
"broad"). Nothing here imports Django.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from accalmie.analysis.behaviour import Hit
from accalmie.analysis.health_config import DEFAULT_CONFIG, DIMENSIONS, STATUSES, HealthConfig
from accalmie.analysis.signals import DIMENSIONS as SIGNAL_DIMENSION
from accalmie.analysis.signals import GOOD_SIGNALS

GOOD = GOOD_SIGNALS | {"timely_feedback"}


@dataclass(frozen=True)
class Contribution:
    """What one signal did to one dimension: points (negative = took off) and its hits."""

    dimension: str
    signal: str
    points: float
    hits: tuple[Hit, ...]

    @property
    def refs(self) -> list[tuple[str, int]]:
        seen: dict[tuple[str, int], None] = {}
        for hit in sorted(self.hits, key=lambda h: h.at, reverse=True):
            for ref in hit.refs:
                seen.setdefault(ref, None)
        return list(seen)


@dataclass(frozen=True)
class Health:
    """The health of one client on one day."""

    as_of: dt.datetime
    score: float
    dimensions: dict[str, float]
    status: str
    confidence: float
    contributions: tuple[Contribution, ...] = ()
    driver: str = ""  # the dimension (or "overall") that set the status

    def explain(self, dimension: str | None = None, limit: int = 5) -> list[Contribution]:
        """Return what moved the overall score (or one dimension), largest first."""
        items = [c for c in self.contributions if dimension in (None, c.dimension)]
        if dimension is None:
            weights = DEFAULT_CONFIG.weights
            items.sort(key=lambda c: -abs(c.points) * weights.get(c.dimension, 0) * 6)
        else:
            items.sort(key=lambda c: -abs(c.points))
        return [c for c in items if abs(c.points) >= 0.5][:limit]

    def as_dict(self) -> dict[str, object]:
        return {
            "as_of": self.as_of.isoformat(),
            "score": round(self.score, 1),
            "status": self.status,
            "confidence": round(self.confidence, 2),
            "driver": self.driver,
            "dimensions": {k: round(v, 1) for k, v in self.dimensions.items()},
        }


def status_for(value: float, thresholds: Sequence[float]) -> str:
    """Return the status a score gives against (healthy, watch, at risk) thresholds."""
    for status, limit in zip(STATUSES, thresholds, strict=False):
        if value >= limit:
            return status
    return STATUSES[-1]


def worse(a: str, b: str) -> str:
    return a if STATUSES.index(a) >= STATUSES.index(b) else b


def decay(age_days: float, half_life_days: float) -> float:
    """Return the weight of evidence `age_days` old: 1 today, 1/2 after one half-life."""
    return 0.5 ** (max(age_days, 0.0) / half_life_days)


def assess(
    hits: Iterable[Hit],
    as_of: dt.datetime,
    config: HealthConfig = DEFAULT_CONFIG,
    records: int = 0,
) -> Health:
    """Score one client as of `as_of` from its hits; `records` counts its recent records."""
    negative: dict[str, dict[str, list[tuple[float, Hit]]]] = defaultdict(lambda: defaultdict(list))
    good: dict[str, list[tuple[float, Hit]]] = defaultdict(list)
    for hit in hits:
        if hit.at > as_of:  # ongoing signs (an unpaid invoice, a silence) are dated `as_of`
            continue
        dimension = SIGNAL_DIMENSION.get(hit.signal)
        if dimension is None:
            continue
        points = (
            config.signal_weights.get(hit.signal, 5.0)
            * hit.severity
            * decay((as_of - hit.at).total_seconds() / 86400, config.half_life_days)
        )
        if points < 0.05:
            continue
        if hit.signal in GOOD:
            good[hit.signal].append((points, hit))
        else:
            negative[dimension][hit.signal].append((points, hit))
    contributions: list[Contribution] = []
    scores: dict[str, float] = {}
    for dimension in DIMENSIONS:
        taken = 0.0
        for signal, items in negative[dimension].items():
            raw = sum(p for p, _ in items)
            cap = config.signal_caps.get(signal, config.signal_cap)
            points = cap * (1 - math.exp(-raw / cap))
            taken += points
            # Strongest evidence first: the first hit with a sentence explains the whole.
            strongest = tuple(h for _, h in sorted(items, key=lambda x: -x[0]))
            contributions.append(Contribution(dimension, signal, -points, strongest))
        given = 0.0
        if dimension == "partnership":
            total_good = sum(p for items in good.values() for p, _ in items)
            given = min(total_good, config.good_lift_cap, taken)
            for signal, items in good.items():
                share = sum(p for p, _ in items) / total_good if total_good else 0
                contributions.append(
                    Contribution(dimension, signal, given * share, tuple(h for _, h in items))
                )
        scores[dimension] = max(0.0, min(100.0, 100.0 - taken + given))
    total_weight = sum(config.weights.get(d, 0.0) for d in DIMENSIONS)
    overall = sum(scores[d] * config.weights.get(d, 0.0) for d in DIMENSIONS) / total_weight
    weakest = min(DIMENSIONS, key=lambda d: (scores[d], DIMENSIONS.index(d)))
    by_overall = status_for(overall, config.overall_thresholds)
    by_dimension = status_for(scores[weakest], config.dimension_thresholds)
    status = worse(by_overall, by_dimension)
    driver = weakest if by_dimension == status and status != "healthy" else "overall"
    # Several areas slipping at once, none collapsed yet: what a careful manager watches.
    slipping = [d for d in DIMENSIONS if scores[d] < config.broad_slide_score]
    if status == "healthy" and len(slipping) >= config.broad_slide_dimensions:
        status, driver = "watch", "broad"
    confidence = min(1.0, records / config.confidence_records) if config.confidence_records else 1
    return Health(
        as_of=as_of,
        score=overall,
        dimensions=scores,
        status=status,
        confidence=confidence,
        contributions=tuple(contributions),
        driver=driver if status != "healthy" else "",
    )


@dataclass(frozen=True)
class Snapshot:
    """A past score, for trends and alerts."""

    day: dt.date
    score: float
    status: str


@dataclass(frozen=True)
class AlertDecision:
    """An alert to raise: why, and the key of the episode it belongs to."""

    kind: str  # "status" or "drop"
    key: str
    status_from: str
    status_to: str
    score_from: float
    score_to: float
    extras: dict[str, object] = field(default_factory=dict)


def episode_start(
    history: Sequence[Snapshot], config: HealthConfig = DEFAULT_CONFIG
) -> dt.date | None:
    """Return the first day of the current stretch below `healthy`, or None when healthy.

    A stretch ends only once the client has been healthy for `alert_recovery_days`: one
    healthy week in the middle of a slide is not a new episode (and raises no new alert).
    """
    start = None
    healthy_since: dt.date | None = None
    for snap in history:
        if snap.status == "healthy":
            healthy_since = healthy_since or snap.day
            if (snap.day - healthy_since).days >= config.alert_recovery_days:
                start = None
        else:
            if healthy_since is not None and (
                (snap.day - healthy_since).days >= config.alert_recovery_days
            ):
                start = None
            healthy_since = None
            if start is None:
                start = snap.day
    if history and history[-1].status == "healthy":
        return None
    return start


def alerts_for(
    history: Sequence[Snapshot], config: HealthConfig = DEFAULT_CONFIG
) -> list[AlertDecision]:
    """Return the alerts the latest snapshot of `history` (oldest first) calls for.

    An episode is a stretch of days below `healthy`; its key is its first day, so crossing
    into each worse status and a sharp drop are each raised once per episode, however many
    times the scores are recomputed.
    """
    if len(history) < 2:
        return []
    latest = history[-1]
    start = episode_start(history, config)
    if start is None:
        return []
    previous = history[-2]
    found = []
    if STATUSES.index(latest.status) > STATUSES.index(previous.status):
        found.append(
            AlertDecision(
                "status",
                f"{start.isoformat()}:status:{latest.status}",
                previous.status,
                latest.status,
                previous.score,
                latest.score,
            )
        )
    window = [s for s in history if (latest.day - s.day).days <= config.alert_window_days]
    peak = max(window, key=lambda s: s.score)
    if peak.score - latest.score >= config.alert_drop:
        found.append(
            AlertDecision(
                "drop",
                f"{start.isoformat()}:drop",
                peak.status,
                latest.status,
                peak.score,
                latest.score,
                {"since": peak.day.isoformat()},
            )
        )
    return found


def trend(history: Sequence[Snapshot], today: dt.date, days: int) -> float | None:
    """Return the score change over `days` (latest minus the one closest to then)."""
    if not history:
        return None
    target = today - dt.timedelta(days=days)
    past = [s for s in history if s.day <= target]
    if not past:
        return None
    return history[-1].score - past[-1].score
