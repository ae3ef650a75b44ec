"""Background analysis, run by `accalmie worker` (queue "analysis")."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="analysis")
def analyse_interactions_task(interaction_ids: list[int]) -> int:
    """Analyse new exchanges; return how many were analysed."""
    from accalmie.comms.models import Interaction
    from accalmie.detect.services import analyse_stale

    return analyse_stale(Interaction.objects.filter(pk__in=interaction_ids))
