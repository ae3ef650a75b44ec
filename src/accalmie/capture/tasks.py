"""Background tasks of the capture area, run by `accalmie worker` (queue "imports")."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="imports")
def run_import_task(job_id: int) -> dict[str, object]:
    """Run or resume one import job; return its report."""
    from accalmie.capture.jobs import run_job
    from accalmie.capture.models import ImportJob

    return run_job(ImportJob.objects.get(pk=job_id)).report()
