"""Every threshold of the behavioural detectors and the health model, with its default.

A workspace overrides any of them with a plain dict (stored as JSON); `HealthConfig.with_overrides`
rejects unknown names and wrong types so a typo never silently falls back to a default.
The defaults and why they are what they are: docs/health.md.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

DIMENSIONS: tuple[str, ...] = (
    "respect",
    "scope",
    "communication",
    "finance",
    "team",
    "partnership",
)
STATUSES: tuple[str, ...] = ("healthy", "watch", "at_risk", "critical")


def _default_weights() -> dict[str, float]:
    return {
        "respect": 0.25,
        "scope": 0.15,
        "communication": 0.2,
        "finance": 0.15,
        "team": 0.15,
        "partnership": 0.1,
    }


def _default_signal_weights() -> dict[str, float]:
    # Points a hit of full strength takes off its dimension on the day it happens.
    return {
        "contempt": 14.0,
        "intimidation": 16.0,
        "passive_aggression": 7.0,
        "impoliteness": 6.0,
        "blame_shifting": 8.0,
        "manipulation": 9.0,
        "negativity": 5.0,
        "supplier_framing": 9.0,
        "resistance_to_feedback": 8.0,
        "transactional_shift": 16.0,
        "unrealistic_expectations": 9.0,
        "scope_creep": 7.0,
        "direction_change": 6.0,
        "revision_overrun": 12.0,
        "micromanagement": 6.0,
        "urgency_pressure": 5.0,
        "out_of_hours": 5.0,
        "non_response": 12.0,
        "channel_bypass": 6.0,
        "late_payment": 20.0,
        "team_strain": 14.0,
        "appreciation": 4.0,
        "collaboration": 4.0,
        "knowledge_sharing": 3.0,
        "timely_feedback": 3.0,
    }


def _default_signal_caps() -> dict[str, float]:
    return {"late_payment": 90.0, "team_strain": 90.0}


@dataclass(frozen=True)
class HealthConfig:
    """Thresholds of the detectors and the score; every field has a documented default."""

    # Business hours in the client's timezone: [start, end) hours, weekdays 0 = Monday.
    business_start_hour: int = 8
    business_end_hour: int = 20
    business_days: tuple[int, ...] = (0, 1, 2, 3, 4)
    # non_response: a reply is slow when it takes this many times the client's usual time
    # and at least `slow_reply_min_hours` business hours; usual = median of its earlier replies.
    slow_reply_factor: float = 4.0
    slow_reply_min_hours: float = 36.0
    usual_reply_hours: float = 24.0  # assumed until the client has answered 3 times
    # non_response trend: the median of the client's last `reply_trend_count` replies (all
    # within `reply_trend_days`) at least `reply_trend_factor` times the median of its earlier
    # ones (taken as at least `reply_trend_floor_hours`) and at least `reply_trend_min_hours`.
    reply_trend_count: int = 3
    reply_trend_days: int = 42
    reply_trend_factor: float = 3.0
    reply_trend_floor_hours: float = 8.0
    reply_trend_min_hours: float = 24.0
    unanswered_business_days: int = 5
    silence_factor: float = 2.5  # no inbound for this many times its usual gap…
    silence_min_days: int = 14  # …and at least this many days
    # Contact bursts (micromanagement by frequency): a week with this many times the usual
    # number of inbound messages and at least `burst_min_messages`; or a day with `burst_day`.
    burst_factor: float = 2.0
    burst_min_messages: int = 5
    burst_day_messages: int = 3
    # channel_bypass: a client message addressed to agency people but not to the agreed contact.
    bypass_min_recipients: int = 1
    # direction_change frequency: this many reversals within `direction_window_days`.
    direction_repeat: int = 2
    direction_window_days: int = 30
    # late_payment: days past due tolerated, days late at which a hit is at full strength,
    # and the least strength of a late payment (a first delay of a few days counts a little).
    late_grace_days: int = 2
    late_full_days: int = 45
    late_minor_severity: float = 0.25
    # team_strain: a week whose mean pulse is at most this (1–5 scale).
    strain_rating: float = 3.5
    # team_strain slide: the mean of the last `pulse_trend_weeks` weeks at least `pulse_slide`
    # below the mean of the weeks before (at least `pulse_baseline_weeks` of them).
    pulse_trend_weeks: int = 3
    pulse_baseline_weeks: int = 3
    pulse_slide: float = 0.75
    # transactional_shift: ratio of transactional markers over the recent window against before.
    # Consultative language is the engine's consultative markers plus its hits of
    # `shift_consultative_signals`; transactional, its markers plus `shift_transactional_signals`.
    shift_window_days: int = 28
    shift_min_transactional: int = 2
    shift_min_rise: float = 0.4
    shift_min_earlier: int = 3  # items before the window, so there is a habit to compare with
    shift_consultative_signals: tuple[str, ...] = ("collaboration", "knowledge_sharing")
    shift_transactional_signals: tuple[str, ...] = ("supplier_framing",)
    # Health: half-life of a hit's weight, and the cap on what good signs give back.
    half_life_days: float = 21.0
    good_lift_cap: float = 30.0
    # One signal alone takes at most about this many points off its dimension (saturation):
    # a dimension collapses only when several kinds of signs pile up.
    signal_cap: float = 45.0
    # Except for the signals that are the only evidence of their dimension (finance: late
    # payments; team: the pulse): with the common cap they could never take it below 55, so
    # money or a team at the end of its tether could never show as at risk.
    signal_caps: dict[str, float] = field(default_factory=_default_signal_caps)
    weights: dict[str, float] = field(default_factory=_default_weights)
    signal_weights: dict[str, float] = field(default_factory=_default_signal_weights)
    # Status thresholds: the overall score and the weakest dimension each give a status,
    # the worse of the two wins. (healthy ≥ a, watch ≥ b, at risk ≥ c, critical below)
    overall_thresholds: tuple[float, float, float] = (85.0, 70.0, 50.0)
    dimension_thresholds: tuple[float, float, float] = (80.0, 50.0, 25.0)
    # Broad slide: a client otherwise healthy is on watch when this many dimensions are below
    # `broad_slide_score` at the same time (small signs in several areas at once).
    broad_slide_dimensions: int = 2
    broad_slide_score: float = 88.0
    # Confidence: how many records in the last 90 days make a full-confidence score.
    confidence_records: int = 20
    # Alerts: a drop of this many points within `alert_window_days` raises one.
    alert_drop: float = 15.0
    alert_window_days: int = 14
    # An episode (a stretch below healthy) ends once the client is healthy for this many days.
    alert_recovery_days: int = 14
    # Walk-away: an indicator is met when its dimension is below `walkaway_dimension_below`
    # with evidence in `walkaway_min_weeks` distinct weeks of the last `walkaway_weeks`;
    # `walkaway_exit_indicators` indicators met propose preparing the exit.
    walkaway_weeks: int = 8
    walkaway_min_weeks: int = 3
    walkaway_dimension_below: float = 50.0
    walkaway_exit_indicators: int = 3

    def with_overrides(self, values: dict[str, Any] | None) -> HealthConfig:
        """Return a copy with `values` applied; raise ValueError on an unknown or bad value."""
        if not values:
            return self
        known = {f.name: f for f in dataclasses.fields(self)}
        changes: dict[str, Any] = {}
        for name, value in values.items():
            if name not in known:
                raise ValueError(f"unknown health setting « {name} »")
            current = getattr(self, name)
            if isinstance(current, dict):
                if not isinstance(value, dict):
                    raise ValueError(f"« {name} » must be a mapping")
                unknown = set(value) - set(current)
                if unknown:
                    raise ValueError(f"« {name} »: unknown keys {', '.join(sorted(unknown))}")
                merged = dict(current)
                merged.update({k: float(v) for k, v in value.items()})
                changes[name] = merged
            elif isinstance(current, tuple):
                if not isinstance(value, list | tuple):
                    raise ValueError(f"« {name} » must be a list")
                changes[name] = tuple(type(current[0])(v) for v in value)
            elif isinstance(current, bool | int | float):
                try:
                    changes[name] = type(current)(value)
                except (TypeError, ValueError) as exc:
                    raise ValueError(f"« {name} » must be a number") from exc
            else:  # pragma: no cover - every field is one of the above
                changes[name] = value
        config = dataclasses.replace(self, **changes)
        config.check()
        return config

    def check(self) -> None:
        """Raise ValueError when the values contradict each other."""
        if not 0 <= self.business_start_hour < self.business_end_hour <= 24:
            raise ValueError("business hours must satisfy 0 ≤ start < end ≤ 24")
        if self.half_life_days <= 0:
            raise ValueError("half_life_days must be positive")
        if self.signal_cap <= 0 or any(cap <= 0 for cap in self.signal_caps.values()):
            raise ValueError("signal_cap and signal_caps must be positive")
        counts = (
            self.reply_trend_count,
            self.pulse_trend_weeks,
            self.pulse_baseline_weeks,
            self.broad_slide_dimensions,
            self.walkaway_exit_indicators,
        )
        if min(counts) < 1 or self.reply_trend_factor <= 0:
            raise ValueError(
                "reply_trend_count, pulse_trend_weeks, pulse_baseline_weeks, "
                "broad_slide_dimensions and walkaway_exit_indicators are at least 1; "
                "reply_trend_factor is positive"
            )
        if sum(self.weights.values()) <= 0:
            raise ValueError("the dimension weights must not all be zero")
        for thresholds in (self.overall_thresholds, self.dimension_thresholds):
            if len(thresholds) != 3 or not thresholds[0] >= thresholds[1] >= thresholds[2]:
                raise ValueError("thresholds are three decreasing scores (healthy, watch, at risk)")

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


DEFAULT_CONFIG = HealthConfig()
