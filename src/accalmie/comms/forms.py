"""The form of an exchange recorded by hand: a call, a meeting or a note."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accalmie.clients.models import Client, Contact
from accalmie.comms.models import Channel, Direction

MANUAL_CHANNELS = [
    (Channel.CALL, _("Appel")),
    (Channel.MEETING, _("Réunion")),
    (Channel.NOTE, _("Note")),
]
DIRECTIONS = [
    (Direction.TO_CLIENT, _("À notre initiative (vers le client)")),
    (Direction.FROM_CLIENT, _("À l'initiative du client")),
    (Direction.INTERNAL, _("Interne (le client n'y était pas)")),
]
# An exchange recorded by hand may be dated a little ahead (clocks), never later.
FUTURE_SLACK = dt.timedelta(minutes=15)
# Nor before this year (year 1 overflows when converted to UTC).
EARLIEST_YEAR = 1990


class ContactChoiceField(forms.ModelMultipleChoiceField):
    """Contacts by id; a value that is not an id is an invalid choice, not a database error.

    Django's `pk__in` lookup sends a too large number as is, and SQLite refuses it.
    """

    def _check_values(self, value: Any) -> Any:
        for pk in value:
            text = str(pk)
            if not (text.isascii() and text.isdigit() and len(text) <= 18):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice"
                )
        return super()._check_values(value)  # type: ignore[misc]  # private in django-stubs


class InteractionForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Type d'échange"),
        choices=MANUAL_CHANNELS,
        error_messages={
            "required": _("Choisissez le type d'échange."),
            "invalid_choice": _("Ce type d'échange ne peut pas être saisi ici."),
        },
    )
    direction = forms.ChoiceField(
        label=_("À l'initiative de"),
        choices=DIRECTIONS,
        error_messages={"required": _("Dites qui a pris l'initiative de l'échange.")},
    )
    occurred_at = forms.DateTimeField(
        label=_("Date et heure"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": _("Indiquez la date et l'heure de l'échange."),
            "invalid": _("Date et heure invalides : utilisez le format JJ/MM/AAAA HH:MM."),
        },
    )
    duration_minutes = forms.IntegerField(
        label=_("Durée (minutes)"),
        required=False,
        min_value=1,
        max_value=24 * 60,
        error_messages={
            "invalid": _("La durée est un nombre entier de minutes."),
            "min_value": _("La durée est d'au moins une minute."),
            "max_value": _("La durée ne peut pas dépasser 24 heures (1 440 minutes)."),
        },
    )
    subject = forms.CharField(
        label=_("Objet"),
        max_length=500,
        error_messages={
            "required": _("Donnez un objet à l'échange."),
            "max_length": _("L'objet fait au plus 500 caractères."),
        },
    )
    body_text = forms.CharField(
        label=_("Compte rendu"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=50_000,
        error_messages={
            "required": _("Écrivez le compte rendu : ce qui a été dit ou décidé."),
            "max_length": _("Le compte rendu fait au plus 50 000 caractères."),
        },
    )
    attendees = ContactChoiceField(
        label=_("Participants côté client"),
        queryset=Contact.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Ce contact n'est pas un contact de ce client.")},
    )

    def __init__(self, *args: Any, client: Client, notes_only: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.client = client
        attendees = self.fields["attendees"]
        channel = self.fields["channel"]
        assert isinstance(attendees, forms.ModelMultipleChoiceField)
        assert isinstance(channel, forms.ChoiceField)
        attendees.queryset = Contact.objects.filter(client=client).order_by("name")
        if notes_only:
            channel.choices = [(Channel.NOTE, _("Note"))]

    def clean_occurred_at(self) -> dt.datetime:
        value: dt.datetime = self.cleaned_data["occurred_at"]
        if timezone.is_naive(value):
            try:
                zone = zoneinfo.ZoneInfo(self.client.timezone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                zone = zoneinfo.ZoneInfo("Europe/Paris")
            value = value.replace(tzinfo=zone)
        if value.year < EARLIEST_YEAR:
            raise forms.ValidationError(
                _("Un échange saisi ici date de %(year)s ou après.") % {"year": EARLIEST_YEAR}
            )
        if value > timezone.now() + FUTURE_SLACK:
            raise forms.ValidationError(_("Un échange ne peut pas être daté dans le futur."))
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("channel") == Channel.NOTE:
            data["duration_minutes"] = None
        elif data.get("direction") == Direction.INTERNAL:
            self.add_error(
                "direction",
                _("Un appel ou une réunion avec le client n'est pas un échange interne."),
            )
        return data
