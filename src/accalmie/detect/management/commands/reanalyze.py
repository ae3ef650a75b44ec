from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accalmie.accounts.models import Workspace
from accalmie.analysis import detector_version
from accalmie.comms.models import Interaction
from accalmie.core.management.jsonout import write_json
from accalmie.detect.services import analysable, analyse_interactions, analyse_stale


class Command(BaseCommand):
    help = "Analyse stored exchanges again (those the current detector set has not seen)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", help="only this workspace (slug)")
        parser.add_argument(
            "--all",
            action="store_true",
            help="every exchange, even those already analysed by this version",
        )
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        interactions = Interaction.objects.all()
        if options["workspace"]:
            if not Workspace.objects.filter(slug=options["workspace"]).exists():
                raise CommandError(f"No workspace « {options['workspace']} »")
            interactions = interactions.filter(workspace__slug=options["workspace"])
        if options["all"]:
            done, ids = 0, list(analysable(interactions).values_list("pk", flat=True))
            for start in range(0, len(ids), 500):
                analyse_interactions(Interaction.objects.filter(pk__in=ids[start : start + 500]))
                done += len(ids[start : start + 500])
        else:
            done = analyse_stale(interactions)
        report = {"analysed": done, "detector_version": detector_version()}
        if options["json"]:
            write_json(self.stdout, report)
        else:
            self.stdout.write(
                f"{done} exchange(s) analysed with detector set {report['detector_version']}."
            )
