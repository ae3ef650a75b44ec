"""Write the audit trail: every domain write made through a service function lands here."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import models

from accalmie.core.models import AuditEvent


def record_event(
    *,
    action: str,
    obj: models.Model,
    workspace_id: int | None,
    actor: User | AnonymousUser | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Save one audit row for `action` on `obj`."""
    return AuditEvent.objects.create(
        workspace_id=workspace_id,
        actor=actor if isinstance(actor, User) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        data=data or {},
    )
