"""The demo workspace tells its stories, the same way on every run."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db.models import Count, Max, Min
from django.urls import reverse
from django.utils.html import escape

from accalmie.clients.models import Client
from accalmie.comms.models import Channel, Direction, Interaction
from accalmie.demo.generator import DEMO_SLUG, build_demo, demo_fingerprint, week_start
from accalmie.demo.stories import load_stories
from accalmie.finance.models import Invoice
from accalmie.team.models import TeamPulse

ANCHOR = dt.date(2026, 11, 23)
STORY_KEYS = {"anxious", "scope_creep", "tone_slide", "silent", "late_payer", "belittler", "good"}


@pytest.fixture
def demo(db):
    return build_demo(anchor=ANCHOR)


def test_every_story_is_there_and_valid():
    stories = {s.key: s for s in load_stories()}
    assert set(stories) == STORY_KEYS
    assert stories["good"].turning_point_week is None
    for key in STORY_KEYS - {"good"}:
        assert stories[key].turning_point_week is not None, key
        # Later issues must flag each deteriorating client 4 weeks before its turning point.
        assert stories[key].turning_point_week >= 8, key


def test_demo_has_seven_clients_and_six_months_of_exchanges(demo):
    counts = demo.counts
    assert counts["clients"] == 7
    assert counts["interactions"] >= 400
    assert counts["invoices"] >= 7 * 3
    assert counts["team_pulses"] > 0
    span = Interaction.objects.filter(workspace=demo.workspace).aggregate(
        first=Min("occurred_at"), last=Max("occurred_at")
    )
    assert (span["last"] - span["first"]).days >= 175
    assert span["last"].date() < ANCHOR
    per_client = dict(
        Client.objects.filter(workspace=demo.workspace)
        .annotate(n=Count("interactions"))
        .values_list("name", "n")
    )
    assert min(per_client.values()) >= 25, per_client


def test_mostly_french_some_english(demo):
    languages = Client.objects.filter(workspace=demo.workspace).values_list("language", flat=True)
    assert list(languages).count("en") >= 1
    french = Interaction.objects.filter(workspace=demo.workspace, client__language="fr").count()
    assert french / demo.counts["interactions"] > 0.6


def test_every_channel_and_direction_and_records_appear(demo):
    ws = demo.workspace
    channels = set(Interaction.objects.filter(workspace=ws).values_list("channel", flat=True))
    assert {Channel.EMAIL, Channel.CALL, Channel.MEETING} <= channels
    directions = set(Interaction.objects.filter(workspace=ws).values_list("direction", flat=True))
    assert {Direction.FROM_CLIENT, Direction.TO_CLIENT} <= directions
    assert Invoice.objects.filter(client__workspace=ws, disputed=True).exists()
    assert Invoice.objects.filter(client__workspace=ws, paid_on=None).exists()
    assert TeamPulse.objects.filter(client__workspace=ws, rating__lte=2).exists()


def test_no_placeholder_is_left_unfilled(demo):
    leftover = re.compile(r"\{[a-z_]+\}")
    for subject, body in Interaction.objects.filter(workspace=demo.workspace).values_list(
        "subject", "body_text"
    ):
        assert not leftover.search(subject), subject
        assert not leftover.search(body), body[:200]


def test_stories_show_in_the_data(demo):
    ws = demo.workspace
    late = Client.objects.get(workspace=ws, name=_name("late_payer"))
    late_invoices = Invoice.objects.filter(client=late)
    assert late_invoices.filter(disputed=True).exists()
    assert any(inv.days_late(ANCHOR) > 20 for inv in late_invoices)

    silent = Client.objects.get(workspace=ws, name=_name("silent"))
    turning = demo.turning_points["silent"]
    emails = Interaction.objects.filter(
        client=silent, direction=Direction.FROM_CLIENT, channel=Channel.EMAIL
    )
    before = emails.filter(occurred_at__date__lt=turning).count()
    after = emails.filter(occurred_at__date__gte=turning).count()
    weeks_before = (turning - week_start(ANCHOR, 0)).days / 7
    weeks_after = (ANCHOR - turning).days / 7
    assert after / weeks_after < 0.5 * before / weeks_before

    anxious = Client.objects.get(workspace=ws, name=_name("anxious"))
    peak = Interaction.objects.filter(
        client=anxious,
        direction=Direction.FROM_CLIENT,
        occurred_at__date__gte=week_start(ANCHOR, 6),
        occurred_at__date__lt=week_start(ANCHOR, 12),
    ).count()
    calm = Interaction.objects.filter(
        client=anxious,
        direction=Direction.FROM_CLIENT,
        occurred_at__date__gte=week_start(ANCHOR, 20),
    ).count()
    assert peak > 2 * calm

    good = Client.objects.get(workspace=ws, name=_name("good"))
    assert min(TeamPulse.objects.filter(client=good).values_list("rating", flat=True)) >= 4
    assert all(inv.days_late(ANCHOR) == 0 for inv in Invoice.objects.filter(client=good))


def test_same_anchor_same_data(db):
    first = demo_fingerprint(build_demo(anchor=ANCHOR).workspace)
    second = demo_fingerprint(build_demo(anchor=ANCHOR).workspace)
    assert first == second
    assert Client.objects.filter(workspace__slug=DEMO_SLUG).count() == 7  # replaced, not doubled


def test_demo_command_and_login_reach_every_timeline(db, capsys):
    call_command("demo", as_of=ANCHOR)
    out = capsys.readouterr().out
    assert "7 clients" in out and "« demo »" in out
    from django.test import Client as HttpClient

    http = HttpClient()
    assert http.post(reverse("login"), {"username": "demo", "password": "demo"}).status_code == 302
    listing = http.get(reverse("client-list", kwargs={"workspace": DEMO_SLUG}))
    assert listing.status_code == 200
    for client in Client.objects.filter(workspace__slug=DEMO_SLUG):
        page = http.get(
            reverse("client-detail", kwargs={"workspace": DEMO_SLUG, "client_id": client.pk})
        )
        assert page.status_code == 200
        assert escape(client.name) in listing.content.decode()
        newest = client.interactions.order_by("-occurred_at").first()
        assert escape(newest.subject) in page.content.decode()
    # Two example tasks on the two worst clients, the first already late, listed in "Mes tâches".
    from accalmie.actions.models import Task

    tasks = list(Task.objects.filter(workspace__slug=DEMO_SLUG).order_by("due_on"))
    assert len(tasks) == 2 and "2 example tasks" in out
    assert tasks[0].due_on < dt.date.today() and {
        t.client.health_snapshots.last().status for t in tasks
    } <= {"critical", "at_risk", "watch"}
    mine = http.get(reverse("task-list", kwargs={"workspace": DEMO_SLUG}) + "?all=1")
    assert all(escape(t.title) in mine.content.decode() for t in tasks)


def test_only_the_demo_user_can_log_in(demo):
    from django.contrib.auth import authenticate

    assert authenticate(username="demo", password="demo") is not None
    for username in ("claire", "hugo", "ines", "nora"):
        assert authenticate(username=username, password="demo") is None


def _name(key: str) -> str:
    return next(s for s in load_stories() if s.key == key).data["name"]


def test_replies_answer_whoever_wrote_in_working_hours(demo):
    """Our answers go to the person who wrote, and calm phases have no weekend replies."""
    emails = Interaction.objects.filter(workspace=demo.workspace, channel=Channel.EMAIL)
    senders = {
        it.message_id: {p.address for p in it.participants.all() if p.role == "from"}
        for it in emails.filter(direction=Direction.FROM_CLIENT).prefetch_related("participants")
    }
    replies = emails.filter(direction=Direction.TO_CLIENT).exclude(in_reply_to="")
    assert replies.count() > 100
    for reply in replies.prefetch_related("participants"):
        to = {p.address for p in reply.participants.all() if p.role == "to"}
        assert to == senders[reply.in_reply_to], reply.subject
        assert reply.occurred_at.astimezone(ZoneInfo("Europe/Paris")).weekday() < 5
    good = Client.objects.get(workspace=demo.workspace, name=_name("good"))
    weekend = [
        it
        for it in Interaction.objects.filter(client=good, direction=Direction.FROM_CLIENT)
        if it.occurred_at.astimezone(ZoneInfo(good.timezone)).weekday() >= 5
    ]
    assert len(weekend) <= 2
