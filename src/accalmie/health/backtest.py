"""Replay the demo stories week by week and see when each client's status first left healthy.

The turning points come from the stories (`turning_point_week`, `recovery_week`), never from
this code. The demo is built inside a transaction that is rolled back: the database is left
as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from accalmie.analysis.health import STATUSES
from accalmie.demo.generator import build_demo, week_start
from accalmie.demo.stories import DEMO_WEEKS, load_stories
from accalmie.health.records import load_records
from accalmie.health.services import config_for, score_records

GOAL_WEEKS_AHEAD = 4


@dataclass
class ClientReplay:
    key: str
    client: str
    turning_point: dt.date | None
    recovery: dt.date | None
    weeks: list[tuple[dt.date, float, str]] = field(default_factory=list)

    @property
    def first_flagged(self) -> dt.date | None:
        return next((day for day, _, status in self.weeks if status != "healthy"), None)

    @property
    def weeks_ahead(self) -> int | None:
        if self.turning_point is None or self.first_flagged is None:
            return None
        return (self.turning_point - self.first_flagged).days // 7

    @property
    def lowest_status(self) -> str:
        return max((s for _, _, s in self.weeks), key=STATUSES.index, default="healthy")

    @property
    def final_status(self) -> str:
        return self.weeks[-1][2] if self.weeks else "healthy"

    @property
    def recovered(self) -> bool | None:
        """For a story that recovers: back to healthy by the end, after the recovery week."""
        if self.recovery is None:
            return None
        after = [s for day, _, s in self.weeks if day >= self.recovery]
        return bool(after) and after[-1] == "healthy"

    @property
    def meets_goal(self) -> bool:
        if self.turning_point is None:
            return STATUSES.index(self.lowest_status) <= STATUSES.index("watch")
        ok = self.weeks_ahead is not None and self.weeks_ahead >= GOAL_WEEKS_AHEAD
        return ok and self.recovered is not False

    def as_dict(self) -> dict[str, object]:
        return {
            "client": self.client,
            "story": self.key,
            "turning_point": self.turning_point,
            "first_flagged": self.first_flagged,
            "weeks_ahead": self.weeks_ahead,
            "lowest_status": self.lowest_status,
            "final_status": self.final_status,
            "recovered": self.recovered,
            "meets_goal": self.meets_goal,
            "weekly": [
                {"week_of": day, "score": round(score, 1), "status": status}
                for day, score, status in self.weeks
            ],
        }


def run(
    anchor: dt.date | None = None, progress: Callable[[str], None] | None = None
) -> list[ClientReplay]:
    """Build the demo (rolled back afterwards) and replay each client week by week."""
    stories = {s.data["name"]: s for s in load_stories()}
    replays: list[ClientReplay] = []
    with transaction.atomic():
        if progress:
            progress("building the demo workspace")
        demo = build_demo(anchor)
        config = config_for(demo.workspace.pk)
        clients = list(demo.workspace.clients.order_by("name"))
        records = load_records([c.pk for c in clients])
        for client in clients:
            story = stories[client.name]
            tp = story.turning_point_week
            rec = story.recovery_week
            replay = ClientReplay(
                key=story.key,
                client=client.name,
                turning_point=week_start(demo.anchor, tp) if tp is not None else None,
                recovery=week_start(demo.anchor, rec) if rec is not None else None,
            )
            # Week 1 onwards: a score needs at least one week of exchanges behind it.
            for week in range(1, DEMO_WEEKS + 1):
                day = week_start(demo.anchor, week)
                at = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
                health, _ = score_records(records[client.pk], at, config)
                replay.weeks.append((day, health.score, health.status))
            replays.append(replay)
            if progress:
                progress(client.name)
        transaction.set_rollback(True)
    return replays
