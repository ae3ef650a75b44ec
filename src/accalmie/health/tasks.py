"""Background recomputation of client health, run by `accalmie worker`."""

from __future__ import annotations

from django_tasks import task


@task()
def recompute_health_task(client_ids: list[int]) -> int:
    """Recompute today's health of these clients; return how many were scored."""
    from accalmie.health.services import recompute_client_ids

    return recompute_client_ids(client_ids).clients
