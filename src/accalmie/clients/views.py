from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from accalmie.accounts.access import client_for, membership_for
from accalmie.analysis.signals import GOOD_SIGNALS
from accalmie.clients.dashboard import (
    Filters,
    build_dashboard,
    chart_json,
    chart_svg_lines,
    health_series,
    open_alerts,
    timeline_entries,
)
from accalmie.comms.models import Interaction, InteractionParticipant
from accalmie.detect.models import SIGNAL_LABELS, SignalHit
from accalmie.health.models import Alert, HealthSnapshot, Status, WalkAwayDecision
from accalmie.health.views_support import health_context
from accalmie.projects.models import Project

TIMELINE_PAGE_SIZE = 25
TIMELINE_UNREAD = (
    "body_full",
    "quoted_text",
    "signature_text",
    "body_html",
    "references",
    "message_id",
    "in_reply_to",
)
HIT_UNREAD = ("evidence", "explanation_fr", "explanation_en", "detector", "detector_version")


@login_required
def client_list(request: HttpRequest, workspace: str) -> HttpResponse:
    """The portfolio dashboard: the clients this member may see, worst health first.

    A GET form filters it (status, account manager, signal, name); with HTMX, the form and the
    pager swap only the results (`_dashboard_results.html`) and push the URL.
    """
    membership = membership_for(request.user, workspace)
    filters = Filters.from_query(request.GET)
    board = build_dashboard(
        membership,
        filters,
        request.GET.get("page"),
        (get_language() or "fr")[:2],
        timezone.localdate(),
    )
    context = {
        "membership": membership,
        "workspace": membership.workspace,
        "board": board,
        "filters": filters,
        "statuses": Status.choices,
        "signals": sorted(
            ((k, str(v)) for k, v in SIGNAL_LABELS.items() if k not in GOOD_SIGNALS),
            key=lambda kv: kv[1],
        ),
    }
    partial = request.headers.get("HX-Request") and not request.headers.get(
        "HX-History-Restore-Request"
    )
    template = "clients/_dashboard_results.html" if partial else "clients/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def client_detail(request: HttpRequest, workspace: str, client_id: int) -> HttpResponse:
    """Show a client: who they are, what was agreed, and every exchange, newest first."""
    membership = membership_for(request.user, workspace)
    client = client_for(membership, client_id)
    client.workspace = membership.workspace  # the same row, read already: not read again
    projects = (
        Project.objects.filter(client=client)
        .select_related("contract__client_contact", "contract__agency_contact")
        .prefetch_related("contract__scope_items", "milestones")
        .annotate(revisions_used=Count("revision_rounds"))
    )
    # The timeline shows a sender, a subject, an excerpt and hit badges: the long texts it
    # does not show (full body, quotes, HTML, headers; the hits' evidence) are not read.
    timeline = (
        Interaction.objects.filter(client=client)
        .defer(*TIMELINE_UNREAD)
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=InteractionParticipant.objects.filter(role="from").select_related(
                    "contact", "user"
                ),
            ),
            # Each hit with its verdict, so a hit marked wrong shows as dismissed.
            Prefetch(
                "hits",
                queryset=SignalHit.objects.select_related("feedback").defer(*HIT_UNREAD),
            ),
        )
        .order_by("-occurred_at", "-id")
    )
    page = Paginator(timeline, TIMELINE_PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    lang = (get_language() or "fr")[:2]
    invoices = list(client.invoices.all()[:12])
    for invoice in invoices:
        invoice.late_days = invoice.days_late(today)  # type: ignore[attr-defined]
    snapshots = list(HealthSnapshot.objects.filter(client=client).order_by("day"))
    health = health_context(client, lang, snapshots)
    series = health_series(snapshots)
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
            "invoices": invoices,
            "pulses": client.pulses.select_related("member")[:12],
            "page": page,
            "timeline": timeline_entries(page.object_list, membership.workspace.slug),
            "today": today,
            "health": health,
            "chart": {
                "series": series,
                "lines": chart_svg_lines(series),
                "data": chart_json(series),
            },
            "alerts": list(Alert.objects.filter(open_alerts(today), client=client)[:10]),
            "decision": WalkAwayDecision.objects.filter(client=client)
            .select_related("decided_by")
            .first(),
        },
    )
