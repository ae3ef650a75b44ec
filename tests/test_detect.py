"""Detection applied to stored exchanges, the analyze command, and the evidence on the page."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from accalmie.analysis import TEXT_SIGNALS
from accalmie.comms.models import Interaction
from accalmie.detect.models import InteractionAnalysis, SignalHit
from accalmie.detect.services import analyse_stale
from tests.conftest import login
from tests.factories import InteractionFactory

THREAT = "Si ce n'est pas livré vendredi, nous irons voir une autre agence, je vous préviens."


def test_analyze_command_prints_one_json_line_per_input(tmp_path):
    lines = tmp_path / "in.jsonl"
    lines.write_text(
        json.dumps({"id": "a", "text": THREAT})
        + "\n"
        + json.dumps({"id": "b", "text": "Thanks a lot, great work!", "lang": "en"})
        + "\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("accalmie")),
            "analyze",
            str(lines),
            "--format",
            "jsonl",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["id"] == "a" and first["lang"] == "fr"
    assert set(first["scores"]) == set(TEXT_SIGNALS)
    threat = next(h for h in first["hits"] if h["signal"] == "intimidation")
    for evidence in threat["evidence"]:
        assert THREAT[evidence["start"] : evidence["end"]] == evidence["text"]
    assert threat["explanation"]["fr"] and threat["explanation"]["en"]
    assert second["lang"] == "en" and second["scores"]["appreciation"] > 0.3


def test_analyze_reports_a_bad_line_clearly(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "text": "ok"}\nnot json\n', encoding="utf-8")
    result = subprocess.run(
        [str(Path(sys.executable).with_name("accalmie")), "analyze", str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "bad.jsonl:2: not JSON" in result.stderr


@pytest.mark.django_db
def test_stored_exchanges_get_hits_and_the_page_marks_the_words(agency):
    message = InteractionFactory(client=agency.client, body_text=THREAT, subject="Ultimatum")
    ours = InteractionFactory(client=agency.client, body_text=THREAT, direction="to_client")
    assert analyse_stale(Interaction.objects.all()) == 2  # the fixture's message and this one
    hit = SignalHit.objects.get(interaction=message, signal="intimidation")
    assert hit.client == agency.client and hit.explanation_fr
    assert not SignalHit.objects.filter(interaction=ours).exists()  # our own words: not read
    assert analyse_stale(Interaction.objects.all()) == 0  # nothing left for this version

    url = reverse(
        "interaction-detail",
        kwargs={"workspace": agency.workspace.slug, "interaction_id": message.pk},
    )
    page = login(agency.owner).get(url).content.decode()
    assert 'data-signal="intimidation"' in page
    assert "Intimidation" in page and hit.explanation_fr.replace("'", "&#x27;") in page
    http = login(agency.owner)
    http.post(reverse("set_language"), {"language": "en", "next": url})
    assert hit.explanation_en.replace("'", "&#x27;") in http.get(url).content.decode()


@pytest.mark.django_db
def test_reanalyze_redoes_what_an_older_detector_set_did(agency, capsys):
    message = InteractionFactory(client=agency.client, body_text=THREAT)
    analyse_stale(Interaction.objects.all())
    InteractionAnalysis.objects.update(detector_version="old")
    call_command("reanalyze", "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["analysed"] == 2
    assert InteractionAnalysis.objects.get(interaction=message).detector_version != "old"
    assert SignalHit.objects.filter(interaction=message, signal="intimidation").count() == 1
