"""Health per client: settings, behavioural hits, daily snapshots, alerts, walk-away decisions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accalmie.detect.models import HitFeedback


class Status(models.TextChoices):
    HEALTHY = "healthy", _("En bonne santé")
    WATCH = "watch", _("À surveiller")
    AT_RISK = "at_risk", _("À risque")
    CRITICAL = "critical", _("Critique")


class HealthSettings(models.Model):
    """A workspace's overrides of the health defaults (accalmie.analysis.health_config)."""

    workspace = models.OneToOneField(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="health_settings"
    )
    values = models.JSONField(_("réglages"), default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("réglages de santé")
        verbose_name_plural = _("réglages de santé")

    def __str__(self) -> str:
        return f"{self.workspace}"


class BehaviourHit(models.Model):
    """A sign found in the pattern of a client's exchanges and records (not in one text)."""

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE)
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="behaviour_hits"
    )
    signal = models.CharField(max_length=40)
    key = models.CharField(max_length=120)
    occurred_at = models.DateTimeField()
    severity = models.FloatField()
    evidence = models.JSONField(default=list)  # [["interaction", 12], ["invoice", 3]]
    figures = models.JSONField(default=dict)
    explanation_fr = models.TextField()
    explanation_en = models.TextField()
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="unique_behaviour_hit")
        ]

    def __str__(self) -> str:
        return f"{self.signal} {self.occurred_at:%Y-%m-%d} {self.client_id}"

    def explanation(self, lang: str) -> str:
        return self.explanation_en if lang.startswith("en") else self.explanation_fr


class HealthSnapshot(models.Model):
    """A client's health on one day: the history behind trends and alerts."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="health_snapshots"
    )
    day = models.DateField()
    score = models.FloatField()
    status = models.CharField(max_length=10, choices=Status.choices)
    confidence = models.FloatField()
    dimensions = models.JSONField(default=dict)
    driver = models.CharField(max_length=20, blank=True)
    # The top contributions: [{"dimension", "signal", "points", "refs": [[kind, id]…]}]
    reasons = models.JSONField(default=list)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["client", "day"]
        constraints = [
            models.UniqueConstraint(fields=["client", "day"], name="unique_snapshot_day")
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.day} {self.score:.0f} {self.status}"


class Alert(models.Model):
    """A client crossed into a worse status or dropped sharply; raised once per episode."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Changement de statut")
        DROP = "drop", _("Chute du score")

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE)
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    episode_key = models.CharField(max_length=80)
    raised_on = models.DateField()
    status_from = models.CharField(max_length=10, choices=Status.choices)
    status_to = models.CharField(max_length=10, choices=Status.choices)
    score_from = models.FloatField()
    score_to = models.FloatField()
    reasons = models.JSONField(default=list)
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="health_alerts")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    snoozed_until = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-raised_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["client", "episode_key"], name="unique_alert_episode")
        ]

    def __str__(self) -> str:
        return f"{self.client} {self.raised_on} {self.status_to}"


class WalkAwayFlag(models.Model):
    """A person's statement that the client asked for something illegal or unethical."""

    client = models.OneToOneField(
        "clients.Client", on_delete=models.CASCADE, related_name="walkaway_flag"
    )
    illegal_or_unethical = models.BooleanField(_("conduite illégale ou contraire à l'éthique"))
    note = models.TextField(_("ce qui s'est passé"), blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    set_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.client} {self.illegal_or_unethical}"


class WalkAwayDecision(models.Model):
    """What a person decided after the walk-away assessment, and why."""

    class Outcome(models.TextChoices):
        CONTINUE = "continue", _("Continuer")
        REPAIR_PLAN = "repair_plan", _("Plan de réparation")
        PREPARE_EXIT = "prepare_exit", _("Préparer la sortie")

    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="walkaway_decisions"
    )
    outcome = models.CharField(_("décision"), max_length=20, choices=Outcome.choices)
    proposed = models.CharField(max_length=20, choices=Outcome.choices)
    reason = models.TextField(_("motif"))
    # The assessment as it stood when deciding: indicators met, score, checklist.
    assessment = models.JSONField(default=dict)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.client} {self.outcome}"


class BehaviourFeedback(models.Model):
    """A person's verdict on a behavioural sign: right, or wrong / not relevant.

    Keyed by the client and the sign's `key`, not by the `BehaviourHit` row: a recomputation
    may delete and recreate the row, and the verdict must outlive that. One verdict per
    sign, the latest wins; the audit trail (`behaviour.feedback`) keeps every one.
    """

    Verdict = HitFeedback.Verdict

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE)
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="behaviour_feedback"
    )
    key = models.CharField(max_length=120)
    signal = models.CharField(max_length=40)
    verdict = models.CharField(_("verdict"), max_length=10, choices=HitFeedback.Verdict.choices)
    note = models.TextField(_("note"), blank=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    given_at = models.DateTimeField(auto_now=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-given_at", "-id"]
        verbose_name = _("avis sur un signe de comportement")
        verbose_name_plural = _("avis sur les signes de comportement")
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="unique_behaviour_feedback")
        ]

    def __str__(self) -> str:
        return f"{self.signal} {self.key} {self.verdict}"
