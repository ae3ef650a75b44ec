"""Which thread an exchange belongs to: the messages it answers, then its subject."""

from __future__ import annotations

from accalmie.comms.models import Interaction, Thread
from accalmie.comms.subjects import normalize_subject


class ThreadFinder:
    """Find an exchange's thread: by the messages it answers, then by subject; else a new one."""

    def __init__(self, workspace_id: int) -> None:
        self.workspace_id = workspace_id
        self.by_message_id: dict[str, int] = {}
        self.by_subject: dict[tuple[int | None, str], int] = {}

    def remember(self, message_id: str, thread_id: int) -> None:
        self.by_message_id[message_id] = thread_id

    def find(self, client_id: int | None, subject: str, parents: list[str]) -> int:
        """Return the thread id for an exchange, creating the thread when none fits."""
        wanted = [m for m in parents if m]
        for message_id in wanted:
            if message_id in self.by_message_id:
                return self.by_message_id[message_id]
        if wanted:
            known = dict(
                Interaction.objects.filter(
                    workspace_id=self.workspace_id, message_id__in=wanted, thread__isnull=False
                ).values_list("message_id", "thread_id")
            )
            for message_id in wanted:
                if known.get(message_id):
                    return int(known[message_id])
        normalized = normalize_subject(subject)
        key = (client_id, normalized)
        if normalized and key in self.by_subject:
            return self.by_subject[key]
        thread_id = None
        if normalized:
            threads = Thread.objects.filter(
                workspace_id=self.workspace_id, normalized_subject=normalized
            )
            threads = (
                threads.filter(client__isnull=True)
                if client_id is None
                else threads.filter(client_id=client_id)
            )
            thread_id = threads.values_list("pk", flat=True).first()
        if thread_id is None:
            thread_id = Thread.objects.create(
                workspace_id=self.workspace_id,
                client_id=client_id,
                subject=subject[:500],
                normalized_subject=normalized,
            ).pk
        if normalized:
            self.by_subject[key] = thread_id
        return thread_id
