"""Load the playbooks (data/playbooks/<id>.toml): what to do about a signal or an outcome."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Any

from accalmie.playbooks.formatting import language

LANGS = ("fr", "en")
OWNER_ROLES = ("account_manager", "director", "team_member")
KINDS = ("signal", "outcome")
# The text and behavioural warning signs of the taxonomy that have a playbook.
SIGNAL_PLAYBOOKS: tuple[str, ...] = (
    "contempt", "intimidation", "passive_aggression", "impoliteness", "blame_shifting",
    "supplier_framing", "manipulation", "negativity", "resistance_to_feedback",
    "unrealistic_expectations", "scope_creep", "direction_change", "micromanagement",
    "urgency_pressure", "non_response", "out_of_hours", "channel_bypass", "revision_overrun",
    "late_payment", "team_strain", "transactional_shift",
)  # fmt: skip
# The outcomes of the walk-away assessment.
OUTCOME_PLAYBOOKS: tuple[str, ...] = ("continue", "repair_plan", "prepare_exit")
MIN_ACTIONS, MAX_ACTIONS = 3, 6


class PlaybookError(ValueError):
    """A playbook file does not follow docs/playbooks.md."""


@dataclass(frozen=True)
class Action:
    """One step of a playbook, which a person can turn into a task."""

    id: str
    title: dict[str, str]
    why: dict[str, str]
    owner: str  # account_manager | director | team_member
    due_days: int  # days after the action is accepted
    template: str | None = None  # id of the reply draft it uses, if any

    def title_in(self, lang: str) -> str:
        return self.title[language(lang)]

    def why_in(self, lang: str) -> str:
        return self.why[language(lang)]

    def due_on(self, start: date) -> date:
        return start + timedelta(days=self.due_days)


@dataclass(frozen=True)
class Playbook:
    """What to do about one signal or one walk-away outcome, as ordered actions."""

    id: str
    kind: str  # signal | outcome
    title: dict[str, str]
    summary: dict[str, str]
    actions: tuple[Action, ...]

    def title_in(self, lang: str) -> str:
        return self.title[language(lang)]

    def summary_in(self, lang: str) -> str:
        return self.summary[language(lang)]

    def action(self, action_id: str) -> Action:
        for action in self.actions:
            if action.id == action_id:
                return action
        raise KeyError(f"playbook {self.id!r} has no action {action_id!r}")

    @property
    def templates(self) -> tuple[str, ...]:
        return tuple(a.template for a in self.actions if a.template)


def _texts(data: dict[str, Any], field: str, where: str) -> dict[str, str]:
    texts = {}
    for lang in LANGS:
        value = data.get(f"{field}_{lang}")
        if not isinstance(value, str) or not value.strip():
            raise PlaybookError(f"{where}: {field}_{lang} is missing or empty")
        texts[lang] = value.strip()
    return texts


def _action(data: dict[str, Any], where: str) -> Action:
    action_id = data.get("id")
    if not isinstance(action_id, str) or not action_id:
        raise PlaybookError(f"{where}: an action has no id")
    where = f"{where}, action {action_id}"
    owner = data.get("owner")
    if owner not in OWNER_ROLES:
        raise PlaybookError(f"{where}: owner must be one of {', '.join(OWNER_ROLES)}")
    due_days = data.get("due_days")
    if not isinstance(due_days, int) or isinstance(due_days, bool) or due_days < 0:
        raise PlaybookError(f"{where}: due_days must be a whole number of days, 0 or more")
    template = data.get("template")
    if template is not None and (not isinstance(template, str) or not template):
        raise PlaybookError(f"{where}: template must be a template id")
    return Action(
        id=action_id,
        title=_texts(data, "title", where),
        why=_texts(data, "why", where),
        owner=owner,
        due_days=due_days,
        template=template,
    )


def parse_playbook(data: dict[str, Any], name: str) -> Playbook:
    """Build a Playbook from one file's TOML table; `name` is the file's id."""
    if data.get("id") != name:
        raise PlaybookError(f"{name}.toml: id must be {name!r}")
    kind = data.get("kind")
    if kind not in KINDS:
        raise PlaybookError(f"{name}.toml: kind must be one of {', '.join(KINDS)}")
    raw_actions = data.get("actions") or []
    if not MIN_ACTIONS <= len(raw_actions) <= MAX_ACTIONS:
        raise PlaybookError(f"{name}.toml: {MIN_ACTIONS} to {MAX_ACTIONS} actions expected")
    actions = tuple(_action(a, f"{name}.toml") for a in raw_actions)
    ids = [a.id for a in actions]
    if len(set(ids)) != len(ids):
        raise PlaybookError(f"{name}.toml: action ids must be unique")
    return Playbook(
        id=name,
        kind=kind,
        title=_texts(data, "title", f"{name}.toml"),
        summary=_texts(data, "summary", f"{name}.toml"),
        actions=actions,
    )


@cache
def load_playbooks() -> dict[str, Playbook]:
    """Every playbook, by id, in the taxonomy's order then the outcomes'."""
    folder = resources.files("accalmie.playbooks") / "data" / "playbooks"
    found: dict[str, Playbook] = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".toml"):
            name = entry.name.removesuffix(".toml")
            found[name] = parse_playbook(tomllib.loads(entry.read_text("utf-8")), name)
    expected = (*SIGNAL_PLAYBOOKS, *OUTCOME_PLAYBOOKS)
    missing = [p for p in expected if p not in found]
    if missing:
        raise PlaybookError(f"missing playbooks: {', '.join(missing)}")
    ordered = {p: found.pop(p) for p in expected}
    ordered.update(sorted(found.items()))
    return ordered


def get_playbook(playbook_id: str) -> Playbook:
    try:
        return load_playbooks()[playbook_id]
    except KeyError:
        raise KeyError(f"no playbook {playbook_id!r}") from None
