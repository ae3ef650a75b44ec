from __future__ import annotations

import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.db.migrations.executor import MigrationExecutor


def pending_migrations() -> int:
    """Return how many migrations the database still lacks."""
    executor = MigrationExecutor(connections["default"])
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


class Command(BaseCommand):
    help = "Serve the web app (and run a background worker beside it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not start a worker process (run `accalmie worker` elsewhere)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import serve

        from accalmie.wsgi import application

        missing = pending_migrations()
        if missing:
            raise CommandError(
                f"The database lacks {missing} migration(s): run `accalmie migrate` first."
            )
        worker = None
        uses_queue = str(settings.TASKS["default"]["BACKEND"]).startswith("django_tasks_db")
        if uses_queue and not options["no_worker"]:
            worker = subprocess.Popen(
                [sys.executable, "-m", "accalmie", "worker", "--queue-name", "*"]
            )
        host, port = options["host"], options["port"]
        self.stdout.write(f"Accalmie is served on http://{host}:{port}/ (Ctrl-C to stop)")

        def _stop(signum: int, frame: object) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, _stop)
        try:
            serve(application, host=host, port=port, threads=options["threads"], ident="accalmie")
        except KeyboardInterrupt:
            pass
        finally:
            if worker is not None:
                worker.terminate()
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    worker.kill()
