from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accalmie.clients.models import Client
from accalmie.core.management.jsonout import write_json
from accalmie.health.models import Status
from accalmie.health.services import recompute_clients
from accalmie.health.views_support import client_health, dimension_labels
from accalmie.health.walkaway import assessment_for


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
        with translation.override(options["lang"]):
            recompute_clients([client])  # today's score, from the records as they are now
            data = client_health(client, timezone.localdate(), options["lang"])
            if data["score"] is not None:
                walk = assessment_for(client, options["lang"])
                data["status_label"] = str(Status(data["status"]).label)
                data["walkaway"] = {
                    "proposed": walk["proposed"],
                    "proposed_label": str(walk["proposed_label"]),
                    "met": [i["key"] for i in walk["indicators"] if i["met"]],
                }
            if options["json"]:
                write_json(self.stdout, data)
                return
            self._print(client.name, data)

    def _print(self, name: str, data: dict[str, Any]) -> None:
        if data["score"] is None:
            self.stdout.write(_("%(name)s : pas encore de score.") % {"name": name})
            return
        self.stdout.write(
            _("%(name)s : %(score)s/100, %(status)s (confiance %(confidence)s %%)")
            % {
                "name": name,
                "score": f"{data['score']:.0f}",
                "status": data["status_label"],
                "confidence": f"{100 * data['confidence']:.0f}",
            }
        )
        trend = "  ".join(
            _("%(days)s j : %(change)s")
            % {"days": days, "change": "—" if v is None else f"{v:+.0f}"}
            for days, v in data["trend"].items()
        )
        self.stdout.write(_("Tendance") + f"  {trend}")
        labels = dimension_labels()
        for dim, value in data["dimensions"].items():
            self.stdout.write(f"  {labels.get(dim, dim):<24} {value:>5.0f}")
        self.stdout.write(_("Pourquoi :"))
        for reason in data["reasons"]:
            text = reason.get("text") or ngettext(
                "%(n)s passage relevé", "%(n)s passages relevés", reason["hits"]
            ) % {"n": reason["hits"]}
            self.stdout.write(
                f"  {reason['points']:+6.1f}  {labels.get(reason['dimension'], '')} · "
                f"{reason['label']} — {text}"
            )
            for ref in reason["refs"][:3]:
                self.stdout.write(f"          {ref['kind']} #{ref['id']}  {ref['label']}")
        walk = data["walkaway"]
        self.stdout.write(
            _("Faut-il se séparer ? Proposition : %(outcome)s (%(met)s indicateur(s) sur 5)")
            % {"outcome": walk["proposed_label"], "met": len(walk["met"])}
        )
