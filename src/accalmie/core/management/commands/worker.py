from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand


class Command(DatabaseWorkerCommand):
    help = (
        "Run background work (imports, analyses, recomputations) from the task queue. "
        "--batch runs what is queued, then exits."
    )
