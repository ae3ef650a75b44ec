from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accalmie.accounts.access import interaction_for, membership_for
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
            "thread": thread,
        },
    )
