"""Read and check the demo stories (one TOML file per client, see stories/README.md)."""

from __future__ import annotations

import string
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

DEMO_WEEKS = 26
PLACEHOLDERS = frozenset(
    {"contact_first", "am_first", "project", "deliverable", "milestone", "weekday"}
)
SIGNAL_IDS = frozenset(
    {
        "contempt", "intimidation", "passive_aggression", "impoliteness", "blame_shifting",
        "transactional_shift", "supplier_framing", "manipulation", "negativity",
        "resistance_to_feedback", "unrealistic_expectations", "scope_creep", "direction_change",
        "revision_overrun", "micromanagement", "urgency_pressure", "out_of_hours",
        "non_response", "channel_bypass", "late_payment", "team_strain", "appreciation",
        "collaboration", "knowledge_sharing", "timely_feedback",
    }
)  # fmt: skip
TEAM_USERNAMES = frozenset({"demo", "claire", "hugo", "ines", "theo", "lucas", "nora"})


class StoryError(ValueError):
    """A story file does not follow the schema."""


@dataclass(frozen=True)
class Story:
    """One demo client's story, as written in its TOML file."""

    key: str
    data: dict[str, Any]

    @property
    def turning_point_week(self) -> int | None:
        value = self.data.get("turning_point_week")
        return int(value) if value is not None else None

    @property
    def recovery_week(self) -> int | None:
        value = self.data.get("recovery_week")
        return int(value) if value is not None else None

    @property
    def point_of_contact(self) -> dict[str, Any]:
        return next(c for c in self.data["contacts"] if c.get("point_of_contact"))

    def contact(self, key: str | None) -> dict[str, Any]:
        if key is None:
            return self.point_of_contact
        return next(c for c in self.data["contacts"] if c["key"] == key)


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def check_story(key: str, data: dict[str, Any]) -> list[str]:
    """Return what is wrong with a story (empty when it follows the schema)."""
    problems: list[str] = []
    for field in (
        "name",
        "language",
        "timezone",
        "domains",
        "account_manager",
        "contacts",
        "project",
        "contract",
        "phases",
        "pulses",
        "invoices",
    ):
        if field not in data:
            problems.append(f"missing `{field}`")
    if problems:
        return problems
    if data.get("key") != key:
        problems.append(f"key {data.get('key')!r} differs from the file name {key!r}")
    if data["language"] not in {"fr", "en"}:
        problems.append(f"language {data['language']!r} is neither fr nor en")
    users = {data["account_manager"], *data.get("team", [])}
    if not users <= TEAM_USERNAMES:
        problems.append(f"unknown team usernames: {sorted(users - TEAM_USERNAMES)}")
    contact_keys = {c["key"] for c in data["contacts"]}
    if sum(1 for c in data["contacts"] if c.get("point_of_contact")) != 1:
        problems.append("exactly one contact must be the point of contact")
    expected_start = 0
    for phase in data["phases"]:
        start, end = phase["weeks"]
        if start != expected_start or end <= start:
            problems.append(f"phase {phase['weeks']} does not follow week {expected_start}")
        expected_start = end
        for kind in ("inbound", "outbound", "calls"):
            for message in phase.get(kind, []):
                sender = message.get("from")
                if sender is not None and sender not in contact_keys:
                    problems.append(f"unknown contact {sender!r} in {kind}")
                for signal in message.get("signals", []):
                    if signal not in SIGNAL_IDS:
                        problems.append(f"unknown signal {signal!r}")
                for text in (
                    message.get("subject", ""),
                    message.get("body", ""),
                    message.get("summary", ""),
                ):
                    try:
                        unknown = _placeholders(text) - PLACEHOLDERS
                    except ValueError as exc:
                        problems.append(f"bad braces in {kind} text: {exc}")
                        continue
                    if unknown:
                        problems.append(f"unknown placeholders {sorted(unknown)} in {kind}")
        if not phase.get("inbound") and phase["inbound_per_week"][1] > 0:
            problems.append(f"phase {phase['weeks']} expects inbound mail but has none")
        if not phase.get("outbound"):
            problems.append(f"phase {phase['weeks']} has no outbound message")
    if expected_start != DEMO_WEEKS:
        problems.append(f"phases end at week {expected_start}, not {DEMO_WEEKS}")
    return problems


def load_stories() -> list[Story]:
    """Return every demo story, sorted by key; raise StoryError when one is malformed."""
    folder = resources.files("accalmie.demo") / "stories"
    stories = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        key = entry.name.removesuffix(".toml")
        data = tomllib.loads(entry.read_text(encoding="utf-8"))
        problems = check_story(key, data)
        if problems:
            raise StoryError(f"stories/{entry.name}: " + "; ".join(problems))
        stories.append(Story(key=key, data=data))
    return stories


def load_replies() -> dict[str, list[str]]:
    """Return the agency's short reply templates by language."""
    text = (resources.files("accalmie.demo") / "replies.toml").read_text(encoding="utf-8")
    return {lang: list(items) for lang, items in tomllib.loads(text).items()}
