"""Workspaces (an agency or a freelancer) and who belongs to them, with which role."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Workspace(models.Model):
    """An agency, a consultancy or a freelancer: everything else belongs to one."""

    class Kind(models.TextChoices):
        AGENCY = "agency", _("Agence")
        FREELANCER = "freelancer", _("Indépendant")

    slug = models.SlugField(_("identifiant"), max_length=60, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.AGENCY)
    timezone = models.CharField(_("fuseau horaire"), max_length=64, default="Europe/Paris")
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("espace de travail")
        verbose_name_plural = _("espaces de travail")

    def __str__(self) -> str:
        return self.name

    @property
    def domain_names(self) -> list[str]:
        return [d.domain for d in self.domains.all()]


class WorkspaceDomain(models.Model):
    """An email domain of the workspace itself: mail from it is internal or outbound."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(_("domaine"), max_length=253)

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "domain"], name="unique_workspace_domain")
        ]

    def __str__(self) -> str:
        return self.domain


class Role(models.TextChoices):
    DIRECTOR = "director", _("Direction")
    ACCOUNT_MANAGER = "account_manager", _("Chargé·e de compte")
    TEAM_MEMBER = "team_member", _("Membre de l'équipe")
    READ_ONLY = "read_only", _("Lecture seule")


# Roles that see every client of the workspace; the others see the clients assigned to them.
WORKSPACE_WIDE_ROLES = frozenset({Role.DIRECTOR, Role.READ_ONLY})
# Roles allowed to change records (clients, contracts, interactions…).
WRITER_ROLES = frozenset({Role.DIRECTOR, Role.ACCOUNT_MANAGER, Role.TEAM_MEMBER})


class Membership(models.Model):
    """A user's role in one workspace; a user may belong to several."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["workspace__name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="unique_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.workspace} ({self.role})"

    @property
    def sees_whole_workspace(self) -> bool:
        return self.role in WORKSPACE_WIDE_ROLES

    @property
    def can_write(self) -> bool:
        return self.role in WRITER_ROLES
