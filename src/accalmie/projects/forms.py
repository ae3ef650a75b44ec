"""The form of a project's contract: scope, revision rounds, payment, notice, contacts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from accalmie.clients.models import Contact
from accalmie.projects.models import Contract, Project

MAX_SCOPE_LINES = 200


def _lines(value: str) -> list[str]:
    return [line.strip(" \t-•*") for line in value.splitlines() if line.strip(" \t-•*")]


def _count(label: Any, maximum: int) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=maximum,
        error_messages={
            "required": _("Indiquez un nombre (0 si aucun)."),
            "invalid": _("Indiquez un nombre entier."),
            "min_value": _("Ce nombre ne peut pas être négatif."),
            "max_value": _("Au plus %(limit_value)s."),
        },
    )


class ContractForm(forms.ModelForm):
    revision_rounds_allowed = _count(_("Séries de corrections prévues"), 50)
    payment_terms_days = _count(_("Délai de paiement (jours)"), 365)
    notice_period_days = _count(_("Préavis de résiliation (jours)"), 365)
    scope_included = forms.CharField(
        label=_("Périmètre inclus"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Un livrable par ligne."),
    )
    scope_excluded = forms.CharField(
        label=_("Explicitement exclu"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Une ligne par élément hors périmètre."),
    )

    class Meta:
        model = Contract
        fields = [
            "reference",
            "signed_on",
            "amount",
            "currency",
            "revision_rounds_allowed",
            "payment_terms_days",
            "payment_terms",
            "termination_clause",
            "notice_period_days",
            "confidentiality",
            "client_contact",
            "agency_contact",
        ]
        widgets = {
            "signed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "payment_terms": forms.Textarea(attrs={"rows": 2}),
            "termination_clause": forms.Textarea(attrs={"rows": 3}),
            "confidentiality": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {
            "signed_on": {"invalid": _("Date invalide : utilisez le format JJ/MM/AAAA.")},
            "amount": {
                "invalid": _("Le montant est un nombre, par exemple 15000."),
                "max_digits": _("Ce montant est trop grand."),
                "max_decimal_places": _("Au plus deux chiffres après la virgule."),
            },
            "client_contact": {"invalid_choice": _("Ce contact n'est pas un contact du client.")},
            "agency_contact": {
                "invalid_choice": _("Cette personne n'est pas membre de l'espace de travail.")
            },
        }

    def __init__(self, *args: Any, project: Project, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.project = project
        client = project.client
        signed_on = self.fields["signed_on"]
        assert isinstance(signed_on, forms.DateField)
        signed_on.input_formats = ["%Y-%m-%d", "%d/%m/%Y"]
        self.fields["amount"].localize = True
        self.fields["amount"].widget.is_localized = True
        client_contact = self.fields["client_contact"]
        agency_contact = self.fields["agency_contact"]
        assert isinstance(client_contact, forms.ModelChoiceField)
        assert isinstance(agency_contact, forms.ModelChoiceField)
        client_contact.queryset = Contact.objects.filter(client=client).order_by("name")
        agency_contact.queryset = (
            get_user_model()
            .objects.filter(memberships__workspace_id=client.workspace_id)
            .order_by("last_name", "first_name", "username")
        )
        self.fields["agency_contact"].label_from_instance = (  # type: ignore[attr-defined]
            lambda u: u.get_full_name() or u.get_username()
        )
        if self.instance.pk and not self.is_bound:
            items = list(self.instance.scope_items.all())
            self.initial["scope_included"] = "\n".join(i.title for i in items if i.included)
            self.initial["scope_excluded"] = "\n".join(i.title for i in items if not i.included)

    def clean_amount(self) -> Any:
        amount = self.cleaned_data.get("amount")
        if amount is not None and amount < 0:
            raise forms.ValidationError(_("Le montant ne peut pas être négatif."))
        return amount

    def clean_currency(self) -> str:
        currency = (self.cleaned_data.get("currency") or "").strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            raise forms.ValidationError(
                _("La devise est un code de trois lettres, par exemple EUR.")
            )
        return currency

    def _scope(self, name: str) -> list[str]:
        lines = _lines(self.cleaned_data.get(name) or "")
        if len(lines) > MAX_SCOPE_LINES:
            raise forms.ValidationError(
                _("Au plus %(n)s lignes de périmètre.") % {"n": MAX_SCOPE_LINES}
            )
        if any(len(line) > 300 for line in lines):
            raise forms.ValidationError(_("Chaque ligne fait au plus 300 caractères."))
        return lines

    def clean_scope_included(self) -> list[str]:
        return self._scope("scope_included")

    def clean_scope_excluded(self) -> list[str]:
        return self._scope("scope_excluded")
