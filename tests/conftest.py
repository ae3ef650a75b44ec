"""Shared fixtures: a workspace with the three users every view is tried with.

- owner: the account manager of `client`;
- teammate: a team member assigned to `client`;
- outsider: a member of another workspace.
Plus `colleague` (same workspace, not assigned) and `director` (sees everything).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AbstractUser
from django.test import Client as HttpClient
from django.utils import translation

from accalmie.accounts.models import Role, Workspace
from accalmie.clients.models import Client
from accalmie.comms.models import Interaction
from tests.factories import (
    ClientFactory,
    InteractionFactory,
    MembershipFactory,
    UserFactory,
    WorkspaceFactory,
)


@dataclass
class Agency:
    workspace: Workspace
    client: Client
    other_client: Client
    interaction: Interaction
    owner: AbstractUser
    teammate: AbstractUser
    colleague: AbstractUser
    director: AbstractUser
    reader: AbstractUser
    outsider: AbstractUser


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """Hash test users' passwords cheaply (the default hasher costs ~0.3 s a user)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _interface_language_is_french():
    """Start every test in French, as the app does: a request in English (the test client
    runs the middleware in this thread) must not leak its language into the next test."""
    translation.activate("fr")
    yield
    translation.activate("fr")


@pytest.fixture
def agency(db) -> Agency:
    workspace = WorkspaceFactory(slug="boreal", name="Atelier Test")
    owner = MembershipFactory(workspace=workspace, role=Role.ACCOUNT_MANAGER).user
    teammate = MembershipFactory(workspace=workspace, role=Role.TEAM_MEMBER).user
    colleague = MembershipFactory(workspace=workspace, role=Role.ACCOUNT_MANAGER).user
    director = MembershipFactory(workspace=workspace, role=Role.DIRECTOR).user
    reader = MembershipFactory(workspace=workspace, role=Role.READ_ONLY).user
    outsider = MembershipFactory(role=Role.DIRECTOR).user  # director of another workspace
    client = ClientFactory(workspace=workspace, name="Verdier", account_manager=owner)
    client.team.add(teammate)
    other_client = ClientFactory(workspace=workspace, name="Kolibri", account_manager=colleague)
    interaction = InteractionFactory(client=client, subject="Maquettes v2")
    return Agency(
        workspace,
        client,
        other_client,
        interaction,
        owner,
        teammate,
        colleague,
        director,
        reader,
        outsider,
    )


def login(user: AbstractUser) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


@pytest.fixture
def as_user():
    return login


__all__ = ["Agency", "UserFactory"]
