from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accalmie.accounts.access import membership_for, visible_clients
from accalmie.accounts.models import Membership
from accalmie.capture.blobs import read_blob
from accalmie.capture.forms import AssignForm, MailAccountForm, UploadForm
from accalmie.capture.models import CapturedMessage, Correspondent, ImportJob, MailAccount
from accalmie.capture.services import (
    assign_correspondent,
    create_job,
    enqueue_job,
    ignore_correspondent,
    save_mail_account,
    store_upload,
)


def _actor(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def _writer(request: HttpRequest, workspace: str) -> Membership:
    membership = membership_for(request.user, workspace)
    if not membership.can_write:
        raise PermissionDenied("Read-only members cannot import")
    return membership


def _job_for(membership: Membership, job_id: int) -> ImportJob:
    job = ImportJob.objects.filter(workspace=membership.workspace, pk=job_id).first()
    if job is None:
        raise Http404("No such import")
    return job


@login_required
def import_list(request: HttpRequest, workspace: str) -> HttpResponse:
    """Show imports with their progress, the upload form and the mail accounts."""
    membership = _writer(request, workspace)
    ws = membership.workspace
    form = UploadForm()
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            path = store_upload(ws, upload.name, upload)
            with transaction.atomic():
                job = create_job(
                    workspace=ws,
                    kind=form.cleaned_data["kind"],
                    path=str(path),
                    label=upload.name,
                    actor=_actor(request),
                )
                enqueue_job(job)
            messages.success(request, _("Import lancé : %(name)s") % {"name": upload.name})
            return redirect("import-report", workspace=ws.slug, job_id=job.pk)
    jobs = ImportJob.objects.filter(workspace=ws)[:50]
    return render(
        request,
        "capture/imports.html",
        {
            "membership": membership,
            "workspace": ws,
            "form": form,
            "jobs": jobs,
            "accounts": MailAccount.objects.filter(workspace=ws),
            "refresh": any(j.is_active for j in jobs),
        },
    )


@login_required
def import_report(request: HttpRequest, workspace: str, job_id: int) -> HttpResponse:
    """Account for every message of one import."""
    membership = _writer(request, workspace)
    job = _job_for(membership, job_id)
    quarantine = CapturedMessage.objects.filter(
        job=job, outcome=CapturedMessage.Outcome.QUARANTINED
    )[:500]
    return render(
        request,
        "capture/report.html",
        {
            "membership": membership,
            "workspace": membership.workspace,
            "job": job,
            "quarantine": quarantine,
            "refresh": job.is_active,
        },
    )


@login_required
@require_POST
def import_resume(request: HttpRequest, workspace: str, job_id: int) -> HttpResponse:
    membership = _writer(request, workspace)
    job = _job_for(membership, job_id)
    if job.status in {ImportJob.Status.INTERRUPTED, ImportJob.Status.FAILED}:
        with transaction.atomic():
            job.status = ImportJob.Status.QUEUED
            job.save(update_fields=["status"])
            enqueue_job(job)
    return redirect("import-report", workspace=membership.workspace.slug, job_id=job.pk)


@login_required
def captured_original(request: HttpRequest, workspace: str, message_id: int) -> HttpResponse:
    """Download a quarantined message's original bytes (never rendered in the page)."""
    membership = _writer(request, workspace)
    captured = CapturedMessage.objects.filter(workspace=membership.workspace, pk=message_id).first()
    if captured is None:
        raise Http404("No such message")
    response = HttpResponse(
        read_blob(captured.content_hash), content_type="application/octet-stream"
    )
    response["Content-Disposition"] = f'attachment; filename="message-{captured.pk}.eml"'
    return response


@login_required
def mail_account_new(request: HttpRequest, workspace: str) -> HttpResponse:
    membership = _writer(request, workspace)
    form = MailAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            save_mail_account(
                workspace=membership.workspace,
                label=data["label"],
                host=data["host"],
                port=data["port"],
                security=data["security"],
                username=data["username"],
                password_env=data["password_env"],
                password_file=data["password_file"],
                ca_file=data["ca_file"],
                folders=form.folder_list(),
                actor=_actor(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Compte enregistré. Lancez une synchronisation."))
            return redirect("import-list", workspace=membership.workspace.slug)
    return render(
        request,
        "capture/account_form.html",
        {
            "membership": membership,
            "workspace": membership.workspace,
            "form": form,
        },
    )


@login_required
@require_POST
def mail_account_sync(request: HttpRequest, workspace: str, account_id: int) -> HttpResponse:
    membership = _writer(request, workspace)
    account = MailAccount.objects.filter(workspace=membership.workspace, pk=account_id).first()
    if account is None:
        raise Http404("No such account")
    with transaction.atomic():
        job = create_job(
            workspace=membership.workspace,
            kind=ImportJob.Kind.IMAP,
            account=account,
            actor=_actor(request),
        )
        enqueue_job(job)
    return redirect("import-report", workspace=membership.workspace.slug, job_id=job.pk)


@login_required
def review(request: HttpRequest, workspace: str) -> HttpResponse:
    """List the addresses nobody has said whose they are yet."""
    membership = _writer(request, workspace)
    pending = Correspondent.objects.filter(
        workspace=membership.workspace, status=Correspondent.Status.PENDING
    )
    clients = visible_clients(membership).order_by("name")
    return render(
        request,
        "capture/review.html",
        {
            "membership": membership,
            "workspace": membership.workspace,
            "correspondents": pending[:200],
            "pending_count": pending.count(),
            "form": AssignForm(clients=clients),
            "clients": clients,
        },
    )


@login_required
@require_POST
def review_decide(request: HttpRequest, workspace: str, correspondent_id: int) -> HttpResponse:
    """Assign an address to a client, or ignore it."""
    membership = _writer(request, workspace)
    correspondent = Correspondent.objects.filter(
        workspace=membership.workspace, pk=correspondent_id
    ).first()
    if correspondent is None:
        raise Http404("No such correspondent")
    if request.POST.get("action") == "ignore":
        ignore_correspondent(
            correspondent,
            actor=_actor(request),
        )
        messages.info(request, _("%(address)s ignoré.") % {"address": correspondent.address})
        return redirect("review", workspace=membership.workspace.slug)
    form = AssignForm(request.POST, clients=visible_clients(membership))
    if form.is_valid():
        try:
            moved = assign_correspondent(
                correspondent,
                form.cleaned_data["client"],
                whole_domain=form.cleaned_data["whole_domain"],
                actor=_actor(request),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("review", workspace=membership.workspace.slug)
        messages.success(
            request,
            _("%(address)s attribué à %(client)s (%(n)s échanges).")
            % {
                "address": correspondent.address,
                "client": form.cleaned_data["client"],
                "n": moved,
            },
        )
    else:
        messages.error(request, _("Choisissez un client."))
    return redirect("review", workspace=membership.workspace.slug)
