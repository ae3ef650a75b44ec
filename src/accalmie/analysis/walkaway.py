"""The walk-away indicators: five patterns that say a relationship may have to end.

Each indicator is met or not, from the current health and the hits of the last weeks, and
carries the hits that show it. The outcome proposed is only a proposal: a person decides.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from accalmie.analysis.behaviour import Hit
from accalmie.analysis.health import Health
from accalmie.analysis.health_config import DEFAULT_CONFIG, HealthConfig

# indicator -> (dimension, signals that count as evidence)
INDICATORS: dict[str, tuple[str, frozenset[str]]] = {
    "persistent_disrespect": (
        "respect",
        frozenset(
            {
                "contempt",
                "intimidation",
                "passive_aggression",
                "impoliteness",
                "blame_shifting",
                "manipulation",
                "negativity",
            }
        ),
    ),
    "communication_breakdown": (
        "communication",
        frozenset({"non_response", "channel_bypass", "out_of_hours", "micromanagement"}),
    ),
    "unrealistic_expectations": (
        "scope",
        frozenset(
            {"unrealistic_expectations", "scope_creep", "direction_change", "revision_overrun"}
        ),
    ),
    "team_harm": ("team", frozenset({"team_strain"})),
    "financial_strain": ("finance", frozenset({"late_payment"})),
}
LABELS = {
    "persistent_disrespect": {"fr": "Manque de respect persistant", "en": "Persistent disrespect"},
    "communication_breakdown": {"fr": "Communication rompue", "en": "Communication breakdown"},
    "unrealistic_expectations": {
        "fr": "Attentes irréalistes chroniques",
        "en": "Chronically unrealistic expectations",
    },
    "team_harm": {"fr": "L'équipe en souffre", "en": "Harm to the team"},
    "financial_strain": {"fr": "Tension financière", "en": "Financial strain"},
}
OUTCOMES = ("continue", "repair_plan", "prepare_exit")


@dataclass(frozen=True)
class Indicator:
    key: str
    met: bool
    dimension_score: float
    weeks_with_evidence: int
    hits: tuple[Hit, ...]


@dataclass(frozen=True)
class WalkAway:
    indicators: tuple[Indicator, ...]
    illegal_or_unethical: bool
    proposed: str

    @property
    def met(self) -> list[Indicator]:
        return [i for i in self.indicators if i.met]


def assess_walkaway(
    health: Health,
    hits: list[Hit],
    illegal_or_unethical: bool = False,
    config: HealthConfig = DEFAULT_CONFIG,
) -> WalkAway:
    """Check the five indicators on the last `walkaway_weeks` weeks; propose an outcome.

    An indicator is met when its dimension is below `walkaway_dimension_below` and its
    evidence shows up in at least `walkaway_min_weeks` distinct weeks: persistent, not one
    bad day. Prepare the exit from `walkaway_exit_indicators` indicators met (or the manual
    flag), a repair plan from one.
    """
    min_weeks = config.walkaway_min_weeks
    dimension_below = config.walkaway_dimension_below
    since = health.as_of - dt.timedelta(weeks=config.walkaway_weeks)
    indicators = []
    for key, (dimension, signals) in INDICATORS.items():
        evidence = tuple(
            sorted(
                (h for h in hits if h.signal in signals and since <= h.at < health.as_of),
                key=lambda h: h.at,
                reverse=True,
            )
        )
        distinct = len({h.at.isocalendar()[:2] for h in evidence})
        score = health.dimensions.get(dimension, 100.0)
        indicators.append(
            Indicator(
                key, score < dimension_below and distinct >= min_weeks, score, distinct, evidence
            )
        )
    met = sum(i.met for i in indicators)
    if illegal_or_unethical or met >= config.walkaway_exit_indicators:
        proposed = "prepare_exit"
    elif met >= 1:
        proposed = "repair_plan"
    else:
        proposed = "continue"
    return WalkAway(tuple(indicators), illegal_or_unethical, proposed)
