"""Unknown addresses counted in memory during an import, written once per batch."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from accalmie.accounts.models import Workspace
from accalmie.capture.models import Correspondent


@dataclass
class _Seen:
    name: str
    count: int
    first: dt.datetime
    last: dt.datetime


class CorrespondentTally:
    """Count unknown addresses in memory and write them once per batch."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.pending: dict[str, _Seen] = {}

    def add(self, address: str, name: str, at: dt.datetime) -> None:
        seen = self.pending.get(address)
        if seen is None:
            self.pending[address] = _Seen(name, 1, at, at)
            return
        seen.count += 1
        seen.name = seen.name or name
        seen.first, seen.last = min(seen.first, at), max(seen.last, at)

    def flush(self) -> None:
        """Create the new correspondents and update the counts of the known ones."""
        if not self.pending:
            return
        addresses = list(self.pending)
        existing = {
            c.address: c
            for c in Correspondent.objects.filter(workspace=self.workspace, address__in=addresses)
        }
        changed = []
        for address, seen in self.pending.items():
            person = existing.get(address)
            if person is None:
                continue
            person.message_count += seen.count
            person.name = person.name or seen.name[:200]
            person.first_seen_at = min(filter(None, [person.first_seen_at, seen.first]))
            person.last_seen_at = max(filter(None, [person.last_seen_at, seen.last]))
            changed.append(person)
        Correspondent.objects.bulk_update(
            changed, ["message_count", "name", "first_seen_at", "last_seen_at"]
        )
        Correspondent.objects.bulk_create(
            [
                Correspondent(
                    workspace=self.workspace,
                    address=address[:254],
                    name=seen.name[:200],
                    domain=address.rpartition("@")[2][:253],
                    message_count=seen.count,
                    first_seen_at=seen.first,
                    last_seen_at=seen.last,
                )
                for address, seen in self.pending.items()
                if address not in existing
            ]
        )
        self.pending.clear()
