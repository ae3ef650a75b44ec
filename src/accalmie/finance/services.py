"""Named writes for invoices: each one audited and followed by a health recomputation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from accalmie.clients.models import Client
from accalmie.core.audit import record_event
from accalmie.finance.models import Invoice
from accalmie.health.services import queue_health


@transaction.atomic
def record_invoice(
    *,
    client: Client,
    number: str,
    amount: Decimal,
    issued_on: dt.date,
    due_on: dt.date,
    actor: User | None = None,
    currency: str = "EUR",
    paid_on: dt.date | None = None,
) -> Invoice:
    """Save a new invoice of a client."""
    if due_on < issued_on:
        raise ValidationError("An invoice cannot be due before it is issued")
    if paid_on is not None and paid_on < issued_on:
        raise ValidationError("An invoice cannot be paid before it is issued")
    if amount <= 0:
        raise ValidationError("An invoice's amount is positive")
    invoice = Invoice.objects.create(
        client=client,
        number=number,
        amount=amount,
        currency=currency,
        issued_on=issued_on,
        due_on=due_on,
        paid_on=paid_on,
    )
    record_event(
        action="invoice.create", obj=invoice, workspace_id=client.workspace_id, actor=actor
    )
    queue_health([client.pk])
    return invoice


@transaction.atomic
def set_payment(
    invoice: Invoice,
    *,
    paid_on: dt.date | None,
    disputed: bool,
    dispute_reason: str = "",
    actor: User | None = None,
) -> Invoice:
    """Set an invoice's payment and dispute as they are now (`paid_on=None`: not paid)."""
    if paid_on is not None and paid_on < invoice.issued_on:
        raise ValidationError("An invoice cannot be paid before it is issued")
    if disputed and not dispute_reason.strip():
        raise ValidationError("A dispute needs its reason")
    invoice.paid_on = paid_on
    invoice.disputed = disputed
    invoice.dispute_reason = dispute_reason.strip() if disputed else ""
    invoice.save(update_fields=["paid_on", "disputed", "dispute_reason"])
    record_event(
        action="invoice.payment",
        obj=invoice,
        workspace_id=invoice.client.workspace_id,
        actor=actor,
        data={"paid_on": str(invoice.paid_on), "disputed": invoice.disputed},
    )
    queue_health([invoice.client_id])
    return invoice
