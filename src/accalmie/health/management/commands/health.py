from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accalmie.clients.models import Client
from accalmie.core.management.jsonout import write_json
from accalmie.health.services import recompute_clients
from accalmie.health.views_support import client_health


class Command(BaseCommand):
    help = "Show a client's health: score, dimensions, trend over 7/30/90 days, and why."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("client", help="client name (or part of it) or id")
        parser.add_argument("--workspace", help="workspace (slug), when names repeat")
        parser.add_argument("--lang", default="fr", choices=["fr", "en"])
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        clients = Client.objects.select_related("workspace")
        if options["workspace"]:
            clients = clients.filter(workspace__slug=options["workspace"])
        query = options["client"]
        found = (
            list(clients.filter(pk=int(query)))
            if query.isdigit()
            else list(clients.filter(name__icontains=query)[:5])
        )
        if not found:
            raise CommandError(f"No client matches « {query} »")
        if len(found) > 1:
            names = ", ".join(f"{c.name} (#{c.pk})" for c in found)
            raise CommandError(f"Several clients match « {query} »: {names}")
        client = found[0]
        recompute_clients([client])  # today's score, from the records as they are now
        data = client_health(client, timezone.localdate(), options["lang"])
        if options["json"]:
            write_json(self.stdout, data)
            return
        self.stdout.write(
            f"{client.name}: {data['score']:.0f}/100, {data['status']} "
            f"(confidence {data['confidence']:.0%})"
        )
        trend = "  ".join(
            f"{days} d: {'—' if v is None else f'{v:+.0f}'}" for days, v in data["trend"].items()
        )
        self.stdout.write(f"trend  {trend}")
        for dim, value in data["dimensions"].items():
            self.stdout.write(f"  {dim:<14} {value:>5.0f}")
        self.stdout.write("why:")
        for reason in data["reasons"]:
            text = reason.get("text") or ""
            self.stdout.write(
                f"  {reason['points']:+6.1f}  {reason['dimension']:<13} {reason['signal']:<24}"
                f" {reason['hits']} hit(s)  {text}"
            )
            for ref in reason["refs"][:3]:
                self.stdout.write(f"          {ref['kind']} #{ref['id']}  {ref['label']}")
