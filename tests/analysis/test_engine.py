"""The signal engine on sentences a client could write: evidence, context rules, speed."""

from __future__ import annotations

import time

import pytest

from accalmie.analysis import TEXT_SIGNALS, analyze, detector_version
from accalmie.analysis.context import Sentences
from accalmie.analysis.language import detect_language
from accalmie.analysis.lexicon import anchors_of, load_lexicons
from accalmie.analysis.normalize import fold


def test_folding_keeps_the_way_back_to_the_original_offsets():
    text = "Ça suffit : « vous êtes nuls » — l’équipe déçoit."
    folded = fold(text)
    assert folded.text.startswith('ca suffit : " vous etes nuls "')
    start = folded.text.index("etes nuls")
    original = folded.span(start, start + len("etes nuls"))
    assert text[original[0] : original[1]] == "êtes nuls"
    assert fold("plain ascii").origin is None


def test_language_identification():
    assert (
        detect_language(fold("Bonjour, nous avons bien reçu votre devis, merci.").text)[0] == "fr"
    )
    assert detect_language(fold("Hi, we received the quote, thanks a lot.").text)[0] == "en"


def test_context_of_a_match():
    text = fold(
        "Nous ne comptons pas changer d'agence. Allez-vous changer d'agence ? "
        "Si rien ne bouge, nous irons ailleurs. Notre DG a dit que c'était nul."
    ).text
    sentences = Sentences(text)
    first = text.index("changer")
    assert sentences.context(first, first + 7).negated
    second = text.index("changer", first + 1)
    assert sentences.context(second, second + 7).question
    third = text.index("irons")
    assert sentences.context(third, third + 5).conditional
    fourth = text.index("nul")
    assert sentences.context(fourth, fourth + 3).reported


def test_anchors_let_patterns_be_skipped_cheaply():
    assert anchors_of("changer d'agence") == frozenset({"changer d'agence"})
    assert anchors_of(r"(aller|passer) voir ailleurs") == frozenset({" voir ailleurs"})
    assert anchors_of(r"(menac\w*|chantage)") == frozenset({"menac", "chantage"})
    assert anchors_of(r"\w+ \w+") is None


def test_every_text_signal_has_lexicons_in_both_languages():
    lexicons = load_lexicons()
    for lang in ("fr", "en"):
        signals = {entry.signal for entry in lexicons[lang]}
        assert set(TEXT_SIGNALS) <= signals, set(TEXT_SIGNALS) - signals
        assert {"consultative", "transactional"} <= signals


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("Si ce n'est pas livré vendredi, nous irons voir une autre agence.", "intimidation"),
        (
            "Comme je vous l'ai déjà dit trois fois, le logo doit être plus grand.",
            "passive_aggression",
        ),
        ("Merci beaucoup pour ce super travail, toute l'équipe est ravie !", "appreciation"),
        (
            "Tant que vous y êtes, ajoutez aussi une page blog, ça ne devrait pas être long.",
            "scope_creep",
        ),
        ("We will take our business elsewhere if this is not fixed by Monday.", "intimidation"),
        ("Thank you so much for the great work, the whole team loves it.", "appreciation"),
    ],
)
def test_clear_cases_are_found_with_their_words(text, signal):
    result = analyze(text)
    hit = next((h for h in result.hits if h.signal == signal), None)
    assert hit is not None, (signal, [h.signal for h in result.hits])
    for evidence in hit.evidence:
        assert text[evidence.start : evidence.end] == evidence.text
    assert hit.explanation["fr"] and hit.explanation["en"]
    assert result.scores[signal] >= 0.3


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        (
            "Rassurez-vous, je ne compte pas changer d'agence : vous faites du bon travail.",
            "intimidation",
        ),
        (
            "Notre DG a dit en réunion « on va aller voir ailleurs », mais je l'en ai dissuadé.",
            "intimidation",
        ),
        ("We have no intention of taking our business elsewhere.", "intimidation"),
    ],
)
def test_negated_or_reported_threats_are_not_threats(text, signal):
    assert analyze(text).scores[signal] < 0.3


def test_every_signal_has_a_score_on_every_message():
    result = analyze("Bonjour, voici le planning de la semaine prochaine.")
    assert set(result.scores) == set(TEXT_SIGNALS)
    assert len(detector_version()) == 12


def test_fast_enough_for_a_mailbox():
    text = (
        "Bonjour Claire, merci pour votre retour. Nous avons relu les maquettes avec "
        "l'équipe : la page d'accueil nous plaît, mais la fiche produit reste trop chargée. "
        "Pourriez-vous proposer une version plus aérée d'ici jeudi ? Bonne journée, Anne. "
    ) * 3
    analyze(text)
    started = time.perf_counter()
    for _ in range(300):
        analyze(text)
    per_message = (time.perf_counter() - started) / 300
    # A loose bound against pathological slowness; `accalmie bench analysis` gives the figures.
    assert per_message < 0.02, per_message
