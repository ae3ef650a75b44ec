from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.timezone import localdate as today

from accalmie.accounts.models import Workspace
from accalmie.clients.models import Client
from accalmie.core.management.commands.serve import pending_migrations
from accalmie.core.management.jsonout import write_json
from accalmie.core.stats import workspace_counts
from accalmie.demo.generator import (
    DEMO_PASSWORD,
    DEMO_SLUG,
    DEMO_USERNAME,
    build_demo,
    demo_fingerprint,
)
from accalmie.demo.stories import StoryError
from accalmie.demo.tasks import seed_example_tasks
from accalmie.health.services import recompute_clients


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--as-of expects a date like 2026-11-23, not « {value} »") from exc


class Command(BaseCommand):
    help = "Load the demo workspace (Atelier Boréal, 7 client stories) and its demo login."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of",
            type=_date,
            help="the day the demo ends (default today): same date, same data",
        )
        parser.add_argument(
            "--reset", action="store_true", help="rebuild it even when it is already loaded"
        )
        parser.add_argument("--serve", action="store_true", help="then serve the web app")
        parser.add_argument("--port", type=int, default=8000, help="port for --serve")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        missing = pending_migrations()
        if missing:
            raise CommandError(
                f"The database lacks {missing} migration(s): run `accalmie migrate` first."
            )
        existing = Workspace.objects.filter(slug=DEMO_SLUG).first()
        if existing is not None and not options["reset"] and not options["as_of"]:
            counts, status = workspace_counts(existing), "kept"
            anchor = None
            fingerprint = None
        else:
            try:
                result = build_demo(anchor=options["as_of"])
            except StoryError as exc:
                raise CommandError(str(exc)) from exc
            counts, status = result.counts, "loaded"
            # Health over the demo's 26 weeks, so the pages and alerts have a history.
            as_of = dt.datetime.combine(result.anchor, dt.time(23, 59), dt.UTC)
            clients = list(Client.objects.filter(workspace=result.workspace).order_by("pk"))
            health = recompute_clients(clients, as_of=min(as_of, timezone.now()), history_weeks=26)
            demo_user = User.objects.get(username=DEMO_USERNAME)
            tasks = seed_example_tasks(result.workspace, demo_user, today())
            counts = {**counts, "alerts": health.alerts, "tasks": tasks}
            anchor = result.anchor.isoformat()
            fingerprint = demo_fingerprint(result.workspace)
        url = f"http://127.0.0.1:{options['port']}/"
        if options["json"]:
            write_json(
                self.stdout,
                {
                    "workspace": DEMO_SLUG,
                    "status": status,
                    "anchor": anchor,
                    "counts": counts,
                    "fingerprint": fingerprint,
                    "login": {"username": DEMO_USERNAME, "password": DEMO_PASSWORD},
                    "url": url,
                },
            )
        else:
            verb = "loaded" if status == "loaded" else "already loaded (use --reset to rebuild)"
            self.stdout.write(self.style.SUCCESS(f"Demo workspace « {DEMO_SLUG} » {verb}."))
            self.stdout.write(
                f"  {counts['clients']} clients, {counts['contacts']} contacts, "
                f"{counts['interactions']} interactions, {counts['invoices']} invoices, "
                f"{counts['team_pulses']} team pulses"
                + (f", {counts['alerts']} health alerts" if "alerts" in counts else "")
                + (f", {counts['tasks']} example tasks" if "tasks" in counts else "")
            )
            self.stdout.write(
                f"  Open {url} and log in as « {DEMO_USERNAME} », password « {DEMO_PASSWORD} »."
            )
            self.stdout.write(f"  Data directory: {settings.DATA_DIR}")
        if options["serve"]:
            call_command("serve", port=options["port"])
