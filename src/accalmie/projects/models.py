"""Projects and the contracts that frame them: scope, rounds, terms, notice."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Project(models.Model):
    """A piece of work done for a client."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Prévu")
        ACTIVE = "active", _("En cours")
        PAUSED = "paused", _("En pause")
        DONE = "done", _("Terminé")
        CANCELLED = "cancelled", _("Annulé")

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="projects")
    name = models.CharField(_("nom"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("statut"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    starts_on = models.DateField(_("début"), null=True, blank=True)
    ends_on = models.DateField(_("fin prévue"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("projet")
        verbose_name_plural = _("projets")

    def __str__(self) -> str:
        return self.name


class Contract(models.Model):
    """What was agreed for a project: scope, revision rounds, payment, exit, confidentiality."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="contract")
    reference = models.CharField(_("référence"), max_length=60, blank=True)
    signed_on = models.DateField(_("signé le"), null=True, blank=True)
    amount = models.DecimalField(
        _("montant"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("devise"), max_length=3, default="EUR")
    revision_rounds_allowed = models.PositiveSmallIntegerField(
        _("séries de corrections prévues"), default=2
    )
    payment_terms_days = models.PositiveSmallIntegerField(
        _("délai de paiement (jours)"), default=30
    )
    payment_terms = models.TextField(_("conditions de paiement"), blank=True)
    termination_clause = models.TextField(_("clause de résiliation"), blank=True)
    notice_period_days = models.PositiveSmallIntegerField(_("préavis (jours)"), default=30)
    confidentiality = models.TextField(_("confidentialité"), blank=True)
    client_contact = models.ForeignKey(
        "clients.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contracts_as_point_of_contact",
        verbose_name=_("interlocuteur unique côté client"),
    )
    agency_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contracts_as_point_of_contact",
        verbose_name=_("interlocuteur unique côté agence"),
    )

    class Meta:
        verbose_name = _("contrat")
        verbose_name_plural = _("contrats")

    def __str__(self) -> str:
        return self.reference or f"Contrat {self.project}"

    @property
    def revision_rounds_used(self) -> int:
        return self.project.revision_rounds.count()


class ScopeItem(models.Model):
    """A deliverable or scope line of a contract, included or explicitly excluded."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="scope_items")
    title = models.CharField(_("intitulé"), max_length=300)
    included = models.BooleanField(_("inclus"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-included", "position", "id"]

    def __str__(self) -> str:
        return self.title


class Milestone(models.Model):
    """A dated step of a project: a deliverable due, a deadline, a launch."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("intitulé"), max_length=300)
    due_on = models.DateField(_("échéance"))
    done_on = models.DateField(_("atteint le"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title


class RevisionRound(models.Model):
    """A round of changes the client asked for on a deliverable."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="revision_rounds")
    requested_on = models.DateField(_("demandée le"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["requested_on", "id"]

    def __str__(self) -> str:
        return f"{self.project} — {self.requested_on}"
