"""Keeping the database's query planner informed after large writes."""

from __future__ import annotations

from django.db import connection


def refresh_planner_statistics() -> None:
    """Let SQLite refresh the statistics its query planner uses, where they have gone stale.

    After a large import SQLite keeps planning with the statistics of an empty database
    (looking threads up by subject through the workspace index, say). `PRAGMA optimize`
    runs ANALYZE only on the tables that need it, so it is cheap when nothing changed.
    PostgreSQL's autovacuum does this by itself.
    """
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA optimize")
