"""The portfolio dashboard and the client page on a real database: order, filters, access,
HTMX partials, bounded SQL queries, localisation, and the stylesheet's contrast."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accalmie.accounts.models import Role
from accalmie.clients.dashboard import Filters, sparkline
from accalmie.comms.models import Direction
from accalmie.detect.models import SIGNAL_LABELS, SignalHit
from accalmie.detect.services import analyse_stale
from accalmie.health.models import HealthSnapshot
from accalmie.health.services import recompute_clients
from tests.conftest import login
from tests.factories import (
    ClientFactory,
    ContactEmailFactory,
    ContactFactory,
    ContractFactory,
    InteractionFactory,
    InvoiceFactory,
    TeamPulseFactory,
)

pytestmark = pytest.mark.django_db
CSS = Path(__file__).resolve().parents[1] / "src/accalmie/core/static/accalmie/accalmie.css"
NOW = dt.datetime(2026, 5, 4, 18, 0, tzinfo=dt.UTC)
HOSTILE = (
    "Pour la troisième fois, je vous le redis : c'est inadmissible. Si ce n'est pas livré "
    "demain, nous irons voir une autre agence, moins chère, et notre avocat s'en mêlera."
)
FRIENDLY = "Merci beaucoup pour ce travail, l'équipe est ravie. Qu'en pensez-vous pour la suite ?"


def _board_url(agency, **params) -> str:
    url = reverse("client-list", kwargs={"workspace": agency.workspace.slug})
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def _detail_url(agency, client) -> str:
    return reverse(
        "client-detail", kwargs={"workspace": agency.workspace.slug, "client_id": client.pk}
    )


def _story(client, *, hostile: bool, weeks: int = 6) -> None:
    """Give a client weeks of exchanges, an invoice and the team's pulse, then score it."""
    start = NOW - dt.timedelta(weeks=weeks)
    for week in range(weeks):
        at = start + dt.timedelta(weeks=week) - dt.timedelta(hours=9)  # office hours
        angry = hostile and week >= weeks // 2
        for n in range(3 if angry else 1):  # an angry client writes three times a day
            InteractionFactory(
                client=client,
                occurred_at=at + dt.timedelta(hours=n),
                subject=f"Point hebdo {week}",
                body_text=HOSTILE if angry else FRIENDLY,
            )
        InteractionFactory(
            client=client,
            occurred_at=at + dt.timedelta(hours=3),
            direction=Direction.TO_CLIENT,
            subject=f"RE: Point hebdo {week}",
            body_text="Bonjour, voici le point de la semaine. Bien à vous.",
        )
        if not hostile:  # a good client answers the week's point
            InteractionFactory(
                client=client,
                occurred_at=at + dt.timedelta(hours=5),
                subject=f"RE: Point hebdo {week}",
                body_text="Merci, c'est très clair. Bonne fin de semaine.",
            )
    InvoiceFactory(
        client=client,
        issued_on=(start + dt.timedelta(days=3)).date(),
        due_on=(start + dt.timedelta(days=10)).date(),
        paid_on=None if hostile else (start + dt.timedelta(days=9)).date(),
    )


def _score(clients) -> None:
    from accalmie.comms.models import Interaction

    analyse_stale(Interaction.objects.filter(client__in=clients))
    recompute_clients(list(clients), as_of=NOW, history_weeks=6)


@pytest.fixture
def portfolio(agency):
    """Verdier (hostile, late invoice), Kolibri (friendly), both scored for six weeks."""
    _story(agency.client, hostile=True)
    _story(agency.other_client, hostile=False)
    for week in range(3):
        TeamPulseFactory(
            client=agency.client,
            member=agency.teammate,
            week=(NOW - dt.timedelta(weeks=week + 1)).date()
            - dt.timedelta(days=(NOW - dt.timedelta(weeks=week + 1)).weekday()),
            rating=1,
            comment="Épuisant",
        )
    _score([agency.client, agency.other_client])
    return agency


def _names(html: str) -> list[str]:
    return re.findall(r'<th scope="row" data-label="[^"]*"><a href="[^"]*">([^<]+)</a>', html)


def test_dashboard_ranks_by_risk_with_status_score_sparkline_and_reasons(portfolio):
    agency = portfolio
    worst = HealthSnapshot.objects.filter(client=agency.client).latest("day")
    best = HealthSnapshot.objects.filter(client=agency.other_client).latest("day")
    assert worst.score < best.score  # the stories did what they say
    assert worst.status in {"at_risk", "critical"} and best.status in {"healthy", "watch"}
    html = login(agency.director).get(_board_url(agency)).content.decode()
    assert _names(html) == ["Verdier", "Kolibri"]
    row = html[html.index(">Verdier<") : html.index(">Kolibri<")]
    assert f'status-{worst.status}"' in row and "/100" in row
    assert '<svg class="spark"' in row and "Score sur 90 jours" in row
    assert re.search(r'<polyline points="(\d+\.\d,\d+\.\d ?){2,}"', row)  # dots, never commas
    assert '<ul class="reasons">' in row
    harmful = [r for r in worst.reasons if r["points"] < 0]
    assert len(harmful) >= 2
    for reason in harmful[:3]:  # the top reasons, in words
        assert str(SIGNAL_LABELS[reason["signal"]]) in row
    assert re.search(r'class="alert-count"[^>]*>\d', row) or worst.status == "healthy"


def test_dashboard_shows_each_member_only_their_clients(portfolio):
    agency = portfolio
    assert _names(login(agency.director).get(_board_url(agency)).content.decode()) == [
        "Verdier",
        "Kolibri",
    ]
    assert _names(login(agency.reader).get(_board_url(agency)).content.decode()) == [
        "Verdier",
        "Kolibri",
    ]
    assert _names(login(agency.owner).get(_board_url(agency)).content.decode()) == ["Verdier"]
    assert _names(login(agency.teammate).get(_board_url(agency)).content.decode()) == ["Verdier"]
    assert _names(login(agency.colleague).get(_board_url(agency)).content.decode()) == ["Kolibri"]
    assert login(agency.outsider).get(_board_url(agency)).status_code == 404


def test_dashboard_filters_and_search(portfolio):
    agency = portfolio
    http = login(agency.director)
    worst = HealthSnapshot.objects.filter(client=agency.client).latest("day")
    signal = next(r["signal"] for r in worst.reasons if r["points"] < 0)

    def names(**params) -> list[str]:
        return _names(http.get(_board_url(agency, **params)).content.decode())

    assert names(status=worst.status) == ["Verdier"]
    assert names(manager=agency.colleague.pk) == ["Kolibri"]
    assert names(signal=signal) == ["Verdier"]
    assert names(q="kolib") == ["Kolibri"]
    assert names(q="kolib", status=worst.status) == []
    assert names(status="nonsense", signal="nonsense", manager="x") == ["Verdier", "Kolibri"]
    page = http.get(_board_url(agency, q="zzz")).content.decode()
    assert "Aucun client ne correspond à ces filtres." in page
    # The form keeps what was asked.
    page = http.get(_board_url(agency, signal=signal, q="Ver")).content.decode()
    assert f'<option value="{signal}" selected>' in page and 'value="Ver"' in page


def test_dashboard_htmx_request_gets_only_the_results(portfolio):
    agency = portfolio
    http = login(agency.director)
    full = http.get(_board_url(agency, q="Verd"))
    assert "<html" in full.content.decode() and 'hx-target="#results"' in full.content.decode()
    part = http.get(_board_url(agency, q="Verd"), HTTP_HX_REQUEST="true")
    html = part.content.decode()
    assert "<html" not in html and "<form" not in html
    assert _names(html) == ["Verdier"]
    assert "HX-Request" in part["Vary"]
    # Going back in history asks for the whole page again.
    restore = http.get(
        _board_url(agency), HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in restore.content.decode()


def test_dashboard_pages_fifty_clients_at_a_time(agency):
    for n in range(55):
        ClientFactory(workspace=agency.workspace, name=f"Client {n:02d}")
    http = login(agency.director)
    first = http.get(_board_url(agency)).content.decode()
    assert len(_names(first)) == 50 and "Page 1 sur 2" in first and "57 clients" in first
    assert 'rel="next"' in first
    second = http.get(_board_url(agency, page=2)).content.decode()
    assert len(_names(second)) == 7


def _many_clients(agency, count: int) -> None:
    """`count` scored clients, each with exchanges, hits, an invoice, a pulse and contacts."""
    clients = []
    for n in range(count):
        client = ClientFactory(
            workspace=agency.workspace, name=f"Atelier {n:03d}", account_manager=agency.owner
        )
        client.team.add(agency.teammate)
        _story(client, hostile=n % 2 == 0, weeks=3)
        TeamPulseFactory(client=client, member=agency.teammate, week=dt.date(2026, 4, 27))
        ContactEmailFactory(contact=ContactFactory(client=client))
        ContractFactory(project__client=client)
        clients.append(client)
    _score(clients)


def _queries(http, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = http.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.ACCOUNT_MANAGER])
def test_query_count_does_not_grow_with_the_number_of_clients(agency, role):
    """GIVEN 5 then 40 scored clients THEN the dashboard (plain, filtered, HTMX) and a client
    page cost the same number of SQL queries."""
    user = agency.director if role == Role.DIRECTOR else agency.owner
    http = login(user)
    urls = {
        "dashboard": _board_url(agency),
        "filtered": _board_url(agency, signal="late_payment", status="critical", q="Atelier"),
    }
    _many_clients(agency, 5)
    target = agency.workspace.clients.get(name="Atelier 000")
    urls["client"] = _detail_url(agency, target)
    counts_5 = {name: _queries(http, url) for name, url in urls.items()}
    assert SignalHit.objects.filter(client__name__startswith="Atelier").exists()
    for n in range(5, 40):
        client = ClientFactory(
            workspace=agency.workspace, name=f"Atelier {n:03d}", account_manager=agency.owner
        )
        client.team.add(agency.teammate)
        _story(client, hostile=n % 2 == 0, weeks=3)
    _score(list(agency.workspace.clients.filter(name__startswith="Atelier")))
    assert agency.workspace.clients.count() == 42
    counts_40 = {name: _queries(http, url) for name, url in urls.items()}
    assert counts_40 == counts_5
    assert counts_5["dashboard"] <= 12 and counts_5["filtered"] <= 12


def test_client_page_has_the_chart_reasons_with_evidence_and_records(portfolio):
    agency = portfolio
    html = login(agency.owner).get(_detail_url(agency, agency.client)).content.decode()
    # The chart: data for uPlot, a drawn SVG and a table of values for reading without JS.
    data = json.loads(
        re.search(
            r'<script id="health-chart-data" type="application/json">(.*?)</script>', html, re.S
        ).group(1)
    )
    keys = [s["key"] for s in data["series"]]
    assert keys[0] == "overall" and {"respect", "finance", "team"} <= set(keys)
    assert len(data["x"]) == HealthSnapshot.objects.filter(client=agency.client).count() >= 6
    assert 'class="chart-fallback"' in html and html.count("<polyline") >= len(keys)
    assert "vendor/uplot/uPlot.iife.min.js" in html
    assert "Les valeurs du graphique" in html
    # Reasons link to their evidence: a text hit to the hit on its exchange's page.
    hit = SignalHit.objects.filter(client=agency.client).first()
    assert hit is not None
    assert re.search(r'href="/w/boreal/interactions/\d+/#hit-\d+" data-ref="hit-\d+"', html)
    # ... and that exchange is not listed again beside its hit in the same reason.
    reasons = html.split('class="reason-list"')[1].split("</ol>")[0].split('<li class="reason"')
    for reason in reasons:
        hit_pages = set(re.findall(r'href="([^"#]+)#hit-\d+" data-ref="hit-', reason))
        pages = set(re.findall(r'href="([^"#]+)" data-ref="interaction-', reason))
        assert not hit_pages & pages
    # Invoices with their lateness, open alerts, the walk-away card, contacts.
    assert re.search(r"\d+ jours</span>", html)
    assert "Alertes ouvertes" in html and "Faut-il mettre fin à la relation ?" in html
    assert (
        reverse("walkaway", kwargs={"workspace": "boreal", "client_id": agency.client.pk}) in html
    )
    assert 'id="pulses-h"' in html and "Épuisant" in html


def test_client_page_in_english_localises_labels_and_dates(portfolio):
    agency = portfolio
    http = login(agency.owner)
    http.cookies["django_language"] = "en"
    html = http.get(_detail_url(agency, agency.client)).content.decode()
    board = http.get(_board_url(agency)).content.decode()
    assert '<html lang="en">' in html and '<html lang="en">' in board
    day = HealthSnapshot.objects.filter(client=agency.client).latest("day").day
    assert day.strftime("%B") in html  # a month's English name, e.g. "May 4, 2026"
    assert "Last exchange" in board


def test_filters_ignore_what_they_do_not_know():
    assert (
        Filters.from_query({"status": "bad", "signal": "nope", "manager": "1; drop"}) == Filters()
    )
    f = Filters.from_query(
        {"status": "critical", "signal": "scope_creep", "manager": "7", "q": " a "}
    )
    assert (f.status, f.signal, f.manager, f.q, f.active) == (
        "critical",
        "scope_creep",
        7,
        "a",
        True,
    )


def test_sparkline_maps_scores_onto_a_fixed_scale():
    day = dt.date(2026, 5, 4)
    line = sparkline(
        [(day - dt.timedelta(days=90), 100), (day - dt.timedelta(days=200), 5), (day, 0)],
        day - dt.timedelta(days=90),
        day,
        width=100,
        height=20,
        pad=0,
    )
    assert line is not None
    assert line.points == "0.0,0.0 100.0,20.0"  # the point outside the 90 days is left out
    assert (line.first, line.last, line.lowest, line.change) == (100, 0, 0, -100)
    assert sparkline([], day, day) is None
    single = sparkline([(day, 50)], day - dt.timedelta(days=90), day, width=100, height=20, pad=0)
    assert single is not None and single.points == "96.0,10.0 100.0,10.0"


# -- contrast -------------------------------------------------------------------------------


def _luminance(hex_colour: str) -> float:
    value = hex_colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _variables() -> dict[str, str]:
    root = re.search(r":root\s*{(.*?)}", CSS.read_text(), re.S)
    assert root
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,6})", root.group(1)))


TEXT_PAIRS = [
    ("ink", "paper"),
    ("ink", "canvas"),
    ("muted", "paper"),
    ("muted", "canvas"),
    ("accent", "paper"),
    ("accent", "canvas"),
    ("accent-ink", "accent"),
    ("warn", "paper"),
    ("down", "paper"),
    ("up", "paper"),
    ("healthy-ink", "healthy-bg"),
    ("watch-ink", "watch-bg"),
    ("at-risk-ink", "at-risk-bg"),
    ("critical-ink", "critical-bg"),
    ("none-ink", "none-bg"),
]


@pytest.mark.parametrize(("fg", "bg"), TEXT_PAIRS)
def test_text_colours_meet_wcag_aa(fg, bg):
    colours = _variables()
    ratio = contrast(colours[fg], colours[bg])
    assert ratio >= 4.5, f"--{fg} on --{bg}: {ratio:.2f}:1"


def test_contrast_formula_is_the_wcag_one():
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#767676", "#ffffff"), 2) == 4.54
