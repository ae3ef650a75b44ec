from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accalmie.accounts.models import Workspace
from accalmie.capture.jobs import JobBusy, run_job
from accalmie.capture.models import CapturedMessage, ImportJob, MailAccount
from accalmie.capture.services import create_job, enqueue_job, save_mail_account
from accalmie.core.management.jsonout import write_json
from accalmie.core.management.progress import ProgressBar

FILE_KINDS = {
    "eml": "a .eml file or a folder of them",
    "mbox": "an mbox file (mboxo, mboxrd, Content-Length)",
    "maildir": "a Maildir, or a folder of Maildirs",
    "csv": "a CSV log of calls, meetings, chats and notes (see docs/capture.md)",
}


class Command(BaseCommand):
    help = "Import mail (eml, mbox, Maildir, IMAP) or a calls/meetings CSV into a workspace."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="kind", required=True)
        for kind, what in FILE_KINDS.items():
            p = sub.add_parser(kind, help=f"import {what}")
            p.add_argument("path")
            self._common(p)
        imap = sub.add_parser(
            "imap", help="sync an IMAP account (saved with --host…, or by --account)"
        )
        imap.add_argument("--account", required=True, help="the account's name in the workspace")
        imap.add_argument("--host", help="server name; given, the account is created or updated")
        imap.add_argument("--port", type=int)
        imap.add_argument("--security", choices=MailAccount.Security.values, default="ssl")
        imap.add_argument("--user", help="login")
        imap.add_argument(
            "--password-env", default="", help="environment variable with the password"
        )
        imap.add_argument("--password-file", default="", help="file holding the password")
        imap.add_argument("--ca-file", default="", help="extra CA certificate to trust")
        imap.add_argument(
            "--folder",
            action="append",
            dest="folders",
            default=[],
            help="folder to sync (repeat; default INBOX)",
        )
        self._common(imap)
        resume = sub.add_parser("resume", help="resume an interrupted import")
        resume.add_argument("job", type=int)
        resume.add_argument(
            "--force", action="store_true", help="even if it looks like another process runs it"
        )
        resume.add_argument("--json", action="store_true")
        resume.add_argument("--quiet", action="store_true")
        report = sub.add_parser("report", help="print an import's report")
        report.add_argument("job", type=int)
        report.add_argument("--json", action="store_true")
        listing = sub.add_parser("list", help="list a workspace's imports")
        listing.add_argument("--workspace", required=True)
        listing.add_argument("--json", action="store_true")

    def _common(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", required=True, help="slug of the workspace")
        parser.add_argument(
            "--background",
            action="store_true",
            help="queue it for `accalmie worker` and return at once",
        )
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        kind = options["kind"]
        if kind == "report":
            self._print(self._job(options["job"]), options)
            return
        if kind == "list":
            workspace = self._workspace(options["workspace"])
            jobs = [j.report() for j in ImportJob.objects.filter(workspace=workspace)]
            if options["json"]:
                write_json(self.stdout, jobs)
            for j in [] if options["json"] else jobs:
                self.stdout.write(
                    f"#{j['job']:<5} {j['status']:<12} {j['kind']:<8} "
                    f"{j['imported']:>7} imported  {j['source']}"
                )
            return
        if kind == "resume":
            job = self._job(options["job"])
            self._run(job, options, force=options["force"])
            return
        workspace = self._workspace(options["workspace"])
        try:
            if kind == "imap":
                job = create_job(
                    workspace=workspace, kind=kind, account=self._account(workspace, options)
                )
            else:
                job = create_job(workspace=workspace, kind=kind, path=options["path"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        if options["background"]:
            enqueue_job(job)
            if options["json"]:
                write_json(self.stdout, job.report())
            else:
                self.stdout.write(f"Import #{job.pk} queued; `accalmie worker` will run it.")
            return
        self._run(job, options)

    def _workspace(self, slug: str) -> Workspace:
        workspace = Workspace.objects.filter(slug=slug).first()
        if workspace is None:
            raise CommandError(f"No workspace « {slug} »")
        return workspace

    def _job(self, job_id: int) -> ImportJob:
        job = ImportJob.objects.filter(pk=job_id).first()
        if job is None:
            raise CommandError(f"No import #{job_id}")
        return job

    def _account(self, workspace: Workspace, options: dict[str, Any]) -> MailAccount:
        if options["host"]:
            if not options["user"]:
                raise CommandError("--user is required with --host")
            return save_mail_account(
                workspace=workspace,
                label=options["account"],
                host=options["host"],
                port=options["port"],
                security=options["security"],
                username=options["user"],
                password_env=options["password_env"],
                password_file=options["password_file"],
                ca_file=options["ca_file"],
                folders=options["folders"],
            )
        account = MailAccount.objects.filter(workspace=workspace, label=options["account"]).first()
        if account is None:
            raise CommandError(
                f"No mail account « {options['account']} » in {workspace.slug}: "
                "give --host, --user and --password-env to create it"
            )
        return account

    def _run(self, job: ImportJob, options: dict[str, Any], force: bool = False) -> None:
        quiet = options.get("quiet") or options.get("verbosity", 1) == 0
        unit = "messages" if job.kind == ImportJob.Kind.IMAP else "bytes"
        bar = None if quiet else ProgressBar(job.total_bytes, unit=unit, start=job.done_bytes)

        def progress(current: ImportJob) -> None:
            if bar is not None:
                bar.total = current.total_bytes
                bar.update(current.done_bytes, current.seen)

        try:
            job = run_job(job, progress, force=force)
        except JobBusy as exc:
            raise CommandError(f"{exc}; use --force if that process is gone") from exc
        if bar is not None:
            bar.close(job.done_bytes, job.seen)
        self._print(job, options)
        if job.status == ImportJob.Status.FAILED:
            raise CommandError(f"import #{job.pk} failed: {job.error}")

    def _print(self, job: ImportJob, options: dict[str, Any]) -> None:
        report = job.report()
        quarantine = list(
            CapturedMessage.objects.filter(
                job=job, outcome=CapturedMessage.Outcome.QUARANTINED
            ).values("source_key", "reason")
        )
        report["quarantine"] = quarantine
        if options.get("json"):
            write_json(self.stdout, report)
            return
        self.stdout.write(
            f"Import #{job.pk} {job.status}: {job.seen} message(s) read — {job.imported} imported "
            f"({job.unassigned} without a client, to sort in the review list), "
            f"{job.duplicates} duplicate(s), {job.quarantined} quarantined."
        )
        for item in quarantine[:20]:
            self.stdout.write(f"  quarantined {item['source_key']}: {item['reason']}")
        if job.quarantined > 20:
            self.stdout.write(f"  … `accalmie import report {job.pk}` lists them all")
        if job.status in {ImportJob.Status.INTERRUPTED, ImportJob.Status.FAILED}:
            self.stdout.write(f"Resume with: accalmie import resume {job.pk}")
