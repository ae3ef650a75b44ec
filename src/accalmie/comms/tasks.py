"""Background tasks of the comms area, run by `accalmie worker`."""

from __future__ import annotations

from django_tasks import task


@task()
def refresh_client_activity_task(client_ids: list[int]) -> int:
    """Recompute each client's last exchange after interactions were added or moved."""
    from accalmie.comms.services import refresh_client_activity

    return refresh_client_activity(client_ids)
