from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accalmie.accounts.access import alert_for, client_for, membership_for, visible_alerts
from accalmie.accounts.models import Role
from accalmie.detect.forms import FeedbackForm
from accalmie.detect.models import SIGNAL_LABELS
from accalmie.health.feedback import give_behaviour_feedback, verdicts_for
from accalmie.health.models import BehaviourHit, WalkAwayDecision, WalkAwayFlag
from accalmie.health.services import (
    acknowledge_alert,
    record_decision,
    set_walkaway_flag,
    snooze_alert,
)
from accalmie.health.views_support import alert_reasons, evidence_labels
from accalmie.health.walkaway import assessment_for


@login_required
def alert_list(request: HttpRequest, workspace: str) -> HttpResponse:
    """List the open alerts of the clients this member may see; `?all=1` shows every one."""
    membership = membership_for(request.user, workspace)
    alerts = visible_alerts(membership).select_related("client")
    show_all = request.GET.get("all") == "1"
    if not show_all:
        alerts = alerts.filter(acknowledged_at__isnull=True).filter(
            Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=timezone.localdate())
        )
    rows = list(alerts.order_by("-raised_on", "-pk")[:200])
    lang = (get_language() or "fr")[:2]
    for alert in rows:
        alert.reason_rows = alert_reasons(alert.reasons, lang)
    return render(
        request,
        "health/alerts.html",
        {
            "membership": membership,
            "workspace": membership.workspace,
            "alerts": rows,
            "show_all": show_all,
        },
    )


@login_required
@require_POST
def alert_action(request: HttpRequest, workspace: str, alert_id: int) -> HttpResponse:
    """Acknowledge or snooze one alert."""
    membership = membership_for(request.user, workspace)
    alert = alert_for(membership, alert_id)
    if not membership.can_write:  # a reader sees the alert but may not act on it
        raise PermissionDenied
    assert isinstance(request.user, User)
    action = request.POST.get("action")
    if action == "acknowledge":
        acknowledge_alert(alert, request.user)
        messages.success(request, _("Alerte marquée comme traitée."))
    elif action == "snooze":
        try:
            snooze_alert(alert, request.user, int(request.POST.get("days", "7")))
        except (ValueError, ValidationError):
            messages.error(request, _("Mise en sommeil de 1 à 90 jours."))
        else:
            messages.success(request, _("Alerte mise en sommeil."))
    else:
        messages.error(request, _("Action inconnue."))
    return redirect("alert-list", workspace=workspace)


# Who decides whether a relationship goes on: the account managers and the directors.
DECIDING_ROLES = frozenset({Role.DIRECTOR, Role.ACCOUNT_MANAGER})


@login_required
@require_http_methods(["GET", "POST"])
def walkaway(request: HttpRequest, workspace: str, client_id: int) -> HttpResponse:
    """Show the walk-away assessment of a client; record the flag or a decision."""
    membership = membership_for(request.user, workspace)
    client = client_for(membership, client_id)
    assessment = assessment_for(client, get_language() or "fr")
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not membership.can_write:
            raise PermissionDenied
        assert isinstance(request.user, User)
        if request.POST.get("form") == "flag":
            set_walkaway_flag(
                client,
                request.POST.get("illegal_or_unethical") == "on",
                request.POST.get("note", ""),
                request.user,
            )
            messages.success(request, _("Signalement enregistré."))
            return redirect("walkaway", workspace=workspace, client_id=client.pk)
        if membership.role not in DECIDING_ROLES:
            raise PermissionDenied
        try:
            record_decision(
                client,
                request.POST.get("outcome", ""),
                request.POST.get("reason", ""),
                request.user,
                assessment["proposed"],
                assessment["snapshot"],
            )
        except ValidationError as exc:
            errors["decision"] = " ".join(exc.messages)
        else:
            messages.success(request, _("Décision enregistrée."))
            return redirect("walkaway", workspace=workspace, client_id=client.pk)
    context: dict[str, Any] = {
        "membership": membership,
        "workspace": membership.workspace,
        "client": client,
        "assessment": assessment,
        "flag": WalkAwayFlag.objects.filter(client=client).first(),
        "decisions": WalkAwayDecision.objects.filter(client=client).select_related("decided_by"),
        "outcomes": WalkAwayDecision.Outcome.choices,
        "can_decide": membership.role in DECIDING_ROLES,
        "errors": errors,
    }
    return render(request, "health/walkaway.html", context, status=400 if errors else 200)


SIGNS_PER_PAGE = 25


@login_required
def behaviour_signs(request: HttpRequest, workspace: str, client_id: int) -> HttpResponse:
    """List a client's behavioural signs, newest first, each with its evidence and verdict."""
    membership = membership_for(request.user, workspace)
    client = client_for(membership, client_id)
    signs = BehaviourHit.objects.filter(client=client).order_by("-occurred_at", "-pk")
    page = Paginator(signs, SIGNS_PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    verdicts = verdicts_for(rows)
    refs = evidence_labels(client, {(str(k), int(i)) for h in rows for k, i in h.evidence})
    lang = get_language() or "fr"
    for hit in rows:
        hit.label = str(SIGNAL_LABELS.get(hit.signal, hit.signal))
        hit.text = hit.explanation(lang)
        hit.fb = verdicts.get(hit.key)
        hit.refs = [refs[str(k), int(i)] for k, i in hit.evidence if (str(k), int(i)) in refs]
    return render(
        request,
        "health/signs.html",
        {
            "membership": membership,
            "workspace": membership.workspace,
            "client": client,
            "page": page,
            "signs": rows,
        },
    )


@login_required
@require_POST
def behaviour_feedback(
    request: HttpRequest, workspace: str, client_id: int, hit_id: int
) -> HttpResponse:
    """Record a person's verdict on one behavioural sign, then show the list again."""
    membership = membership_for(request.user, workspace)
    client = client_for(membership, client_id)
    hit = BehaviourHit.objects.filter(pk=hit_id, client=client).select_related("client").first()
    if hit is None:
        raise Http404("No such sign")
    if not membership.can_write:
        raise PermissionDenied
    assert isinstance(request.user, User)
    form = FeedbackForm(request.POST)
    if form.is_valid():
        try:
            give_behaviour_feedback(
                hit,
                verdict=form.cleaned_data["verdict"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Merci : votre avis sur ce signe est enregistré."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    # The recomputation keeps an unchanged sign's row; if it was rebuilt, find it by its key.
    current = BehaviourHit.objects.filter(client=client, key=hit.key).values_list("pk", flat=True)
    anchor = next(iter(current), hit.pk)
    url = reverse("behaviour-signs", kwargs={"workspace": workspace, "client_id": client.pk})
    page = request.POST.get("page", "")
    query = f"?page={page}" if page.isdigit() else ""
    return redirect(f"{url}{query}#sign-{anchor}")
