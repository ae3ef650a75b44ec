"""Read (hash, parse, store) the next batch in a worker process while this one is written.

Parsing is pure CPU work that needs no database; writing is database work. On a machine
with two cores or more, a big import overlaps the two: batch N+1 is read in a child process
while batch N is saved here. At most two batches are in memory at once.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # this module is imported by fresh worker processes before Django is set up
    from accalmie.capture.pipeline import Prepared
    from accalmie.mail.sources import SourceMessage

# Below this, starting processes costs more than it saves.
PARALLEL_FROM_BYTES = 8 * 1024 * 1024
# Batches read ahead, each by its own process: parsing costs about what writing does, so
# two readers keep the writer busy; at most READ_AHEAD + 1 batches are in memory.
READ_AHEAD = 2


def _start_worker() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accalmie.settings")
    import django

    django.setup()


def _read_batch(batch: list[tuple[bytes, str]]) -> list[Prepared]:
    from accalmie.capture.pipeline import read_message

    return [read_message(raw, key) for raw, key in batch]


class MessageReader:
    """Turn batches of source messages into prepared messages, in order."""

    def __init__(self, parallel: bool) -> None:
        self.parallel = parallel and (os.cpu_count() or 1) > 1
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> MessageReader:
        if self.parallel:
            # Fresh interpreters ("spawn"), not forks: a fork would share this process's
            # open database connections, and they must never be touched from two processes.
            self.pool = ProcessPoolExecutor(
                max_workers=READ_AHEAD,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
            )
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def read(
        self, batches: Iterator[list[SourceMessage]]
    ) -> Iterator[tuple[list[SourceMessage], list[Prepared]]]:
        """Yield each batch with its messages read, reading one batch ahead when parallel."""
        if self.pool is None:
            from accalmie.capture.pipeline import read_message

            for batch in batches:
                yield batch, [read_message(m.raw, m.key) for m in batch]
            return
        pending: deque[tuple[list[SourceMessage], Future[list[Prepared]]]] = deque()
        for batch in batches:
            pending.append((batch, self.pool.submit(_read_batch, [(m.raw, m.key) for m in batch])))
            if len(pending) > READ_AHEAD:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()
