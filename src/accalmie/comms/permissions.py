"""Who may record what on a client, on top of the scoped lookups of accounts/access.py.

- read-only members write nothing (403);
- team members write their weekly pulse and notes, nothing else (403);
- account managers write on the clients they see, directors on every client.
A client the member may not see is a 404 before any of this (accounts.access.client_for).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from accalmie.accounts.models import Membership, Role

RECORD_ROLES = frozenset({Role.DIRECTOR, Role.ACCOUNT_MANAGER})


def can_record(membership: Membership) -> bool:
    """Calls, meetings, invoices, payments and contracts: account managers and directors."""
    return membership.role in RECORD_ROLES


def can_note(membership: Membership) -> bool:
    """Notes (and the team pulse): every member who may write."""
    return membership.can_write


def require_record(membership: Membership) -> None:
    if not can_record(membership):
        raise PermissionDenied("Only account managers and directors record this")


def require_note(membership: Membership) -> None:
    if not can_note(membership):
        raise PermissionDenied("Read-only members cannot write")
