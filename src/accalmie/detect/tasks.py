"""Background analysis, run by `accalmie worker` (queue "analysis")."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="analysis")
def analyse_interactions_task(interaction_ids: list[int]) -> int:
    """Analyse new exchanges; return how many were analysed."""
    from accalmie.comms.models import Interaction
    from accalmie.detect.services import analyse_stale
    from accalmie.health.services import queue_health

    interactions = Interaction.objects.filter(pk__in=interaction_ids)
    done = analyse_stale(interactions)
    # The health of these clients rests on the hits just stored: recompute it next.
    queue_health(interactions.values_list("client_id", flat=True).distinct())
    return done
