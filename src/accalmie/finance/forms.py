"""Forms of invoices: a new invoice, and its payment or dispute."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accalmie.clients.models import Client
from accalmie.finance.models import Invoice

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
# Bounds a real invoice keeps: issued within ten years back and one year ahead, due within two.
MAX_INVOICE_AGE = dt.timedelta(days=3650)
MAX_PAYMENT_TERM = dt.timedelta(days=730)


class AmountField(forms.DecimalField):
    """A localised amount that also accepts spaces between thousands: « 1 250,50 »."""

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = "".join(value.split()).replace("\u202f", "")
        return super().to_python(value)


def _date_field(label: Any, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Indiquez cette date."),
            "invalid": _("Date invalide : utilisez le format JJ/MM/AAAA."),
        },
    )


def _not_future(value: dt.date | None, message: str) -> None:
    if value is not None and value > timezone.localdate():
        raise forms.ValidationError(message)


class InvoiceForm(forms.Form):
    number = forms.CharField(
        label=_("Numéro"),
        max_length=60,
        error_messages={
            "required": _("Indiquez le numéro de la facture."),
            "max_length": _("Le numéro fait au plus 60 caractères."),
        },
    )
    amount = AmountField(
        label=_("Montant"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        localize=True,
        error_messages={
            "required": _("Indiquez le montant."),
            "invalid": _("Le montant est un nombre, par exemple 1200,50."),
            "min_value": _("Le montant doit être positif."),
            "max_digits": _("Ce montant est trop grand."),
            "max_decimal_places": _("Au plus deux chiffres après la virgule."),
        },
    )
    currency = forms.RegexField(
        label=_("Devise"),
        regex=r"^[A-Za-z]{3}$",
        initial="EUR",
        error_messages={
            "required": _("Indiquez la devise."),
            "invalid": _("La devise est un code de trois lettres, par exemple EUR."),
        },
    )
    issued_on = _date_field(_("Émise le"))
    due_on = _date_field(_("Échéance"))
    paid_on = _date_field(_("Payée le"), required=False)

    def __init__(self, *args: Any, client: Client, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.client = client

    def clean_number(self) -> str:
        number = self.cleaned_data["number"].strip()
        if Invoice.objects.filter(client=self.client, number=number).exists():
            raise forms.ValidationError(_("Ce client a déjà une facture portant ce numéro."))
        return number

    def clean_currency(self) -> str:
        return str(self.cleaned_data["currency"]).upper()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        issued, due, paid = data.get("issued_on"), data.get("due_on"), data.get("paid_on")
        today = timezone.localdate()
        if issued and not today - MAX_INVOICE_AGE <= issued <= today + MAX_INVOICE_AGE / 10:
            # A typo in the year (2062, 1926) would make an invoice decades late or early.
            self.add_error(
                "issued_on", _("La date d'émission doit tomber entre il y a dix ans et dans un an.")
            )
        if issued and due and due < issued:
            self.add_error("due_on", _("L'échéance ne peut pas précéder la date d'émission."))
        elif issued and due and due > issued + MAX_PAYMENT_TERM:
            self.add_error("due_on", _("L'échéance tombe au plus deux ans après l'émission."))
        if issued and paid and paid < issued:
            self.add_error("paid_on", _("Une facture ne peut pas être payée avant d'être émise."))
        try:
            _not_future(paid, str(_("Le paiement ne peut pas être daté dans le futur.")))
        except forms.ValidationError as exc:
            self.add_error("paid_on", exc)
        return data


class PaymentForm(forms.Form):
    paid_on = _date_field(_("Payée le"), required=False)
    disputed = forms.BooleanField(label=_("Facture contestée par le client"), required=False)
    dispute_reason = forms.CharField(
        label=_("Motif de la contestation"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Le motif fait au plus 2 000 caractères.")},
    )

    def __init__(self, *args: Any, invoice: Invoice, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.invoice = invoice
        self.fields["paid_on"].help_text = _("Laissez vide tant que la facture n'est pas payée.")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        paid = data.get("paid_on")
        if paid and paid < self.invoice.issued_on:
            self.add_error("paid_on", _("Une facture ne peut pas être payée avant d'être émise."))
        elif paid and paid > timezone.localdate():
            self.add_error("paid_on", _("Le paiement ne peut pas être daté dans le futur."))
        if data.get("disputed") and not (data.get("dispute_reason") or "").strip():
            self.add_error(
                "dispute_reason", _("Notez le motif de la contestation donné par le client.")
            )
        return data
