"""What the signal engine found in stored exchanges, and with which detector set."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

SIGNAL_LABELS = {
    "contempt": _("Mépris"),
    "intimidation": _("Intimidation"),
    "passive_aggression": _("Agressivité passive"),
    "impoliteness": _("Impolitesse"),
    "blame_shifting": _("Rejet de la faute"),
    "transactional_shift": _("Glissement transactionnel"),
    "supplier_framing": _("Traité en simple fournisseur"),
    "manipulation": _("Manipulation"),
    "negativity": _("Négativité"),
    "resistance_to_feedback": _("Refus des conseils"),
    "unrealistic_expectations": _("Attentes irréalistes"),
    "scope_creep": _("Hors périmètre"),
    "direction_change": _("Changement de cap"),
    "revision_overrun": _("Corrections au-delà du contrat"),
    "micromanagement": _("Microgestion"),
    "urgency_pressure": _("Pression de l'urgence"),
    "out_of_hours": _("Hors des heures"),
    "non_response": _("Silence"),
    "channel_bypass": _("Contournement de l'interlocuteur"),
    "late_payment": _("Retard de paiement"),
    "team_strain": _("Équipe sous tension"),
    "appreciation": _("Reconnaissance"),
    "collaboration": _("Collaboration"),
    "knowledge_sharing": _("Partage de contexte"),
    "timely_feedback": _("Retours rapides"),
}


class InteractionAnalysis(models.Model):
    """The analysis of one exchange by one version of the detector set."""

    interaction = models.OneToOneField(
        "comms.Interaction", on_delete=models.CASCADE, related_name="analysis"
    )
    lang = models.CharField(max_length=8)
    detector_version = models.CharField(max_length=32, db_index=True)
    scores = models.JSONField(default=dict)
    markers = models.JSONField(default=dict)
    tone = models.JSONField(default=dict)  # {"hostility": p, "politeness": p}
    analysed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.interaction_id} {self.detector_version}"


class SignalHit(models.Model):
    """A signal found in an exchange, with the exact words that show it."""

    interaction = models.ForeignKey(
        "comms.Interaction", on_delete=models.CASCADE, related_name="hits"
    )
    # Denormalised for the per-client and per-signal queries of the health score.
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, null=True, blank=True, related_name="hits"
    )
    signal = models.CharField(max_length=40, db_index=True)
    score = models.FloatField()
    detector = models.CharField(max_length=120)
    evidence = models.JSONField(default=list)  # [{"start": n, "end": n, "text": "…"}]
    explanation_fr = models.TextField()
    explanation_en = models.TextField()
    detector_version = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-score", "id"]
        indexes = [models.Index(fields=["client", "signal"], name="hit_client_signal")]

    def __str__(self) -> str:
        return f"{self.signal} {self.score:.2f} #{self.interaction_id}"

    @property
    def label(self) -> str:
        return str(SIGNAL_LABELS.get(self.signal, self.signal))

    def explanation(self, lang: str) -> str:
        return self.explanation_en if lang.startswith("en") else self.explanation_fr


class HitFeedback(models.Model):
    """A person's verdict on a text hit: right, or wrong / not relevant.

    Keyed by the exchange, the signal and the evidence's words (`span_key`), not by the hit's
    row: `accalmie reanalyze` deletes and recreates hits, and the verdict must outlive that.
    `hit` points at the current row with that key (relinked after each analysis).
    """

    class Verdict(models.TextChoices):
        RIGHT = "right", _("Juste")
        WRONG = "wrong", _("Faux / hors sujet")

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE)
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    interaction = models.ForeignKey(
        "comms.Interaction", on_delete=models.CASCADE, related_name="hit_feedback"
    )
    signal = models.CharField(max_length=40)
    span_key = models.CharField(max_length=64)
    evidence_text = models.TextField(blank=True)
    hit = models.OneToOneField(
        SignalHit, on_delete=models.SET_NULL, null=True, blank=True, related_name="feedback"
    )
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices)
    note = models.TextField(_("note"), blank=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    given_at = models.DateTimeField(auto_now=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-given_at", "-id"]
        verbose_name = _("avis sur un signal")
        verbose_name_plural = _("avis sur les signaux")
        constraints = [
            models.UniqueConstraint(
                fields=["interaction", "signal", "span_key"], name="unique_hit_feedback"
            )
        ]
        indexes = [models.Index(fields=["workspace", "signal"], name="feedback_ws_signal")]

    def __str__(self) -> str:
        return f"{self.signal} #{self.interaction_id} {self.verdict}"
