"""Record an invoice, and its payment or dispute, from the web app."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accalmie.accounts.access import client_for, invoice_for, membership_for
from accalmie.comms.permissions import require_record
from accalmie.finance.forms import InvoiceForm, PaymentForm
from accalmie.finance.models import Invoice
from accalmie.finance.services import record_invoice, set_payment


def _client_invoices_url(workspace: str, client_id: int) -> str:
    url = reverse("client-detail", kwargs={"workspace": workspace, "client_id": client_id})
    return url + "#invoices-h"


@login_required
@require_http_methods(["GET", "POST"])
def invoice_create(request: HttpRequest, workspace: str, client_id: int) -> HttpResponse:
    membership = membership_for(request.user, workspace)
    client = client_for(membership, client_id)
    require_record(membership)
    assert isinstance(request.user, User)
    form = InvoiceForm(request.POST or None, client=client)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        invoice = record_invoice(
            client=client,
            number=data["number"],
            amount=data["amount"],
            currency=data["currency"],
            issued_on=data["issued_on"],
            due_on=data["due_on"],
            paid_on=data["paid_on"],
            actor=request.user,
        )
        messages.success(request, _("Facture %(number)s enregistrée.") % {"number": invoice})
        return redirect(_client_invoices_url(workspace, client.pk))
    return render(
        request,
        "finance/invoice_form.html",
        {
            "membership": membership,
            "workspace": membership.workspace,
            "client": client,
            "form": form,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def invoice_payment(request: HttpRequest, workspace: str, invoice_id: int) -> HttpResponse:
    membership = membership_for(request.user, workspace)
    invoice: Invoice = invoice_for(membership, invoice_id)
    require_record(membership)
    assert isinstance(request.user, User)
    initial = {
        "paid_on": invoice.paid_on,
        "disputed": invoice.disputed,
        "dispute_reason": invoice.dispute_reason,
    }
    form = PaymentForm(request.POST or None, invoice=invoice, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        set_payment(
            invoice,
            paid_on=data["paid_on"],
            disputed=data["disputed"],
            dispute_reason=data["dispute_reason"],
            actor=request.user,
        )
        messages.success(request, _("Facture %(number)s mise à jour.") % {"number": invoice})
        return redirect(_client_invoices_url(workspace, invoice.client_id))
    return render(
        request,
        "finance/payment_form.html",
        {
            "membership": membership,
            "workspace": membership.workspace,
            "client": invoice.client,
            "invoice": invoice,
            "form": form,
        },
        status=400 if form.is_bound and form.errors else 200,
    )
