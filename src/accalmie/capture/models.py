"""What imports did: jobs and their progress, every message seen, mail accounts, new people."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    """One import of a source into a workspace; resumable from `position`."""

    class Kind(models.TextChoices):
        EML = "eml", _("Fichiers .eml")
        MBOX = "mbox", _("Boîte mbox")
        MAILDIR = "maildir", _("Maildir")
        IMAP = "imap", _("Compte IMAP")
        CSV = "csv", _("Journal d'appels et de réunions (CSV)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminé")
        FAILED = "failed", _("Échoué")
        INTERRUPTED = "interrupted", _("Interrompu")

    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="import_jobs"
    )
    kind = models.CharField(_("source"), max_length=10, choices=Kind.choices)
    label = models.CharField(_("libellé"), max_length=500)
    path = models.CharField(max_length=1000, blank=True)
    account = models.ForeignKey(
        "MailAccount", on_delete=models.SET_NULL, null=True, blank=True, related_name="jobs"
    )
    status = models.CharField(
        _("état"), max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # Where to resume: the source's position after the last committed message.
    position = models.BigIntegerField(default=0)
    total_bytes = models.BigIntegerField(default=0)
    done_bytes = models.BigIntegerField(default=0)
    seen = models.PositiveIntegerField(_("messages lus"), default=0)
    imported = models.PositiveIntegerField(_("importés"), default=0)
    duplicates = models.PositiveIntegerField(_("doublons"), default=0)
    quarantined = models.PositiveIntegerField(_("en quarantaine"), default=0)
    unassigned = models.PositiveIntegerField(_("sans client"), default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.label}"

    @property
    def percent(self) -> float:
        if self.status == self.Status.DONE:
            return 100.0
        if not self.total_bytes:
            return 0.0
        return min(100.0, 100.0 * self.done_bytes / self.total_bytes)

    @property
    def is_active(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.RUNNING}

    def report(self) -> dict[str, object]:
        """Return the counts a person or a script needs to account for every message."""
        return {
            "job": self.pk,
            "kind": self.kind,
            "source": self.label,
            "status": self.status,
            "messages": self.seen,
            "imported": self.imported,
            "duplicates": self.duplicates,
            "quarantined": self.quarantined,
            "unassigned": self.unassigned,
            "bytes": self.done_bytes,
            "total_bytes": self.total_bytes,
            "error": self.error,
        }


class CapturedMessage(models.Model):
    """A message an import has seen once: the key that stops it being imported twice."""

    class Outcome(models.TextChoices):
        IMPORTED = "imported", _("Importé")
        QUARANTINED = "quarantined", _("En quarantaine")

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE)
    # "mid:" + SHA-256 of the Message-ID, else "sha:" + SHA-256 of the bytes (or CSV row).
    dedupe_key = models.CharField(max_length=80)
    content_hash = models.CharField(max_length=64, db_index=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    reason = models.TextField(_("motif"), blank=True)
    interaction = models.ForeignKey(
        "comms.Interaction", on_delete=models.SET_NULL, null=True, blank=True
    )
    job = models.ForeignKey(
        ImportJob, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    source_key = models.CharField(max_length=1000, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "dedupe_key"], name="unique_dedupe_key")
        ]
        indexes = [models.Index(fields=["workspace", "content_hash"], name="captured_hash")]

    def __str__(self) -> str:
        return f"{self.outcome} {self.source_key}"


class MailAccount(models.Model):
    """An IMAP account to sync. The password itself is never stored: only where to read it."""

    class Security(models.TextChoices):
        SSL = "ssl", _("TLS (port 993)")
        STARTTLS = "starttls", _("STARTTLS (port 143)")
        PLAIN = "plain", _("Sans chiffrement (machine locale uniquement)")

    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="mail_accounts"
    )
    label = models.CharField(_("nom"), max_length=100)
    host = models.CharField(_("serveur"), max_length=253)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(
        _("sécurité"), max_length=10, choices=Security.choices, default=Security.SSL
    )
    username = models.CharField(_("identifiant"), max_length=254)
    password_env = models.CharField(
        _("variable d'environnement du mot de passe"), max_length=100, blank=True
    )
    password_file = models.CharField(
        _("fichier secret du mot de passe"), max_length=500, blank=True
    )
    ca_file = models.CharField(_("certificat d'autorité (facultatif)"), max_length=500, blank=True)
    folders = models.JSONField(_("dossiers"), default=list, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["label"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "label"], name="unique_mail_account")
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.username}@{self.host})"

    @property
    def folder_list(self) -> list[str]:
        return [str(f) for f in self.folders] or ["INBOX"]


class ImapFolderState(models.Model):
    """How far an account's folder has been synced: a new UIDVALIDITY means start again."""

    account = models.ForeignKey(MailAccount, on_delete=models.CASCADE, related_name="states")
    folder = models.CharField(max_length=500)
    uidvalidity = models.BigIntegerField()
    last_uid = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "folder"], name="unique_folder_state")
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.folder} {self.uidvalidity}/{self.last_uid}"


# Mail providers shared by millions: a whole domain of theirs never belongs to one client.
FREEMAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "yahoo.com", "yahoo.fr", "hotmail.com", "hotmail.fr",
    "outlook.com", "outlook.fr", "live.com", "live.fr", "msn.com", "icloud.com", "me.com",
    "aol.com", "gmx.com", "gmx.fr", "gmx.de", "orange.fr", "wanadoo.fr", "free.fr", "sfr.fr",
    "laposte.net", "neuf.fr", "bbox.fr", "protonmail.com", "proton.me", "yandex.com",
})  # fmt: skip


class Correspondent(models.Model):
    """An address that wrote to us or that we wrote to, not yet known as anyone's contact."""

    class Status(models.TextChoices):
        PENDING = "pending", _("À trier")
        ASSIGNED = "assigned", _("Attribué")
        IGNORED = "ignored", _("Ignoré")

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE)
    address = models.CharField(_("adresse"), max_length=254)
    name = models.CharField(_("nom"), max_length=200, blank=True)
    domain = models.CharField(_("domaine"), max_length=253, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    client = models.ForeignKey("clients.Client", on_delete=models.SET_NULL, null=True, blank=True)
    message_count = models.PositiveIntegerField(default=0)
    first_seen_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-message_count", "address"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "address"], name="unique_correspondent")
        ]

    def __str__(self) -> str:
        return self.address

    @property
    def domain_is_shared(self) -> bool:
        return self.domain in FREEMAIL_DOMAINS
