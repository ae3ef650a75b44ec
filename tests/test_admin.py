"""Every domain model is registered in the admin, and its pages open."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tests.factories import UserFactory

ACCALMIE_APPS = {
    "core",
    "accounts",
    "clients",
    "projects",
    "comms",
    "finance",
    "team",
    "capture",
}


@pytest.mark.django_db
def test_each_model_has_a_working_admin(agency, client):
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    models = [m for m in apps.get_models() if m._meta.app_label in ACCALMIE_APPS]
    assert len(models) >= 15
    for model in models:
        assert admin.site.is_registered(model), model
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert client.get(changelist).status_code == 200, changelist
    change = reverse("admin:clients_client_change", args=[agency.client.pk])
    assert "Verdier" in client.get(change).content.decode()


@pytest.mark.django_db
def test_admin_is_closed_to_non_staff(agency, client):
    client.force_login(agency.director)
    response = client.get(reverse("admin:clients_client_changelist"))
    assert response.status_code == 302
