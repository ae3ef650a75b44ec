from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from accalmie.core.management.jsonout import write_json
from accalmie.health import backtest


class Command(BaseCommand):
    help = "Replay the demo stories week by week: how early each client's status left healthy."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", type=dt.date.fromisoformat, help="demo anchor date")
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument("--weekly", action="store_true", help="print the weekly statuses")

    def handle(self, *args: Any, **options: Any) -> None:
        replays = backtest.run(options["as_of"], progress=lambda s: self.stderr.write(f"  {s}"))
        if options["json"]:
            write_json(
                self.stdout,
                [
                    {k: v for k, v in r.as_dict().items() if options["weekly"] or k != "weekly"}
                    for r in replays
                ],
            )
            return
        self.stdout.write(
            f"{'client':<34}{'turning point':<15}{'first flagged':<15}{'weeks ahead':>12}"
            f"  {'lowest':<10}{'final':<10}goal"
        )
        for r in replays:
            self.stdout.write(
                f"{r.client:<34}{r.turning_point or '—'!s:<15}{r.first_flagged or '—'!s:<15}"
                f"{'—' if r.weeks_ahead is None else r.weeks_ahead:>12}  "
                f"{r.lowest_status:<10}{r.final_status:<10}{'met' if r.meets_goal else 'MISSED'}"
            )
            if options["weekly"]:
                self.stdout.write("    " + " ".join(f"{s:.0f}{st[0]}" for _, s, st in r.weeks))
        met = sum(r.meets_goal for r in replays)
        self.stdout.write(
            f"goal met for {met}/{len(replays)} clients (flagged ≥ "
            f"{backtest.GOAL_WEEKS_AHEAD} weeks ahead; the good client never below watch; "
            "the recovering client healthy again)"
        )
