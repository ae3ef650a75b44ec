"""Clients of a workspace, the people who speak for them, and who serves them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    FR = "fr", _("Français")
    EN = "en", _("Anglais")


class Client(models.Model):
    """An organisation or a person the workspace serves."""

    class Kind(models.TextChoices):
        ORGANISATION = "organisation", _("Organisation")
        PERSON = "person", _("Personne")

    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="clients"
    )
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(
        _("type"), max_length=20, choices=Kind.choices, default=Kind.ORGANISATION
    )
    language = models.CharField(
        _("langue"), max_length=2, choices=Language.choices, default=Language.FR
    )
    timezone = models.CharField(_("fuseau horaire"), max_length=64, default="Europe/Paris")
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_clients",
        verbose_name=_("chargé·e de compte"),
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="client_teams",
        verbose_name=_("équipe"),
    )
    notes = models.TextField(_("notes"), blank=True)
    is_archived = models.BooleanField(_("archivé"), default=False)
    # Kept up to date by accalmie.comms.services when interactions arrive (list ordering).
    last_interaction_at = models.DateTimeField(_("dernier échange"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="unique_client_name")
        ]

    def __str__(self) -> str:
        return self.name


class ClientDomain(models.Model):
    """An email domain that belongs to a client: mail from it comes from the client."""

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(_("domaine"), max_length=253)

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "domain"], name="unique_client_domain")
        ]

    def __str__(self) -> str:
        return self.domain

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.domain = self.domain.strip().lower()
        if not self.workspace_id:
            self.workspace_id = self.client.workspace_id
        super().save(*args, **kwargs)


class Contact(models.Model):
    """A person at a client."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("nom"), max_length=200)
    role = models.CharField(_("fonction"), max_length=200, blank=True)
    phone = models.CharField(_("téléphone"), max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name else ""

    @property
    def primary_email(self) -> str:
        first = self.emails.first()
        return first.address if first else ""


class ContactEmail(models.Model):
    """One email address of a contact; an address maps to one contact per workspace."""

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="emails")
    address = models.EmailField(_("adresse"), max_length=254)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "address"], name="unique_contact_email")
        ]

    def __str__(self) -> str:
        return self.address

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.address = self.address.strip().lower()
        if not self.workspace_id:
            self.workspace_id = self.contact.client.workspace_id
        super().save(*args, **kwargs)
