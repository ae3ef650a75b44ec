"""Queue new exchanges for analysis once the transaction that made them commits."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction


def queue_analysis(interaction_ids: Iterable[int]) -> None:
    """Have `accalmie worker` analyse these exchanges after the current commit."""
    ids = list(interaction_ids)
    if not ids:
        return
    from accalmie.detect.tasks import analyse_interactions_task

    transaction.on_commit(lambda: analyse_interactions_task.enqueue(ids))
