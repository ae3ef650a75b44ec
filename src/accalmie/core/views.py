from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from accalmie.accounts.access import memberships_of


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send the user to their workspace, or let them choose when they have several."""
    memberships = list(memberships_of(request.user))
    if len(memberships) == 1:
        return redirect("client-list", workspace=memberships[0].workspace.slug)
    return render(request, "core/workspaces.html", {"memberships": memberships})


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer 200 when the database answers: for monitoring and start-up scripts."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})
