from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accalmie.accounts.models import Workspace
from accalmie.accounts.services import create_workspace
from accalmie.core.management.jsonout import write_json


def _workspace_dict(workspace: Workspace) -> dict[str, Any]:
    return {
        "slug": workspace.slug,
        "name": workspace.name,
        "kind": workspace.kind,
        "timezone": workspace.timezone,
        "domains": workspace.domain_names,
    }


class Command(BaseCommand):
    help = "Create or list workspaces (an agency or a freelancer)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a workspace")
        create.add_argument("slug", help="short identifier used in URLs, e.g. my-agency")
        create.add_argument("--name", required=True, help="display name")
        create.add_argument(
            "--domain",
            action="append",
            default=[],
            dest="domains",
            metavar="DOMAIN",
            help="an email domain of the workspace itself (repeat for several)",
        )
        create.add_argument("--kind", default=Workspace.Kind.AGENCY, choices=Workspace.Kind.values)
        create.add_argument("--timezone", default="Europe/Paris")
        create.add_argument("--json", action="store_true", help="print JSON")
        listing = sub.add_parser("list", help="list workspaces")
        listing.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            rows = [_workspace_dict(ws) for ws in Workspace.objects.prefetch_related("domains")]
            if options["json"]:
                write_json(self.stdout, rows)
            else:
                for row in rows:
                    self.stdout.write(
                        f"{row['slug']:<20} {row['name']}  {' '.join(row['domains'])}"
                    )
            return
        try:
            workspace = create_workspace(
                slug=options["slug"],
                name=options["name"],
                domains=options["domains"],
                kind=options["kind"],
                timezone=options["timezone"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        if options["json"]:
            write_json(self.stdout, _workspace_dict(workspace))
        else:
            self.stdout.write(self.style.SUCCESS(f"Workspace « {workspace.slug} » created."))
