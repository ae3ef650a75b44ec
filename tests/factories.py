"""Factories for test data: real rows in the real test database."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from accalmie.accounts.models import Membership, Role, Workspace
from accalmie.clients.models import Client, Contact, ContactEmail
from accalmie.comms.models import Channel, Direction, Interaction
from accalmie.finance.models import Invoice
from accalmie.projects.models import Contract, Project
from accalmie.team.models import TeamPulse


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class WorkspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workspace

    slug = factory.Sequence(lambda n: f"agency-{n}")
    name = factory.Sequence(lambda n: f"Agence {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    workspace = factory.SubFactory(WorkspaceFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.ACCOUNT_MANAGER


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Client {n}")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    client = factory.SubFactory(ClientFactory)
    name = factory.Faker("name", locale="fr_FR")


class ContactEmailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactEmail

    contact = factory.SubFactory(ContactFactory)
    address = factory.Sequence(lambda n: f"person{n}@client.example")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    client = factory.SubFactory(ClientFactory)
    name = factory.Sequence(lambda n: f"Projet {n}")
    starts_on = dt.date(2026, 1, 5)


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    project = factory.SubFactory(ProjectFactory)
    reference = factory.Sequence(lambda n: f"C-{n:03d}")
    revision_rounds_allowed = 2
    notice_period_days = 30


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interaction

    client = factory.SubFactory(ClientFactory)
    workspace = factory.LazyAttribute(lambda i: i.client.workspace)
    channel = Channel.EMAIL
    direction = Direction.FROM_CLIENT
    occurred_at = factory.Sequence(
        lambda n: dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC) + dt.timedelta(hours=n)
    )
    subject = factory.Sequence(lambda n: f"Sujet {n}")
    body_text = "Bonjour, voici nos retours sur la maquette. Bien à vous."


class InvoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invoice

    client = factory.SubFactory(ClientFactory)
    number = factory.Sequence(lambda n: f"F-{n:04d}")
    amount = 1200
    issued_on = dt.date(2026, 3, 3)
    due_on = dt.date(2026, 4, 2)


class TeamPulseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamPulse

    client = factory.SubFactory(ClientFactory)
    member = factory.SubFactory(UserFactory)
    week = dt.date(2026, 3, 2)
    rating = 4
