"""The weekly pulse: one row per client (a 1–5 rating and a comment), in one form."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accalmie.clients.models import Client

RATINGS = [
    (1, _("1 — épuisant")),
    (2, _("2 — difficile")),
    (3, _("3 — correct")),
    (4, _("4 — agréable")),
    (5, _("5 — un plaisir")),
]
# How far back a forgotten week can still be filled in.
WEEKS_BACK = 8


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def current_week() -> dt.date:
    return monday_of(timezone.localdate())


class PulseForm(forms.Form):
    week = forms.DateField(
        label=_("Semaine du"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Indiquez la semaine."),
            "invalid": _("Date invalide : utilisez le format JJ/MM/AAAA."),
        },
    )

    def __init__(self, *args: Any, clients: list[Client], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.clients = clients
        for client in clients:
            self.fields[f"rating_{client.pk}"] = forms.TypedChoiceField(
                label=_("Ressenti"),
                choices=RATINGS,
                coerce=int,
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": _("Le ressenti va de 1 à 5.")},
            )
            self.fields[f"comment_{client.pk}"] = forms.CharField(
                label=_("Commentaire"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={"max_length": _("Le commentaire fait au plus 2 000 caractères.")},
            )

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "client": c,
                "rating": self[f"rating_{c.pk}"],
                "comment": self[f"comment_{c.pk}"],
            }
            for c in self.clients
        ]

    def clean_week(self) -> dt.date:
        week = monday_of(self.cleaned_data["week"])
        now = current_week()
        if week > now:
            raise forms.ValidationError(_("On ne peut pas donner le pouls d'une semaine à venir."))
        if week < now - dt.timedelta(weeks=WEEKS_BACK):
            raise forms.ValidationError(
                _("On peut saisir le pouls des %(n)s dernières semaines seulement.")
                % {"n": WEEKS_BACK}
            )
        return week

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        rated = 0
        for client in self.clients:
            rating = data.get(f"rating_{client.pk}")
            comment = (data.get(f"comment_{client.pk}") or "").strip()
            if rating in (None, ""):
                data[f"rating_{client.pk}"] = None
                if comment:
                    self.add_error(
                        f"rating_{client.pk}",
                        _("Donnez un ressenti de 1 à 5 pour accompagner ce commentaire."),
                    )
            else:
                rated += 1
        if not rated and not self.errors:
            raise forms.ValidationError(_("Donnez un ressenti pour au moins un client."))
        return data

    def entries(self) -> list[tuple[Client, int, str]]:
        """The rated rows: (client, rating, comment)."""
        data = self.cleaned_data
        return [
            (c, int(data[f"rating_{c.pk}"]), (data.get(f"comment_{c.pk}") or "").strip())
            for c in self.clients
            if data.get(f"rating_{c.pk}") is not None
        ]
