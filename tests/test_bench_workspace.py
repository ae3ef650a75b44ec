"""The bench workspace generator and `accalmie bench generate|health|web`, at a tiny size.

The benchmarks themselves print figures and judge nothing; these tests check that the
generated data is coherent and that each bench runs end to end and prints its figures.
They run on the real test database (`ACCALMIE_BENCH_IN_PLACE=1`, committed rows so that the
web bench's `accalmie serve` subprocess reads them), and once in the bench's own database.
"""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F

from accalmie.accounts.models import Membership, Workspace
from accalmie.bench.generate import BENCH_SLUG, BenchParams, ensure_workspace
from accalmie.bench.runner import IN_PLACE
from accalmie.clients.models import Client
from accalmie.comms.models import Direction, Interaction, InteractionParticipant
from accalmie.detect.models import InteractionAnalysis, SignalHit
from accalmie.finance.models import Invoice
from accalmie.projects.models import Contract
from accalmie.team.models import TeamPulse

ANCHOR = dt.date(2026, 11, 30)
TINY = ["--clients", "5", "--interactions", "200", "--anchor", ANCHOR.isoformat()]

pytestmark = pytest.mark.django_db(transaction=True)


def _fingerprint(workspace: Workspace) -> list[tuple[object, ...]]:
    return list(
        Interaction.objects.filter(workspace=workspace)
        .order_by("client__name", "occurred_at", "pk")
        .values_list("client__name", "occurred_at", "direction", "subject", "body_text")
    )


def test_tiny_workspace_is_coherent_reused_and_deterministic() -> None:
    params = BenchParams(clients=5, interactions=200, anchor=ANCHOR)
    first = ensure_workspace(params)
    assert not first.reused
    ws = Workspace.objects.get(slug=BENCH_SLUG)
    counts = first.counts
    assert counts["clients"] == 5
    assert counts["interactions"] == 200
    assert counts["contracts"] == 5
    assert counts["invoices"] > 0 and counts["team_pulses"] > 0
    assert counts["signal_hits"] > 0 and counts["analyses"] > 0
    # The demo used as a template is gone; only the bench workspace is left.
    assert list(Workspace.objects.values_list("slug", flat=True)) == [BENCH_SLUG]
    interactions = Interaction.objects.filter(workspace=ws)
    assert not interactions.filter(client__isnull=True).exists()
    assert not interactions.exclude(client__workspace=ws).exists()
    assert not interactions.exclude(thread__client=F("client")).exclude(thread=None).exists()
    assert not interactions.filter(occurred_at__gte=dt.datetime(2026, 11, 30, tzinfo=dt.UTC))
    assert interactions.filter(direction=Direction.FROM_CLIENT).exists()
    assert interactions.filter(direction=Direction.TO_CLIENT).exists()
    # Replies point at a message of the same client.
    ids = set(interactions.exclude(message_id="").values_list("client_id", "message_id"))
    replies = list(interactions.exclude(in_reply_to="").values_list("client_id", "in_reply_to"))
    assert replies and sum(r in ids for r in replies) >= 0.9 * len(replies)
    participants = InteractionParticipant.objects.filter(interaction__workspace=ws)
    assert participants.count() == counts["participants"] > counts["interactions"]
    assert not participants.exclude(contact=None).exclude(contact__client=F("interaction__client"))
    members = set(Membership.objects.filter(workspace=ws).values_list("user_id", flat=True))
    assert set(participants.exclude(user=None).values_list("user_id", flat=True)) <= members
    hits = SignalHit.objects.filter(interaction__workspace=ws)
    assert not hits.exclude(client=F("interaction__client")).exists()
    analysed = InteractionAnalysis.objects.filter(interaction__workspace=ws)
    assert not analysed.exclude(interaction__direction=Direction.FROM_CLIENT).exists()
    for client in Client.objects.filter(workspace=ws):
        assert client.account_manager_id in members
        assert client.last_interaction_at == max(
            client.interactions.values_list("occurred_at", flat=True)
        )
        people = {client.account_manager_id, *client.team.values_list("pk", flat=True)}
        assert set(TeamPulse.objects.filter(client=client).values_list("member", flat=True)) <= (
            people
        )
        assert Contract.objects.get(project__client=client).agency_contact_id == (
            client.account_manager_id
        )
    assert Invoice.objects.filter(client__workspace=ws, due_on__lt=F("paid_on")).exists()
    before = _fingerprint(ws)

    again = ensure_workspace(params)
    assert again.reused and again.counts == counts

    rebuilt = ensure_workspace(params, fresh=True)
    assert not rebuilt.reused and rebuilt.counts == counts
    assert _fingerprint(Workspace.objects.get(slug=BENCH_SLUG)) == before


def test_workspace_of_other_parameters_replaces_the_earlier_one() -> None:
    # One database kept across parameters (a PostgreSQL `--database-url`): the earlier
    # bench's users, with the same usernames, must not stand in the way.
    ensure_workspace(BenchParams(clients=3, interactions=60, anchor=ANCHOR))
    other = ensure_workspace(BenchParams(clients=4, interactions=80, anchor=ANCHOR))
    assert not other.reused and other.counts["clients"] == 4
    assert list(Workspace.objects.values_list("slug", flat=True)) == [BENCH_SLUG]
    assert Membership.objects.count() == get_user_model().objects.count()


def test_bench_health_prints_its_figures(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(IN_PLACE, "1")
    out = StringIO()
    call_command("bench", "health", *TINY, "--trials", "3", "--history-weeks", "2", stdout=out)
    text = out.getvalue()
    assert "full recomputation: 5 clients in" in text
    assert "clients/s" in text and "incremental, one new message (3 trials" in text
    out = StringIO()
    call_command(
        "bench", "health", *TINY, "--trials", "3", "--history-weeks", "2", "--json", stdout=out
    )
    result = json.loads(out.getvalue())
    assert result["workspace"]["reused"] is True
    full = result["health"]["full"]
    assert full["clients"] == 5 and full["seconds"] > 0 and full["snapshots"] == 5
    inc = result["health"]["incremental"]
    assert inc["trials"] == 3
    assert 0 < inc["total_ms"]["median"] <= inc["total_ms"]["max"]
    assert inc["recompute_ms"]["median"] > 0
    # The trial messages are gone again.
    assert Interaction.objects.filter(workspace__slug=BENCH_SLUG).count() == 200


def test_bench_web_serves_the_three_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(IN_PLACE, "1")
    out = StringIO()
    call_command(
        "bench",
        "web",
        *TINY,
        "--requests",
        "3",
        "--warmup",
        "1",
        "--history-weeks",
        "2",
        "--json",
        stdout=out,
    )
    result = json.loads(out.getvalue())["web"]
    pages = {p["page"]: p for p in result["pages"]}
    assert set(pages) == {"dashboard", "client", "interaction"}
    for page in pages.values():
        assert 0 < page["p50"] <= page["p95"] <= page["max"]
        assert page["queries"] > 0 and page["bytes"] > 1000
        assert page["slowest"]
    assert pages["dashboard"]["path"] == "/w/bench/"


def test_bench_refuses_a_database_with_other_workspaces(monkeypatch) -> None:
    monkeypatch.setenv(IN_PLACE, "1")
    Workspace.objects.create(slug="agence", name="Une vraie agence")
    with pytest.raises(CommandError, match="other workspaces"):
        call_command("bench", "generate", *TINY, stdout=StringIO())
    assert list(Workspace.objects.values_list("slug", flat=True)) == ["agence"]


def test_bench_generate_uses_its_own_database(tmp_path: Path, capfd) -> None:
    call_command(
        "bench",
        "generate",
        "--clients",
        "3",
        "--interactions",
        "60",
        "--anchor",
        ANCHOR.isoformat(),
        "--bench-dir",
        str(tmp_path),
        "--json",
    )
    printed = json.loads(capfd.readouterr().out)
    assert printed["workspace"]["counts"]["interactions"] == 60
    key = BenchParams(clients=3, interactions=60, anchor=ANCHOR).key
    assert printed["workspace"]["database_name"] == str(tmp_path / key / "accalmie.sqlite3")
    assert (tmp_path / key / "accalmie.sqlite3").is_file()
    assert not Workspace.objects.exists()  # the test database was left alone
