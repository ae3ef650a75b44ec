"""Invoices and how they were paid."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _


class Invoice(models.Model):
    """An invoice sent to a client: when it was due, when (and whether) it was paid."""

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="invoices")
    project = models.ForeignKey(
        "projects.Project", on_delete=models.SET_NULL, null=True, blank=True
    )
    number = models.CharField(_("numéro"), max_length=60)
    amount = models.DecimalField(_("montant"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("devise"), max_length=3, default="EUR")
    issued_on = models.DateField(_("émise le"))
    due_on = models.DateField(_("échéance"))
    paid_on = models.DateField(_("payée le"), null=True, blank=True)
    disputed = models.BooleanField(_("contestée"), default=False)
    dispute_reason = models.TextField(_("motif de contestation"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("facture")
        verbose_name_plural = _("factures")
        constraints = [
            models.UniqueConstraint(fields=["client", "number"], name="unique_invoice_number")
        ]

    def __str__(self) -> str:
        return self.number

    def days_late(self, today: dt.date) -> int:
        """Return how many days past its due date the invoice was paid, or is still unpaid."""
        end = self.paid_on or today
        return max(0, (end - self.due_on).days)
