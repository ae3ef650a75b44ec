from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accalmie.clients.models import Client
from accalmie.core.database import refresh_planner_statistics
from accalmie.core.management.jsonout import write_json
from accalmie.core.management.progress import ProgressBar
from accalmie.health.services import recompute_clients


class Command(BaseCommand):
    help = "Recompute every client's health, behavioural signs, snapshots and alerts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", help="only this workspace (slug)")
        parser.add_argument(
            "--history", type=int, default=26, help="weekly snapshots to (re)build back (weeks)"
        )
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        clients = Client.objects.filter(is_archived=False).select_related("workspace")
        if options["workspace"]:
            clients = clients.filter(workspace__slug=options["workspace"])
            if not clients.exists():
                raise CommandError(f"No client in workspace « {options['workspace']} »")
        items = list(clients.order_by("workspace_id", "pk"))
        bar = ProgressBar(len(items), unit="clients")
        result = recompute_clients(
            items,
            history_weeks=max(0, options["history"]),
            progress=lambda n: bar.update(n, n),
        )
        bar.close(result.clients, result.clients)
        refresh_planner_statistics()
        payload = vars(result)
        if options["json"]:
            write_json(self.stdout, payload)
            return
        self.stdout.write(
            f"{result.clients} client(s) scored, {result.snapshots} snapshot(s), "
            f"{result.behaviour_hits} behavioural sign(s), {result.alerts} new alert(s)"
        )
