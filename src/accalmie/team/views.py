"""The weekly pulse form: every client a member works on, one row each."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from accalmie.accounts.access import membership_for
from accalmie.accounts.models import Membership
from accalmie.clients.models import Client
from accalmie.comms.permissions import require_note
from accalmie.team.forms import PulseForm, current_week
from accalmie.team.models import TeamPulse
from accalmie.team.services import record_week


def pulse_clients(membership: Membership) -> list[Client]:
    """The clients this member works on (assigned to their team, or their account manager)."""
    user_id = membership.user_id
    return list(
        Client.objects.filter(workspace_id=membership.workspace_id, is_archived=False)
        .filter(Q(team__id=user_id) | Q(account_manager_id=user_id))
        .distinct()
        .order_by("name")
    )


@login_required
@require_http_methods(["GET", "POST"])
def weekly_pulse(request: HttpRequest, workspace: str) -> HttpResponse:
    membership = membership_for(request.user, workspace)
    require_note(membership)
    assert isinstance(request.user, User)
    clients = pulse_clients(membership)
    if request.method == "POST":
        form = PulseForm(request.POST, clients=clients)
        valid = form.is_valid()
        week = form.cleaned_data.get("week") or current_week()
        if valid:
            saved = record_week(member=request.user, week=week, entries=form.entries())
            messages.success(
                request,
                ngettext(
                    "Pouls de la semaine du %(week)s enregistré pour %(n)s client.",
                    "Pouls de la semaine du %(week)s enregistré pour %(n)s clients.",
                    len(saved),
                )
                % {"week": date_format(week), "n": len(saved)},
            )
            return redirect(
                reverse("team-pulse", kwargs={"workspace": workspace}) + f"?week={week}"
            )
    else:
        week = current_week()
        # The week alone: with no client rows, the form's "at least one rating" check fails
        # whatever the week, so only the week field's own cleaning is asked.
        form_week = PulseForm({"week": request.GET.get("week", "")}, clients=[])
        if request.GET.get("week") and not form_week.has_error("week"):
            week = form_week.cleaned_data["week"]
        initial: dict[str, object] = {"week": week}
        for pulse in TeamPulse.objects.filter(
            member=request.user, week=week, client__in=[c.pk for c in clients]
        ):
            initial[f"rating_{pulse.client_id}"] = pulse.rating
            initial[f"comment_{pulse.client_id}"] = pulse.comment
        form = PulseForm(initial=initial, clients=clients)
    return render(
        request,
        "team/pulse.html",
        {
            "membership": membership,
            "workspace": membership.workspace,
            "form": form,
            "clients": clients,
            "week": week,
        },
        status=400 if form.is_bound and form.errors else 200,
    )
