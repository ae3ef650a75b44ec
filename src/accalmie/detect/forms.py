"""The form of a verdict on a hit."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accalmie.detect.models import HitFeedback


class FeedbackForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Ce signal est-il juste ?"),
        choices=HitFeedback.Verdict.choices,
        error_messages={
            "required": _("Dites si le signal est juste ou faux."),
            "invalid_choice": _("Choisissez « Juste » ou « Faux / hors sujet »."),
        },
    )
    note = forms.CharField(
        label=_("Note (facultative)"),
        required=False,
        max_length=2000,
        error_messages={"max_length": _("La note fait au plus 2 000 caractères.")},
    )
