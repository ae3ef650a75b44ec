from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language

from accalmie.accounts.access import client_for, membership_for, visible_clients
from accalmie.comms.models import Interaction, InteractionParticipant
from accalmie.projects.models import Project

TIMELINE_PAGE_SIZE = 25


@login_required
def client_list(request: HttpRequest, workspace: str) -> HttpResponse:
    """List the clients this member may see, most recently active first."""
    membership = membership_for(request.user, workspace)
    query = request.GET.get("q", "").strip()
    clients = (
        visible_clients(membership)
        .select_related("account_manager")
        .annotate(
            interaction_count=Count("interactions", distinct=True),
            open_invoice_count=Count("invoices", filter=Q(invoices__paid_on=None), distinct=True),
        )
        .order_by("is_archived", "-last_interaction_at", "name")
    )
    if query:
        clients = clients.filter(name__icontains=query)
    return render(
        request,
        "clients/list.html",
        {
            "membership": membership,
            "workspace": membership.workspace,
            "clients": clients,
            "query": query,
        },
    )


@login_required
def client_detail(request: HttpRequest, workspace: str, client_id: int) -> HttpResponse:
    """Show a client: who they are, what was agreed, and every exchange, newest first."""
    membership = membership_for(request.user, workspace)
    client = client_for(membership, client_id)
    projects = (
        Project.objects.filter(client=client)
        .select_related("contract__client_contact", "contract__agency_contact")
        .prefetch_related("contract__scope_items", "milestones")
        .annotate(revisions_used=Count("revision_rounds"))
    )
    timeline = (
        Interaction.objects.filter(client=client)
        .select_related("thread")
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=InteractionParticipant.objects.select_related("contact", "user"),
            ),
            "hits",
        )
        .order_by("-occurred_at", "-id")
    )
    page = Paginator(timeline, TIMELINE_PAGE_SIZE).get_page(request.GET.get("page"))
    from accalmie.health.views_support import health_context

    return render(
        request,
        "clients/detail.html",
        {
            "membership": membership,
            "workspace": membership.workspace,
            "client": client,
            "contacts": client.contacts.prefetch_related("emails"),
            "team": client.team.all(),
            "projects": projects,
            "invoices": client.invoices.all()[:12],
            "pulses": client.pulses.select_related("member")[:12],
            "page": page,
            "today": timezone.localdate(),
            "health": health_context(client, get_language() or "fr"),
        },
    )
