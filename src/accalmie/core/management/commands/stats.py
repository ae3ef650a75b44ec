from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser

from accalmie.accounts.models import Workspace
from accalmie.core.management.jsonout import write_json
from accalmie.core.stats import workspace_counts


class Command(BaseCommand):
    help = "Count workspaces, users, clients, contacts, interactions, invoices and pulses."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument("--workspace", help="only this workspace (slug)")

    def handle(self, *args: Any, **options: Any) -> None:
        workspaces = Workspace.objects.order_by("slug")
        if options["workspace"]:
            workspaces = workspaces.filter(slug=options["workspace"])
            if not workspaces.exists():
                self.stderr.write(f"No workspace « {options['workspace']} »")
                raise SystemExit(1)
        per_workspace = {ws.slug: workspace_counts(ws) for ws in workspaces}
        totals = {
            "workspaces": len(per_workspace),
            "users": get_user_model().objects.filter(is_active=True).count(),
        }
        for counts in per_workspace.values():
            for key, value in counts.items():
                if key != "members":
                    totals[key] = totals.get(key, 0) + value
        payload = {"totals": totals, "workspaces": per_workspace}
        if options["json"]:
            write_json(self.stdout, payload)
            return
        keys = [
            "members",
            "clients",
            "contacts",
            "interactions",
            "invoices",
            "team_pulses",
            "quarantined",
        ]
        header = f"{'workspace':<20}" + "".join(f"{k:>14}" for k in keys)
        self.stdout.write(header)
        for slug, counts in per_workspace.items():
            self.stdout.write(f"{slug:<20}" + "".join(f"{counts[k]:>14}" for k in keys))
        self.stdout.write(f"{totals['workspaces']} workspace(s), {totals['users']} active user(s)")
