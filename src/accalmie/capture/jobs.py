"""Run an import job: in batches, each committed with the position to resume from.

A job killed at any moment resumes where its last batch ended: the batch in flight is
rolled back and done again, and messages already committed are recognised as duplicates.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from django.db import transaction
from django.utils import timezone

from accalmie.capture.csvlog import CsvLogError, read_log
from accalmie.capture.models import ImapFolderState, ImportJob
from accalmie.capture.parallel import PARALLEL_FROM_BYTES, MessageReader
from accalmie.capture.pipeline import DUPLICATE, IMPORTED, QUARANTINED, Ingestor, Outcome
from accalmie.comms.services import refresh_client_activity
from accalmie.core.audit import record_event
from accalmie.core.database import refresh_planner_statistics
from accalmie.detect.queue import queue_analysis
from accalmie.mail.imap import FolderState, ImapError, ImapMailbox, ImapSettings, load_password
from accalmie.mail.sources import SourceError, open_source

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
BATCH_SECONDS = 1.0
# A running job whose heartbeat is older than this is taken as interrupted.
STALE_AFTER_SECONDS = 120

Progress = Callable[[ImportJob], None]
T = TypeVar("T")


class JobBusy(RuntimeError):
    """Another process is running this job."""


def claim(job: ImportJob, *, force: bool = False) -> ImportJob:
    """Mark the job running, unless a live process already runs it; return it fresh."""
    claimable = [ImportJob.Status.QUEUED, ImportJob.Status.INTERRUPTED, ImportJob.Status.FAILED]
    jobs = ImportJob.objects.filter(pk=job.pk)
    stale = timezone.now() - dt.timedelta(seconds=STALE_AFTER_SECONDS)
    claimed = jobs.filter(status__in=claimable).update(
        status=ImportJob.Status.RUNNING, heartbeat_at=timezone.now(), error=""
    ) or jobs.filter(status=ImportJob.Status.RUNNING, heartbeat_at__lt=stale).update(
        heartbeat_at=timezone.now()
    )
    if not claimed and force:
        claimed = jobs.exclude(status=ImportJob.Status.DONE).update(
            status=ImportJob.Status.RUNNING, heartbeat_at=timezone.now(), error=""
        )
    job.refresh_from_db()
    if not claimed and job.status != ImportJob.Status.DONE:
        raise JobBusy(f"import #{job.pk} is being run by another process ({job.status})")
    return job


def _count(job: ImportJob, outcome: Outcome) -> None:
    job.seen += 1
    if outcome.status == IMPORTED:
        job.imported += 1
        if outcome.unassigned:
            job.unassigned += 1
    elif outcome.status == DUPLICATE:
        job.duplicates += 1
    elif outcome.status == QUARANTINED:
        job.quarantined += 1


def _batches(items: Iterator[T]) -> Iterator[list[T]]:
    """Cut a stream into batches of BATCH_SIZE items or BATCH_SECONDS, whichever comes first."""
    while True:
        batch: list[T] = []
        started = time.monotonic()
        for item in items:
            batch.append(item)
            if len(batch) >= BATCH_SIZE or time.monotonic() - started > BATCH_SECONDS:
                break
        if not batch:
            return
        yield batch


def _commit(job: ImportJob, ingestor: Ingestor, progress: Progress | None) -> None:
    ingestor.flush()
    if ingestor.new_interactions:
        queue_analysis(ingestor.new_interactions)
        ingestor.new_interactions = []
    job.heartbeat_at = timezone.now()
    job.save()
    if ingestor.touched_clients:
        refresh_client_activity(ingestor.touched_clients)
        ingestor.touched_clients.clear()
    if progress:
        progress(job)


def _run_files(job: ImportJob, ingestor: Ingestor, progress: Progress | None) -> None:
    source = open_source(job.kind, job.path)
    job.total_bytes = source.total_bytes
    job.done_bytes = source.bytes_before(job.position)
    job.save(update_fields=["total_bytes", "done_bytes"])
    with MessageReader(parallel=source.total_bytes >= PARALLEL_FROM_BYTES) as reader:
        for batch, read in reader.read(_batches(source.iter_messages(start=job.position))):
            prepared = [ingestor.resolve(item) for item in read]
            with transaction.atomic():
                for outcome in ingestor.ingest_prepared(prepared):
                    _count(job, outcome)
                job.position = batch[-1].position
                job.done_bytes = source.bytes_before(job.position)
                _commit(job, ingestor, progress)


def _run_csv(job: ImportJob, ingestor: Ingestor, progress: Progress | None) -> None:
    data = Path(job.path).read_bytes()
    job.total_bytes = len(data)
    rows = list(read_log(data, timezone=job.workspace.timezone))
    for batch in _batches(iter(rows[job.position :])):
        with transaction.atomic():
            for row in batch:
                _count(job, ingestor.ingest_log_row(row, f"{Path(job.path).name}:{row.line}"))
                job.position += 1
            job.done_bytes = len(data) * job.position // max(1, len(rows))
            _commit(job, ingestor, progress)


def imap_settings(job: ImportJob) -> ImapSettings:
    account = job.account
    if account is None:
        raise ImapError("this import has no mail account any more")
    return ImapSettings(
        host=account.host,
        port=account.port,
        security=account.security,
        username=account.username,
        password=load_password(
            env_var=account.password_env or None, secret_file=account.password_file or None
        ),
        ca_file=account.ca_file or None,
    )


def _run_imap(job: ImportJob, ingestor: Ingestor, progress: Progress | None) -> None:
    account = job.account
    assert account is not None
    with ImapMailbox(imap_settings(job)) as box:
        for folder in account.folder_list:
            stored = ImapFolderState.objects.filter(account=account, folder=folder).first()
            since = FolderState(stored.uidvalidity, stored.last_uid) if stored else None
            server = box.folder_state(folder)
            pending = server.last_uid - (
                since.last_uid if since and since.uidvalidity == server.uidvalidity else 0
            )
            job.total_bytes += max(0, pending)  # counted in messages for IMAP
            fetched: Iterable = box.fetch_new(folder, since)
            for batch in _batches(iter(fetched)):
                prepared = [
                    ingestor.prepare_email(m.raw, f"imap:{folder}:{m.uidvalidity}:{m.uid}")
                    for m in batch
                ]
                with transaction.atomic():
                    for outcome in ingestor.ingest_prepared(prepared):
                        _count(job, outcome)
                    job.done_bytes += len(batch)
                    last = batch[-1]
                    ImapFolderState.objects.update_or_create(
                        account=account,
                        folder=folder,
                        defaults={"uidvalidity": last.uidvalidity, "last_uid": last.uid},
                    )
                    _commit(job, ingestor, progress)
    account.last_synced_at = timezone.now()
    account.last_error = ""
    account.save(update_fields=["last_synced_at", "last_error"])


RUNNERS = {
    ImportJob.Kind.EML: _run_files,
    ImportJob.Kind.MBOX: _run_files,
    ImportJob.Kind.MAILDIR: _run_files,
    ImportJob.Kind.CSV: _run_csv,
    ImportJob.Kind.IMAP: _run_imap,
}


def run_job(job: ImportJob, progress: Progress | None = None, *, force: bool = False) -> ImportJob:
    """Run (or resume) an import job to its end; failures are recorded on the job."""
    job = claim(job, force=force)
    if job.status == ImportJob.Status.DONE:
        return job
    if job.started_at is None:
        job.started_at = timezone.now()
        job.save(update_fields=["started_at"])
    ingestor = Ingestor(job.workspace, job, source=f"import:{job.kind}")
    try:
        RUNNERS[ImportJob.Kind(job.kind)](job, ingestor, progress)
    except (SourceError, ImapError, CsvLogError, OSError) as exc:
        job.status, job.error = ImportJob.Status.FAILED, str(exc)
        if job.account is not None and job.kind == ImportJob.Kind.IMAP:
            job.account.last_error = str(exc)
            job.account.save(update_fields=["last_error"])
    except Exception as exc:
        logger.exception("Import #%s failed", job.pk)
        job.status, job.error = ImportJob.Status.FAILED, f"internal error: {exc!r}"
    else:
        job.status = ImportJob.Status.DONE
    job.finished_at = timezone.now()
    job.save()
    refresh_planner_statistics()
    record_event(
        action=f"import.{job.status}",
        obj=job,
        workspace_id=job.workspace_id,
        actor=job.created_by,
        data=job.report(),
    )
    return job
