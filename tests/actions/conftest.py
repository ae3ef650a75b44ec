"""The demo workspace loaded in the test database, as `accalmie demo` loads it (and rescores it)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from accalmie.accounts.models import Workspace
from accalmie.clients.models import Client
from accalmie.demo.generator import DEMO_SLUG
from accalmie.demo.stories import load_stories

ANCHOR = dt.date(2026, 11, 23)


@dataclass
class Demo:
    workspace: Workspace
    clients: dict[str, Client]  # by story key
    director: User  # the demo login (Camille Roussel, director)


def load_demo() -> Demo:
    call_command("demo", "--as-of", ANCHOR.isoformat(), "--json", stdout=io.StringIO())
    workspace = Workspace.objects.get(slug=DEMO_SLUG)
    clients = {
        s.key: Client.objects.get(workspace=workspace, name=s.data["name"]) for s in load_stories()
    }
    return Demo(workspace, clients, User.objects.get(username="demo"))


@pytest.fixture
def demo(db) -> Demo:
    return load_demo()
