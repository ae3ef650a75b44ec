"""`{% client_playbooks client %}`: the playbooks, tasks and reply menu of a client page."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from accalmie.accounts.models import Membership
from accalmie.actions.playbook_cards import playbooks_context

register = template.Library()


@register.inclusion_tag("actions/_client_playbooks.html", takes_context=True)
def client_playbooks(context: template.Context, client: Any) -> dict[str, Any]:
    membership = context.get("membership")
    if not isinstance(membership, Membership):
        return {"cards": [], "hidden": True}
    lang = (get_language() or "fr")[:2]
    data = playbooks_context(client, membership, lang, context.get("request"))
    data["csrf_token"] = context.get("csrf_token")
    return data
