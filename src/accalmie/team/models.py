"""How working with a client feels to the team, week by week."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class TeamPulse(models.Model):
    """A team member's 1–5 rating of a client for one week (1 = exhausting, 5 = a pleasure)."""

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="pulses")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pulses"
    )
    week = models.DateField(_("semaine du"), help_text=_("Le lundi de la semaine."))
    rating = models.PositiveSmallIntegerField(
        _("ressenti"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("commentaire"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-week", "member__username"]
        verbose_name = _("pouls de l'équipe")
        verbose_name_plural = _("pouls de l'équipe")
        constraints = [
            models.UniqueConstraint(fields=["client", "member", "week"], name="unique_pulse"),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1) & models.Q(rating__lte=5), name="pulse_rating_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client} {self.week} {self.rating}/5"
