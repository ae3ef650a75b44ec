from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from accalmie.accounts.access import interaction_for, membership_for
from accalmie.capture.blobs import read_blob
from accalmie.comms.models import Interaction, InteractionParticipant


@login_required
def interaction_detail(request: HttpRequest, workspace: str, interaction_id: int) -> HttpResponse:
    """Show one exchange in full, with the thread around it."""
    membership = membership_for(request.user, workspace)
    interaction = interaction_for(membership, interaction_id)
    participants = InteractionParticipant.objects.filter(interaction=interaction).select_related(
        "contact", "user"
    )
    thread = []
    if interaction.thread_id:
        thread = list(
            Interaction.objects.filter(thread_id=interaction.thread_id)
            .prefetch_related(
                Prefetch(
                    "participants",
                    queryset=InteractionParticipant.objects.select_related("contact", "user"),
                )
            )
            .order_by("occurred_at", "id")
        )
    return render(
        request,
        "comms/interaction.html",
        {
            "membership": membership,
            "workspace": membership.workspace,
            "interaction": interaction,
            "client": interaction.client,
            "participants": participants,
            "attachments": interaction.attachments.all(),
            "hits": list(interaction.hits.all()),
            "thread": thread,
        },
    )


def _download(data: bytes, filename: str) -> HttpResponse:
    # Always a download of opaque bytes: an attachment is never rendered or run by the browser.
    response = HttpResponse(data, content_type="application/octet-stream")
    safe = "".join(c for c in filename if c.isprintable() and c not in '"\\/') or "file"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(safe)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def attachment_download(
    request: HttpRequest, workspace: str, interaction_id: int, attachment_id: int
) -> HttpResponse:
    membership = membership_for(request.user, workspace)
    interaction = interaction_for(membership, interaction_id)
    attachment = interaction.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404("No such attachment")
    return _download(read_blob(attachment.sha256), attachment.filename)


@login_required
def original_download(request: HttpRequest, workspace: str, interaction_id: int) -> HttpResponse:
    membership = membership_for(request.user, workspace)
    interaction = interaction_for(membership, interaction_id)
    if not interaction.original_ref:
        raise Http404("This exchange was not imported")
    return _download(read_blob(interaction.original_ref), f"message-{interaction.pk}.eml")
