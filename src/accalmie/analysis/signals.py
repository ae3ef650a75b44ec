"""The text signals of the taxonomy (shared/PRODUCT.md) and their dimensions."""

from __future__ import annotations

# Signals detected from the text of one message, in the taxonomy's order.
TEXT_SIGNALS: tuple[str, ...] = (
    "contempt",
    "intimidation",
    "passive_aggression",
    "impoliteness",
    "blame_shifting",
    "supplier_framing",
    "manipulation",
    "negativity",
    "resistance_to_feedback",
    "unrealistic_expectations",
    "scope_creep",
    "direction_change",
    "micromanagement",
    "urgency_pressure",
    "appreciation",
    "collaboration",
    "knowledge_sharing",
)
GOOD_SIGNALS: frozenset[str] = frozenset({"appreciation", "collaboration", "knowledge_sharing"})
# Counted, not scored: the ratio over time makes the `transactional_shift` trend.
MARKERS: tuple[str, ...] = ("consultative", "transactional")

DIMENSIONS: dict[str, str] = {
    "contempt": "respect",
    "intimidation": "respect",
    "passive_aggression": "respect",
    "impoliteness": "respect",
    "blame_shifting": "respect",
    "manipulation": "respect",
    "negativity": "respect",
    "supplier_framing": "partnership",
    "resistance_to_feedback": "partnership",
    "transactional_shift": "partnership",
    "unrealistic_expectations": "scope",
    "scope_creep": "scope",
    "direction_change": "scope",
    "revision_overrun": "scope",
    "micromanagement": "communication",
    "urgency_pressure": "communication",
    "out_of_hours": "communication",
    "non_response": "communication",
    "channel_bypass": "communication",
    "late_payment": "finance",
    "team_strain": "team",
    "appreciation": "partnership",
    "collaboration": "partnership",
    "knowledge_sharing": "partnership",
    "timely_feedback": "partnership",
}
