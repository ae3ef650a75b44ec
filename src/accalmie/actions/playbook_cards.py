"""The playbooks block of the client page: recommendations, their actions, the client's tasks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from accalmie.accounts.models import Membership, Role
from accalmie.actions.models import Task
from accalmie.actions.services import default_owner, eligible_owners
from accalmie.actions.situation import recommendations_for
from accalmie.clients.models import Client
from accalmie.playbooks.drafts import load_templates


def task_row(task: Task, today: dt.date, lang: str) -> dict[str, Any]:
    """A task as the task list and the client page show it."""
    overdue = task.is_overdue(today)
    return {
        "task": task,
        "title": task.title_in(lang),
        "why": task.why_in(lang),
        "overdue": overdue,
        "days_late": (today - task.due_on).days if overdue else 0,
    }


def playbooks_context(
    client: Client, membership: Membership, lang: str, request: HttpRequest | None = None
) -> dict[str, Any]:
    """Everything `actions/_client_playbooks.html` shows, in the user's language `lang`."""
    today = timezone.localdate()
    templates = load_templates()
    role_labels = dict(Role.choices)
    tasks = list(
        Task.objects.filter(client=client)
        .select_related("owner")
        .order_by("status", "due_on", "pk")[:50]
    )
    open_by_action = {(t.playbook_id, t.action_id): t for t in tasks if t.is_open}
    owners = eligible_owners(client) if membership.can_write else []
    cards = []
    recommendations = recommendations_for(client)
    # Only the roles the recommended actions name: each may read a director or the team.
    roles = {a.owner for rec in recommendations for a in rec.playbook.actions}
    suggested_by_role = {role: default_owner(client, role) for role in roles}
    for rec in recommendations:
        actions = []
        for action in rec.playbook.actions:
            suggested = suggested_by_role.get(action.owner)
            actions.append(
                {
                    "id": action.id,
                    "title": action.title_in(lang),
                    "why": action.why_in(lang),
                    "role": role_labels.get(action.owner, action.owner),
                    "owner": suggested,
                    "due_on": action.due_on(today),
                    "template": action.template or "",
                    "template_title": (
                        templates[action.template].title_in(lang) if action.template else ""
                    ),
                    "task": open_by_action.get((rec.playbook.id, action.id)),
                }
            )
        cards.append(
            {
                "id": rec.playbook.id,
                "title": rec.playbook.title_in(lang),
                "summary": rec.playbook.summary_in(lang),
                "reason": rec.reason_in(lang),
                "severity": rec.severity,
                "actions": actions,
            }
        )
    return {
        "client": client,
        "membership": membership,
        "workspace": membership.workspace,
        "cards": cards,
        "owners": owners,
        "tasks": [task_row(t, today, lang) for t in tasks],
        "templates": sorted(
            ((t.id, t.title_in(lang)) for t in templates.values()), key=lambda x: x[1]
        ),
        "today": today,
        "request": request,
        "opened": request.GET.get("open", "") if request is not None else "",
    }
