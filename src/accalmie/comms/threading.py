"""Which thread an exchange belongs to: the messages it answers, then its subject."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q

from accalmie.comms.models import Interaction, Thread
from accalmie.comms.subjects import normalize_subject

# Caches are dropped past this many entries so that a huge import keeps a bounded memory.
CACHE_LIMIT = 50_000
_CHUNK = 500  # values per IN (...) query


@dataclass(frozen=True)
class ThreadQuery:
    """What is known of one exchange when its thread is looked for."""

    client_id: int | None
    subject: str
    parents: Sequence[str]  # In-Reply-To first, then References, latest first
    message_id: str = ""


def _chunks(values: list[str]) -> list[list[str]]:
    return [values[i : i + _CHUNK] for i in range(0, len(values), _CHUNK)]


class ThreadFinder:
    """Find exchanges' threads in few queries: parents, then subject, else new threads."""

    def __init__(self, workspace_id: int) -> None:
        self.workspace_id = workspace_id
        self.by_message_id: dict[str, Thread] = {}
        self.by_subject: dict[tuple[int | None, str], Thread] = {}
        self.loaded_subjects: set[tuple[int | None, str]] = set()

    def find(self, client_id: int | None, subject: str, parents: Sequence[str]) -> Thread:
        """Return the thread of one exchange (created if none fits)."""
        return self.find_many([ThreadQuery(client_id, subject, parents)])[0]

    def find_many(self, queries: Sequence[ThreadQuery]) -> list[Thread]:
        """Return each exchange's thread, in order; exchanges of the batch can answer each other."""
        self._load_parents({p for q in queries for p in q.parents if p})
        self._load_subjects(
            {(q.client_id, s) for q in queries if (s := normalize_subject(q.subject))}
        )
        found: list[Thread] = []
        new: list[Thread] = []
        for query in queries:
            normalized = normalize_subject(query.subject)
            thread = next(
                (self.by_message_id[p] for p in query.parents if p in self.by_message_id), None
            )
            if thread is None and normalized:
                thread = self.by_subject.get((query.client_id, normalized))
            if thread is None:
                thread = Thread(
                    workspace_id=self.workspace_id,
                    client_id=query.client_id,
                    subject=query.subject[:500],
                    normalized_subject=normalized,
                )
                new.append(thread)
            if normalized:
                self.by_subject.setdefault((query.client_id, normalized), thread)
            if query.message_id:
                self.by_message_id[query.message_id] = thread
            found.append(thread)
        Thread.objects.bulk_create(new)
        self._bound()
        return found

    def _load_parents(self, wanted: set[str]) -> None:
        missing = sorted(wanted - self.by_message_id.keys())
        for chunk in _chunks(missing):
            rows = Interaction.objects.filter(
                workspace_id=self.workspace_id, message_id__in=chunk, thread__isnull=False
            ).values_list("message_id", "thread_id")
            for message_id, thread_id in rows:
                self.by_message_id.setdefault(message_id, Thread(pk=thread_id))

    def _load_subjects(self, wanted: set[tuple[int | None, str]]) -> None:
        missing = wanted - self.loaded_subjects
        self.loaded_subjects.update(missing)
        if not missing:
            return
        # Only the batch's clients' threads: a common subject ("Facture") may have a
        # thread at every client of the workspace.
        clients = {client_id for client_id, _subject in missing}
        of_clients = Q(client_id__in=[c for c in clients if c is not None])
        if None in clients:
            of_clients |= Q(client_id__isnull=True)
        for chunk in _chunks(sorted({subject for _client_id, subject in missing})):
            rows = (
                Thread.objects.filter(of_clients, workspace_id=self.workspace_id)
                .filter(normalized_subject__in=chunk)
                .order_by("pk")
                .values_list("client_id", "normalized_subject", "pk")
            )
            for client_id, subject, pk in rows:
                self.by_subject.setdefault((client_id, subject), Thread(pk=pk))

    def _bound(self) -> None:
        if len(self.by_message_id) > CACHE_LIMIT:
            self.by_message_id.clear()
        if len(self.by_subject) > CACHE_LIMIT:
            self.by_subject.clear()
            self.loaded_subjects.clear()
