from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accalmie.accounts.access import (
    client_for,
    interaction_for,
    membership_for,
    visible_interactions,
)
from accalmie.capture.blobs import read_blob
from accalmie.comms.forms import InteractionForm
from accalmie.comms.models import InteractionParticipant
from accalmie.comms.permissions import can_record, require_note
from accalmie.comms.services import log_exchange
from accalmie.detect.templatetags.signals import highlight


@login_required
def interaction_detail(request: HttpRequest, workspace: str, interaction_id: int) -> HttpResponse:
    """Show one exchange in full, with the thread around it."""
    membership = membership_for(request.user, workspace)
    interaction = interaction_for(membership, interaction_id)
    participants = InteractionParticipant.objects.filter(interaction=interaction).select_related(
        "contact", "user"
    )
    hits = list(interaction.hits.select_related("feedback__given_by"))
    # Explanations in the reader's language, whatever the message's language.
    highlighted_body, marked = highlight(interaction.body_text, hits, get_language() or "fr")
    for hit in hits:
        hit.marked = hit.pk in marked  # type: ignore[attr-defined]
    thread = []
    if interaction.thread_id:
        thread = list(
            # A thread found by Message-ID may hold another client's exchanges: only those
            # this member may see are listed.
            visible_interactions(membership)
            .filter(thread_id=interaction.thread_id)
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
            "hits": hits,
            "highlighted_body": highlighted_body,
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


@login_required
@require_http_methods(["GET", "POST"])
def interaction_record(request: HttpRequest, workspace: str, client_id: int) -> HttpResponse:
    """Record a call, a meeting or a note with a client (team members: notes only)."""
    membership = membership_for(request.user, workspace)
    client = client_for(membership, client_id)
    require_note(membership)
    notes_only = not can_record(membership)
    assert isinstance(request.user, User)
    if request.method == "POST":
        form = InteractionForm(request.POST, client=client, notes_only=notes_only)
        if form.is_valid():
            data = form.cleaned_data
            interaction = log_exchange(
                client=client,
                actor=request.user,
                channel=data["channel"],
                direction=data["direction"],
                occurred_at=data["occurred_at"],
                subject=data["subject"],
                body_text=data["body_text"],
                duration_minutes=data["duration_minutes"],
                attendees=data["attendees"],
            )
            saved = {
                "call": _("Appel enregistré."),
                "meeting": _("Réunion enregistrée."),
                "note": _("Note enregistrée."),
            }
            messages.success(request, saved[interaction.channel])
            return redirect(
                "interaction-detail", workspace=workspace, interaction_id=interaction.pk
            )
    else:
        channel = request.GET.get("channel", "note" if notes_only else "call")
        initial = {
            "channel": channel,
            "direction": "internal" if channel == "note" else "to_client",
            "occurred_at": timezone.localtime().replace(second=0, microsecond=0),
        }
        form = InteractionForm(initial=initial, client=client, notes_only=notes_only)
    return render(
        request,
        "comms/record.html",
        {
            "membership": membership,
            "workspace": membership.workspace,
            "client": client,
            "form": form,
            "notes_only": notes_only,
        },
        status=400 if form.is_bound and form.errors else 200,
    )
