"""Tasks: a recommended action a person accepted, with an owner and a due date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Task(models.Model):
    """One thing to do for a client, usually an action of a playbook turned into a task."""

    class Status(models.TextChoices):
        OPEN = "open", _("À faire")
        DONE = "done", _("Faite")

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE)
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("intitulé"), max_length=300)
    why = models.TextField(_("pourquoi"), blank=True)
    playbook_id = models.CharField(_("playbook"), max_length=60, blank=True)
    action_id = models.CharField(_("action"), max_length=60, blank=True)
    template_id = models.CharField(_("modèle de réponse"), max_length=60, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("responsable"),
    )
    due_on = models.DateField(_("échéance"))
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    # The internal note written in the client's timeline when the task was completed.
    note = models.ForeignKey(
        "comms.Interaction", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["status", "due_on", "pk"]
        indexes = [models.Index(fields=["client", "status"], name="task_client_status")]
        verbose_name = _("tâche")
        verbose_name_plural = _("tâches")

    def __str__(self) -> str:
        return f"{self.title} ({self.due_on})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def _action(self) -> Any:
        from accalmie.playbooks import get_playbook

        try:
            playbook = get_playbook(self.playbook_id)
        except KeyError:
            return None
        return next((a for a in playbook.actions if a.id == self.action_id), None)

    def title_in(self, lang: str) -> str:
        """The action's title in `lang` when the playbook still has it, else the stored one."""
        action = self._action() if self.playbook_id else None
        return action.title_in(lang) if action else self.title

    def why_in(self, lang: str) -> str:
        action = self._action() if self.playbook_id else None
        return action.why_in(lang) if action else self.why

    def is_overdue(self, today: dt.date) -> bool:
        return self.is_open and self.due_on < today
