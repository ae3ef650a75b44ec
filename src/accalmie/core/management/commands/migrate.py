from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.core.management.commands.migrate import Command as DjangoMigrateCommand
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.recorder import MigrationRecorder

from accalmie.core.management.jsonout import write_json


def _applied(alias: str) -> set[tuple[str, str]]:
    recorder = MigrationRecorder(connections[alias])
    if not recorder.has_table():
        return set()
    return set(recorder.applied_migrations())


class Command(DjangoMigrateCommand):
    help = "Create or update the database tables (safe to run at every start)."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--json", action="store_true", help="print what was applied as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options.pop("json", False):
            super().handle(*args, **options)
            return
        alias = options.get("database") or DEFAULT_DB_ALIAS
        before = _applied(alias)
        options["verbosity"] = 0
        super().handle(*args, **options)
        newly = sorted(_applied(alias) - before)
        write_json(
            self.stdout,
            {
                "database": connections[alias].vendor,
                "applied": [f"{app}.{name}" for app, name in newly],
                "total_applied": len(_applied(alias)),
            },
        )
