"""Actions become tasks: accept, list, complete; who may do what; the note in the timeline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accalmie.actions.models import Task
from accalmie.actions.services import accept_action, complete_task, default_owner
from accalmie.comms.models import Channel, Direction, Interaction
from accalmie.core.models import AuditEvent
from accalmie.detect.services import analysable
from accalmie.health.records import load_records
from tests.conftest import login

ALLOWED = ("owner", "teammate", "director")


def accept_url(agency) -> str:
    return reverse(
        "task-accept", kwargs={"workspace": agency.workspace.slug, "client_id": agency.client.pk}
    )


def post_accept(http, agency, **extra):
    data = {"playbook": "scope_creep", "action": "remind_scope", "owner": "", "due_on": ""}
    data.update(extra)
    return http.post(accept_url(agency), data)


def test_accepting_an_action_makes_a_task_with_the_suggested_owner_and_due_date(agency):
    response = post_accept(login(agency.owner), agency)
    assert response.status_code == 302
    assert response["Location"].endswith(
        f"/clients/{agency.client.pk}/?open=scope_creep#playbook-scope_creep"
    )
    task = Task.objects.get()
    assert task.client == agency.client
    assert task.owner == agency.owner  # account_manager role → the client's account manager
    assert task.due_on == timezone.localdate() + dt.timedelta(days=2)
    assert task.title == "Rappeler aimablement le périmètre convenu et annoncer un avenant"
    assert task.template_id == "scope_reminder_change_order"
    assert task.created_by == agency.owner and task.is_open
    audit = AuditEvent.objects.get(action="task.create")
    assert audit.actor == agency.owner and audit.data["action"] == "remind_scope"


def test_the_form_sets_owner_and_due_date(agency):
    due = timezone.localdate() + dt.timedelta(days=9)
    post_accept(login(agency.owner), agency, owner=str(agency.director.pk), due_on=due.isoformat())
    task = Task.objects.get()
    assert task.owner == agency.director and task.due_on == due


def test_an_owner_who_cannot_see_the_client_is_refused(agency):
    http = login(agency.owner)
    response = post_accept(http, agency, owner=str(agency.colleague.pk))  # not on Verdier
    assert response.status_code == 302 and not Task.objects.exists()
    page = http.get(response["Location"])
    assert "ne peut pas porter une tâche" in page.content.decode()
    for unknown in ("abc", "999999"):  # not a person: refused, not the suggested owner
        page = http.get(post_accept(http, agency, owner=unknown)["Location"])
        assert "ne peut pas porter une tâche" in page.content.decode()
    assert not Task.objects.exists()
    response = post_accept(http, agency, due_on="demain")
    assert not Task.objects.exists()
    response = post_accept(http, agency, playbook="nope")
    assert not Task.objects.exists()


def test_director_role_goes_to_a_director_and_team_role_to_the_team(agency):
    assert default_owner(agency.client, "director") == agency.director
    assert default_owner(agency.client, "team_member") == agency.teammate
    assert default_owner(agency.client, "account_manager") == agency.owner
    agency.client.account_manager = None
    agency.client.save()
    assert default_owner(agency.client, "account_manager") == agency.director


@pytest.mark.parametrize(
    "who,status",
    [("owner", 302), ("teammate", 302), ("director", 302), ("colleague", 404), ("reader", 403),
     ("outsider", 404)],
)  # fmt: skip
def test_who_may_accept(agency, who, status):
    response = post_accept(login(getattr(agency, who)), agency)
    assert response.status_code == status
    assert Task.objects.exists() == (who in ALLOWED)


def test_htmx_accept_returns_the_refreshed_block(agency):
    response = login(agency.owner).post(
        accept_url(agency),
        {"playbook": "scope_creep", "action": "remind_scope"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith("<section") or 'id="playbooks"' in html
    assert "<html" not in html
    assert (
        "Tâche créée" in html
        and "Rappeler aimablement le périmètre convenu et annoncer un avenant" in html
    )


def make_task(agency, days: int = 2) -> Task:
    task = accept_action(
        agency.client, "scope_creep", "remind_scope", actor=agency.owner, lang="fr"
    )
    task.due_on = timezone.localdate() + dt.timedelta(days=days)
    task.save()
    return task


@pytest.mark.parametrize(
    "who,sees", [("owner", True), ("teammate", True), ("director", True), ("reader", True),
                 ("colleague", False), ("outsider", False)],
)  # fmt: skip
def test_task_list_is_scoped(agency, who, sees):
    task = make_task(agency)
    url = reverse("task-list", kwargs={"workspace": agency.workspace.slug})
    user = getattr(agency, who)
    response = login(user).get(url, {"all": "1"})
    if who == "outsider":
        assert response.status_code == 404
        return
    assert response.status_code == 200
    assert (task.title in response.content.decode()) == sees


def test_my_tasks_shows_mine_and_highlights_the_overdue(agency):
    late = make_task(agency, days=-3)
    url = reverse("task-list", kwargs={"workspace": agency.workspace.slug})
    html = login(agency.owner).get(url).content.decode()
    assert late.title in html
    assert 'class="task overdue"' in html and "En retard de 3 jours" in html
    assert "1 tâche en retard." in html
    # Not the director's: their own list is empty, the whole list has it.
    director = login(agency.director)
    assert late.title not in director.get(url).content.decode()
    assert late.title in director.get(url, {"all": "1"}).content.decode()
    # The client page shows it too, overdue.
    page = login(agency.owner).get(
        reverse("client-detail", kwargs={"workspace": agency.workspace.slug,
                                         "client_id": agency.client.pk})
    ).content.decode()  # fmt: skip
    assert late.title in page and "En retard de 3 jours" in page
    assert "Mes tâches" in page  # the navigation link


def test_completing_a_task_writes_an_internal_note_in_the_timeline(agency):
    task = make_task(agency)
    before = agency.client.last_interaction_at
    url = reverse("task-complete", kwargs={"workspace": agency.workspace.slug, "task_id": task.pk})
    client_url = reverse(
        "client-detail", kwargs={"workspace": agency.workspace.slug, "client_id": agency.client.pk}
    )
    response = login(agency.teammate).post(url, {"next": client_url})
    assert response.status_code == 302 and response["Location"] == client_url
    task.refresh_from_db()
    assert not task.is_open and task.completed_by == agency.teammate
    note = task.note
    assert note.channel == Channel.NOTE and note.direction == Direction.INTERNAL
    assert note.client == agency.client and task.title in note.subject
    assert AuditEvent.objects.filter(action="task.complete", actor=agency.teammate).exists()
    # The note is not a client message: no text analysis, no behavioural record, no "last
    # exchange" moved.
    assert not analysable(Interaction.objects.filter(pk=note.pk)).exists()
    records = load_records([agency.client.pk])[agency.client.pk]
    assert note.pk not in {m.ref for m in records.messages}
    agency.client.refresh_from_db()
    assert agency.client.last_interaction_at == before
    # It shows in the client's timeline.
    assert task.title in login(agency.owner).get(client_url).content.decode()
    # A second time is refused.
    login(agency.owner).post(url)
    assert Interaction.objects.filter(channel=Channel.NOTE).count() == 1


@pytest.mark.parametrize(
    "who,status",
    [("owner", 302), ("teammate", 302), ("director", 302), ("colleague", 404), ("reader", 403),
     ("outsider", 404)],
)  # fmt: skip
def test_who_may_complete(agency, who, status):
    task = make_task(agency)
    url = reverse("task-complete", kwargs={"workspace": agency.workspace.slug, "task_id": task.pk})
    assert login(getattr(agency, who)).post(url).status_code == status
    task.refresh_from_db()
    assert task.is_open == (who not in ALLOWED)


def test_complete_refuses_an_outside_next(agency):
    task = make_task(agency)
    url = reverse("task-complete", kwargs={"workspace": agency.workspace.slug, "task_id": task.pk})
    response = login(agency.owner).post(url, {"next": "https://evil.example/"})
    assert response["Location"] == reverse("task-list", kwargs={"workspace": agency.workspace.slug})


def test_complete_task_service_refuses_twice(agency):
    task = make_task(agency)
    complete_task(task, actor=agency.owner)
    with pytest.raises(Exception, match="déjà faite"):
        complete_task(task, actor=agency.owner)


@pytest.mark.parametrize(
    "who,status",
    [("owner", 200), ("teammate", 200), ("director", 200), ("colleague", 404), ("reader", 403),
     ("outsider", 404)],
)  # fmt: skip
def test_who_may_open_a_draft(agency, who, status):
    url = reverse(
        "draft", kwargs={"workspace": agency.workspace.slug, "client_id": agency.client.pk}
    )
    assert login(getattr(agency, who)).get(url).status_code == status


def test_task_title_follows_the_readers_language(agency):
    task = make_task(agency)
    assert task.title_in("en") == "Kindly restate the agreed scope and announce a change order"
    assert task.title_in("fr") == task.title


def test_tasks_have_a_working_admin(agency):
    from tests.factories import UserFactory

    make_task(agency)
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    assert login(root).get(reverse("admin:actions_task_changelist")).status_code == 200
