"""Choose the playbooks that fit a client's situation, each with a reason naming the figures.

The rules are data (data/rules.toml): each names a playbook, a severity that ranks it, the
conditions that trigger it and the figures its reason also mentions. A condition compares one
figure of the situation with a value: `hits:scope_creep >= 2`, `score:team <= 50`,
`status >= critical`, `walk_away == prepare_exit`, `revision_rounds_over >= 1`.
See docs/playbooks.md.
"""

from __future__ import annotations

import operator
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from accalmie.playbooks.catalog import Playbook, PlaybookError, load_playbooks
from accalmie.playbooks.formatting import language, plural

STATUSES = ("healthy", "watch", "at_risk", "critical")
DIMENSIONS = ("respect", "scope", "communication", "finance", "team", "partnership")
OUTCOMES = ("continue", "repair_plan", "prepare_exit")
# Figures that are not `hits:<signal>` or `score:<dimension>`.
PLAIN_FIGURES = (
    "status", "walk_away", "revision_rounds_over", "overdue_invoices", "days_overdue",
    "no_single_contact", "no_termination_clause", "notice_days", "payment_terms_days",
)  # fmt: skip
OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "==": operator.eq,
}
_CONDITION = re.compile(r"^\s*([a-z_]+(?::[a-z_]+)?)\s*(>=|<=|==|>|<)\s*([a-z_0-9]+)\s*$")


@dataclass(frozen=True)
class ContractFacts:
    """What the project's contract says, as far as the rules care."""

    revision_rounds_allowed: int | None = None
    revision_rounds_used: int = 0
    has_termination_clause: bool = False
    notice_days: int | None = None
    has_single_point_of_contact: bool = False
    payment_terms_days: int | None = None


@dataclass(frozen=True)
class Situation:
    """A client's current state, as plain values (filled from the database by the caller).

    `hits` counts each signal's hits over the last `window_days` days, leaving out the hits a
    person marked wrong; `scores` holds the 0–100 score of each health dimension.
    """

    hits: Mapping[str, int] = field(default_factory=dict)
    window_days: int = 30
    status: str = "healthy"  # healthy | watch | at_risk | critical
    scores: Mapping[str, int] = field(default_factory=dict)
    contract: ContractFacts | None = None
    walk_away: str | None = None  # continue | repair_plan | prepare_exit | None
    lang: str = "fr"
    overdue_invoices: int = 0  # invoices past their due date and still unpaid
    days_overdue: int = 0  # days past due of the oldest of them

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}")
        if self.walk_away is not None and self.walk_away not in OUTCOMES:
            raise ValueError(f"walk_away must be None or one of {', '.join(OUTCOMES)}")


@dataclass(frozen=True)
class Recommendation:
    """A playbook chosen for a situation, and why (in French and English)."""

    playbook: Playbook
    reason: dict[str, str]
    severity: int
    figures: tuple[str, ...]  # the figures the reason names, triggers first

    @property
    def playbook_id(self) -> str:
        return self.playbook.id

    def reason_in(self, lang: str) -> str:
        return self.reason[language(lang)]


@dataclass(frozen=True)
class Condition:
    figure: str
    op: str
    value: int | str

    def holds(self, figures: Mapping[str, int | str]) -> bool:
        if self.figure not in figures:
            return False  # unknown (no score yet, no contract): never triggers
        actual, expected = figures[self.figure], self.value
        if self.figure == "status":
            actual, expected = STATUSES.index(str(actual)), STATUSES.index(str(expected))
        elif self.figure == "walk_away" and self.op != "==":
            return False
        return bool(OPERATORS[self.op](actual, expected))


@dataclass(frozen=True)
class Rule:
    playbook: str
    severity: int
    any: tuple[Condition, ...]
    all: tuple[Condition, ...]
    mention: tuple[str, ...]

    def triggers(self, figures: Mapping[str, int | str]) -> list[str] | None:
        """The figures that made the rule fire, or None when it does not."""
        if not all(c.holds(figures) for c in self.all):
            return None
        fired = [c.figure for c in self.any if c.holds(figures)]
        if self.any and not fired:
            return None
        return [c.figure for c in self.all] + fired


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    notable_score: int
    phrases: Mapping[str, Any]


# -- loading -----------------------------------------------------------------------------------


def _check_figure(figure: str) -> None:
    kind, _, name = figure.partition(":")
    if kind == "hits" and name:
        return
    if kind == "score" and name in DIMENSIONS:
        return
    if not name and kind in PLAIN_FIGURES:
        return
    raise PlaybookError(f"rules.toml: unknown figure {figure!r}")


def parse_condition(text: str) -> Condition:
    match = _CONDITION.match(text)
    if not match:
        raise PlaybookError(f"rules.toml: cannot read condition {text!r}")
    figure, op, raw = match.groups()
    _check_figure(figure)
    value: int | str = int(raw) if raw.isdigit() else raw
    if figure == "status" and value not in STATUSES:
        raise PlaybookError(f"rules.toml: {text!r}: status is one of {', '.join(STATUSES)}")
    if figure == "walk_away" and (value not in OUTCOMES or op != "=="):
        raise PlaybookError(f"rules.toml: {text!r}: write walk_away == <outcome>")
    if figure not in ("status", "walk_away") and not isinstance(value, int):
        raise PlaybookError(f"rules.toml: {text!r}: the value must be a whole number")
    return Condition(figure, op, value)


def parse_rules(data: Mapping[str, Any], playbooks: Mapping[str, Playbook]) -> RuleSet:
    rules = []
    for raw in data.get("rules", []):
        playbook = raw.get("playbook")
        if playbook not in playbooks:
            raise PlaybookError(f"rules.toml: unknown playbook {playbook!r}")
        conditions_any = tuple(parse_condition(c) for c in raw.get("any", []))
        conditions_all = tuple(parse_condition(c) for c in raw.get("all", []))
        if not conditions_any and not conditions_all:
            raise PlaybookError(f"rules.toml: the rule for {playbook} has no condition")
        mention = tuple(raw.get("mention", []))
        for figure in mention:
            _check_figure(figure)
        rules.append(Rule(playbook, int(raw["severity"]), conditions_any, conditions_all, mention))
    return RuleSet(tuple(rules), int(data["notable_score"]), data["phrases"])


@cache
def load_rules() -> RuleSet:
    text = (resources.files("accalmie.playbooks") / "data" / "rules.toml").read_text("utf-8")
    return parse_rules(tomllib.loads(text), load_playbooks())


# -- the situation's figures -------------------------------------------------------------------


def situation_figures(situation: Situation) -> dict[str, int | str]:
    """Every figure a condition can test; a figure that is unknown is left out."""
    figures: dict[str, int | str] = {
        f"hits:{signal}": count for signal, count in situation.hits.items() if count > 0
    }
    figures.update({f"score:{dim}": int(score) for dim, score in situation.scores.items()})
    figures["status"] = situation.status
    if situation.walk_away:
        figures["walk_away"] = situation.walk_away
    figures["overdue_invoices"] = situation.overdue_invoices
    figures["days_overdue"] = situation.days_overdue
    contract = situation.contract
    if contract is not None:
        if contract.revision_rounds_allowed is not None:
            over = contract.revision_rounds_used - contract.revision_rounds_allowed
            figures["revision_rounds_over"] = max(over, 0)
        figures["no_single_contact"] = 0 if contract.has_single_point_of_contact else 1
        figures["no_termination_clause"] = 0 if contract.has_termination_clause else 1
        if contract.notice_days is not None:
            figures["notice_days"] = contract.notice_days
        if contract.payment_terms_days is not None:
            figures["payment_terms_days"] = contract.payment_terms_days
    return figures


def _notable(figure: str, figures: Mapping[str, int | str], notable_score: int) -> bool:
    """Whether a figure is worth naming in a reason when it did not itself trigger."""
    if figure not in figures:
        return False
    value = figures[figure]
    if figure.startswith("score:"):
        return int(value) <= notable_score
    if figure == "status":
        return value != "healthy"
    if figure in ("notice_days", "payment_terms_days", "walk_away"):
        return True
    return isinstance(value, int) and value > 0


# -- reasons -----------------------------------------------------------------------------------


def _phrase(
    figure: str, figures: Mapping[str, int | str], situation: Situation, rules: RuleSet, lang: str
) -> str:
    value = figures[figure]
    texts = rules.phrases
    kind, _, name = figure.partition(":")
    if kind == "hits":
        one, other = texts["hits"].get(name, texts["hits"]["default"])[lang]
        count = int(value)
        counted = plural(count, one, other, lang).format(n=count, signal=name)
        return texts["window"][lang].format(counted=counted, days=situation.window_days)
    if kind == "score":
        dimension = texts["dimensions"][name][lang]
        return texts["score"][lang].format(dimension=dimension, n=value)
    if figure == "status":
        return texts["status"][lang].format(status=texts["statuses"][str(value)][lang])
    if figure == "walk_away":
        return texts["walk_away"][lang].format(outcome=texts["outcomes"][str(value)][lang])
    if figure == "revision_rounds_over":
        assert situation.contract is not None
        used = situation.contract.revision_rounds_used
        one, other = texts["revision_rounds"][lang]
        return plural(used, one, other, lang).format(
            used=used, allowed=situation.contract.revision_rounds_allowed
        )
    if figure in ("overdue_invoices", "days_overdue"):
        count = situation.overdue_invoices
        one, other = texts["overdue_invoices"][lang]
        text = plural(count, one, other, lang).format(n=count)
        if situation.days_overdue > 0:
            text += texts["days_overdue"][lang].format(days=situation.days_overdue)
        return str(text)
    one_text = texts[figure][lang]
    return str(one_text).format(n=value)


def _reason(situation: Situation, named: list[str], rules: RuleSet, lang: str) -> str:
    figures = situation_figures(situation)
    phrases: list[str] = []
    for figure in named:
        phrase = _phrase(figure, figures, situation, rules, lang)
        if phrase not in phrases:  # overdue_invoices and days_overdue share one phrase
            phrases.append(phrase)
    text = ", ".join(phrases)
    return text[:1].upper() + text[1:] + "."


# -- choosing ----------------------------------------------------------------------------------


def _strength(figures: Mapping[str, int | str], named: list[str]) -> int:
    """How strongly the named figures call for the playbook: breaks ties of severity."""
    total = 0
    for figure in named:
        value = figures.get(figure)
        if not isinstance(value, int):
            continue
        if figure.startswith("hits:"):
            total += min(value, 10)
        elif figure.startswith("score:"):
            total += (100 - value) // 10
        elif figure in ("revision_rounds_over", "overdue_invoices"):
            total += 2 * value
    return total


def select_playbooks(situation: Situation, *, limit: int | None = None) -> list[Recommendation]:
    """The playbooks that fit `situation`, most pressing first, each with its reason.

    A walk-away outcome's playbook comes first (repair or exit) or last (continue); then the
    signals' playbooks by severity, then by how far their figures go. A healthy client with
    no warning sign and no walk-away outcome gets none.
    """
    rules = load_rules()
    playbooks = load_playbooks()
    figures = situation_figures(situation)
    chosen: dict[str, tuple[int, list[str]]] = {}
    for rule in rules.rules:
        triggered = rule.triggers(figures)
        if triggered is None:
            continue
        mentioned = [f for f in rule.mention if _notable(f, figures, rules.notable_score)]
        severity, named = chosen.get(rule.playbook, (0, []))
        for figure in triggered + mentioned:
            if figure not in named:
                named.append(figure)
        chosen[rule.playbook] = (max(severity, rule.severity), named)
    order = list(playbooks)
    ranked = sorted(
        chosen.items(),
        key=lambda item: (-item[1][0], -_strength(figures, item[1][1]), order.index(item[0])),
    )
    recommendations = [
        Recommendation(
            playbook=playbooks[playbook_id],
            reason={lang: _reason(situation, named, rules, lang) for lang in ("fr", "en")},
            severity=severity,
            figures=tuple(named),
        )
        for playbook_id, (severity, named) in ranked
    ]
    return recommendations[:limit] if limit is not None else recommendations
