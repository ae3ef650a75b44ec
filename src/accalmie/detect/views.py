"""Feedback on a hit: "right" or "wrong / not relevant", by form or by HTMX."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accalmie.accounts.access import membership_for, visible_interactions
from accalmie.detect.feedback import give_feedback
from accalmie.detect.forms import FeedbackForm
from accalmie.detect.models import SignalHit
from accalmie.detect.templatetags.signals import highlight


@login_required
@require_POST
def hit_feedback(request: HttpRequest, workspace: str, hit_id: int) -> HttpResponse:
    """Record a person's verdict on one text hit, then show the hit again."""
    membership = membership_for(request.user, workspace)
    hit = (
        SignalHit.objects.filter(pk=hit_id, interaction__in=visible_interactions(membership))
        .select_related("interaction")
        .first()
    )
    if hit is None:
        raise Http404("No such hit")
    if not membership.can_write:
        raise PermissionDenied
    assert isinstance(request.user, User)
    form = FeedbackForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            give_feedback(
                hit,
                verdict=form.cleaned_data["verdict"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    if request.headers.get("HX-Request") == "true":
        hit = SignalHit.objects.select_related("feedback__given_by", "interaction").get(pk=hit.pk)
        siblings = list(hit.interaction.hits.select_related("feedback"))
        body, marked = highlight(hit.interaction.body_text, siblings, get_language() or "fr")
        hit.marked = hit.pk in marked  # type: ignore[attr-defined]
        # The hit's item, and the message's text out of band (its marks say "dismissed").
        # An error comes back as 200: HTMX swaps only successful answers, and the
        # re-rendered form with its message is what the person must see.
        return render(
            request,
            "detect/_hit_feedback_response.html",
            {
                "hit": hit,
                "highlighted_body": body,
                "workspace": membership.workspace,
                "membership": membership,
                "feedback_error": error,
            },
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Merci : votre avis sur ce signal est enregistré."))
    url = reverse(
        "interaction-detail",
        kwargs={"workspace": workspace, "interaction_id": hit.interaction_id},
    )
    return redirect(f"{url}#hit-{hit.pk}-item")
