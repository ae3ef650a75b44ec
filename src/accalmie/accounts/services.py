"""Named writes for workspaces and their members: validate, save, audit."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from accalmie.accounts.models import Membership, Role, Workspace, WorkspaceDomain
from accalmie.core.audit import record_event

_DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](-*[a-z0-9])*)(\.[a-z0-9](-*[a-z0-9])*)+$")
_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")


def normalize_domain(raw: str) -> str:
    """Return the domain lower-cased without a leading '@', or raise ValidationError."""
    domain = raw.strip().lower().lstrip("@").rstrip(".")
    if not _DOMAIN_RE.match(domain):
        raise ValidationError(f"« {raw} » is not a valid email domain (example: agence.fr)")
    return domain


@transaction.atomic
def create_workspace(
    *,
    slug: str,
    name: str,
    domains: Iterable[str] = (),
    kind: str = Workspace.Kind.AGENCY,
    timezone: str = "Europe/Paris",
    actor: User | None = None,
) -> Workspace:
    """Create a workspace with its own email domains."""
    if not _SLUG_RE.match(slug):
        raise ValidationError(
            f"« {slug} » is not a valid slug: lower-case letters, digits and dashes, 60 at most"
        )
    if not name.strip():
        raise ValidationError("A workspace needs a name")
    if kind not in Workspace.Kind.values:
        raise ValidationError(
            f"Unknown workspace kind « {kind} »: {', '.join(Workspace.Kind.values)}"
        )
    if Workspace.objects.filter(slug=slug).exists():
        raise ValidationError(f"A workspace with the slug « {slug} » already exists")
    clean_domains = sorted({normalize_domain(d) for d in domains})
    workspace = Workspace.objects.create(slug=slug, name=name.strip(), kind=kind, timezone=timezone)
    WorkspaceDomain.objects.bulk_create(
        WorkspaceDomain(workspace=workspace, domain=d) for d in clean_domains
    )
    record_event(
        action="workspace.create",
        obj=workspace,
        workspace_id=workspace.pk,
        actor=actor,
        data={"slug": slug, "name": workspace.name, "domains": clean_domains},
    )
    return workspace


@transaction.atomic
def add_member(
    *, workspace: Workspace, user: User, role: str, actor: User | None = None
) -> Membership:
    """Give `user` a role in `workspace`, or change the role it has."""
    if role not in Role.values:
        raise ValidationError(f"Unknown role « {role} »: {', '.join(Role.values)}")
    membership, created = Membership.objects.get_or_create(
        workspace=workspace, user=user, defaults={"role": role}
    )
    old_role = None if created else membership.role
    if not created and membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    record_event(
        action="membership.set",
        obj=membership,
        workspace_id=workspace.pk,
        actor=actor,
        data={"user": user.get_username(), "old": old_role, "new": role},
    )
    return membership


@transaction.atomic
def create_user(
    *,
    username: str,
    password: str,
    email: str = "",
    full_name: str = "",
    workspace: Workspace | None = None,
    role: str = Role.TEAM_MEMBER,
    is_superuser: bool = False,
    actor: User | None = None,
) -> User:
    """Create a user, optionally with a role in a workspace."""
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        raise ValidationError(f"The user « {username} » already exists")
    first, _, last = full_name.strip().partition(" ")
    user = user_model(
        username=username,
        email=email,
        first_name=first,
        last_name=last,
        is_staff=is_superuser,
        is_superuser=is_superuser,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    record_event(
        action="user.create", obj=user, workspace_id=None, actor=actor, data={"username": username}
    )
    if workspace is not None:
        add_member(workspace=workspace, user=user, role=role, actor=actor)
    return user
