"""Exchanges with clients: emails, calls, meetings, chats and notes, grouped in threads."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    CALL = "call", _("Appel")
    MEETING = "meeting", _("Réunion")
    CHAT = "chat", _("Messagerie")
    NOTE = "note", _("Note")


class Direction(models.TextChoices):
    FROM_CLIENT = "from_client", _("Du client")
    TO_CLIENT = "to_client", _("Vers le client")
    INTERNAL = "internal", _("Interne")


class Thread(models.Model):
    """A conversation: the exchanges that answer one another."""

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE)
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, null=True, blank=True, related_name="threads"
    )
    subject = models.CharField(_("objet"), max_length=500, blank=True)
    # Subject without RE:/TR:/Fwd: prefixes, lower-cased: the fallback for threading.
    normalized_subject = models.CharField(max_length=500, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.subject or f"Thread #{self.pk}"


class Interaction(models.Model):
    """One exchange with a client, or about it."""

    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="interactions"
    )
    # Null while nobody has said which client an unknown correspondent belongs to.
    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="interactions",
    )
    project = models.ForeignKey(
        "projects.Project", on_delete=models.SET_NULL, null=True, blank=True
    )
    thread = models.ForeignKey(
        Thread, on_delete=models.SET_NULL, null=True, blank=True, related_name="interactions"
    )
    channel = models.CharField(_("canal"), max_length=20, choices=Channel.choices)
    direction = models.CharField(_("sens"), max_length=20, choices=Direction.choices)
    occurred_at = models.DateTimeField(_("date"))
    subject = models.CharField(_("objet"), max_length=500, blank=True)
    # The new text of the exchange, without quoted history or signature: what analysis reads.
    body_text = models.TextField(_("texte"), blank=True)
    # The whole body as imported, and the parts split off from it.
    body_full = models.TextField(_("texte complet"), blank=True)
    quoted_text = models.TextField(_("historique cité"), blank=True)
    signature_text = models.TextField(_("signature"), blank=True)
    # HTML of the original, already sanitised at import (and again when shown).
    body_html = models.TextField(_("HTML nettoyé"), blank=True)
    duration_minutes = models.PositiveIntegerField(_("durée (minutes)"), null=True, blank=True)
    message_id = models.CharField(max_length=998, blank=True)
    in_reply_to = models.CharField(max_length=998, blank=True)
    references = models.TextField(blank=True)
    # Content-addressed key (SHA-256) of the original bytes in the blob store, when imported.
    original_ref = models.CharField(max_length=80, blank=True)
    source = models.CharField(_("origine"), max_length=40, default="manual")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("échange")
        verbose_name_plural = _("échanges")
        indexes = [
            models.Index(fields=["client", "-occurred_at"], name="interaction_client_time"),
            models.Index(fields=["workspace", "message_id"], name="interaction_message_id"),
        ]

    def __str__(self) -> str:
        return self.subject or f"{self.get_channel_display()} {self.occurred_at:%Y-%m-%d}"

    @property
    def sender(self) -> InteractionParticipant | None:
        for participant in self.participants.all():
            if participant.role == InteractionParticipant.Role.FROM:
                return participant
        return None


class InteractionParticipant(models.Model):
    """Someone who took part in an exchange: a client contact, a user, or a bare address."""

    class Role(models.TextChoices):
        FROM = "from", _("De")
        TO = "to", _("À")
        CC = "cc", _("Cc")
        ATTENDEE = "attendee", _("Participant")

    interaction = models.ForeignKey(
        Interaction, on_delete=models.CASCADE, related_name="participants"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    contact = models.ForeignKey("clients.Contact", on_delete=models.SET_NULL, null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    address = models.CharField(max_length=254, blank=True)
    name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.contact_id and self.contact:
            return self.contact.name
        if self.user_id and self.user:
            return self.user.get_full_name() or self.user.get_username()
        return self.name or self.address


class Attachment(models.Model):
    """A file that came with an exchange: recorded and stored, never executed or rendered."""

    interaction = models.ForeignKey(
        Interaction, on_delete=models.CASCADE, related_name="attachments"
    )
    filename = models.CharField(_("nom"), max_length=255)
    content_type = models.CharField(_("type"), max_length=255)
    size = models.PositiveBigIntegerField(_("taille"))
    sha256 = models.CharField(max_length=64, db_index=True)
    inline = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename
