"""Who sees what: every view tried with the owner, a teammate, a colleague and an outsider."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import login

pytestmark = pytest.mark.django_db


def _urls(agency):
    ws = agency.workspace.slug
    return {
        "list": reverse("client-list", kwargs={"workspace": ws}),
        "client": reverse("client-detail", kwargs={"workspace": ws, "client_id": agency.client.pk}),
        "interaction": reverse(
            "interaction-detail", kwargs={"workspace": ws, "interaction_id": agency.interaction.pk}
        ),
    }


@pytest.mark.parametrize("who", ["owner", "teammate", "director", "reader"])
def test_people_assigned_or_workspace_wide_reach_every_page(agency, who):
    """GIVEN a user allowed to see the client WHEN they open each page THEN it shows the client."""
    http = login(getattr(agency, who))
    urls = _urls(agency)
    for name, url in urls.items():
        response = http.get(url)
        assert response.status_code == 200, name
    assert "Verdier" in http.get(urls["list"]).content.decode()
    assert "Maquettes v2" in http.get(urls["client"]).content.decode()


def test_colleague_not_assigned_gets_404_and_does_not_see_the_client_listed(agency):
    http = login(agency.colleague)
    urls = _urls(agency)
    listing = http.get(urls["list"]).content.decode()
    assert "Kolibri" in listing
    # The client's link, not its name: a generated user may be called Verdier too.
    assert urls["client"] not in listing
    assert http.get(urls["client"]).status_code == 404
    response = http.get(urls["interaction"])
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_outsider_gets_404_everywhere_even_as_director_elsewhere(agency):
    http = login(agency.outsider)
    for url in _urls(agency).values():
        assert http.get(url).status_code == 404


def test_owner_only_sees_own_clients_in_the_list(agency):
    listing = login(agency.owner).get(_urls(agency)["list"]).content.decode()
    assert _urls(agency)["client"] in listing
    assert "Kolibri" not in listing


def test_director_and_reader_see_the_whole_workspace(agency):
    for user in (agency.director, agency.reader):
        listing = login(user).get(_urls(agency)["list"]).content.decode()
        assert "Verdier" in listing and "Kolibri" in listing


def test_anonymous_visitor_is_sent_to_login(client, agency):
    for url in _urls(agency).values():
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_unknown_ids_are_404_not_500(agency):
    http = login(agency.director)
    ws = agency.workspace.slug
    assert (
        http.get(
            reverse("client-detail", kwargs={"workspace": ws, "client_id": 999999})
        ).status_code
        == 404
    )
    assert (
        http.get(
            reverse("interaction-detail", kwargs={"workspace": ws, "interaction_id": 999999})
        ).status_code
        == 404
    )
    assert http.get(reverse("client-list", kwargs={"workspace": "nope"})).status_code == 404


def test_home_sends_a_single_workspace_member_to_its_clients(agency):
    response = login(agency.owner).get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == _urls(agency)["list"]
