"""The interaction page marks the passage that shows a signal, not scattered words."""

from __future__ import annotations

import re

import pytest

from accalmie.detect.models import SignalHit
from accalmie.detect.templatetags.signals import highlight

pytestmark = pytest.mark.django_db  # a hit's verdict is looked up

TEXT = "Bonjour. Si ce n'est pas livré vendredi, nous irons voir une autre agence, merci."


def _hit(pk: int, signal: str, words: list[str], score: float = 0.9) -> SignalHit:
    evidence = []
    for word in words:
        start = TEXT.index(word)
        evidence.append({"start": start, "end": start + len(word), "text": word})
    return SignalHit(
        pk=pk, signal=signal, score=score, evidence=evidence, explanation_fr="x", explanation_en="x"
    )


def _marked(html: str) -> list[tuple[str, str]]:
    """Return (signal, marked words) for each mark, its label and tooltip left out."""
    marks = re.findall(r'<mark[^>]*data-signal="(\w+)"[^>]*>(.*?)</mark>', html)
    return [
        (signal, re.sub(r'<span class="sig-(label|tip)"[^>]*>.*?</span>', "", inner).strip())
        for signal, inner in marks
    ]


def test_pieces_of_one_hit_in_one_sentence_make_one_passage():
    html, marked = highlight(TEXT, [_hit(1, "intimidation", ["Si", "livré", "agence"])], "fr")
    assert _marked(html) == [
        ("intimidation", "Si ce n&#x27;est pas livré vendredi, nous irons voir une autre agence")
    ]
    assert marked == {1}


def test_a_passage_never_swallows_another_hits_words_nor_crosses_a_sentence():
    hits = [
        _hit(1, "intimidation", ["Si", "livré", "agence"]),
        _hit(2, "supplier_framing", ["autre"], score=0.88),
        _hit(3, "appreciation", ["Bonjour", "merci"], score=0.6),
    ]
    html, marked = highlight(TEXT, hits, "fr")
    assert _marked(html) == [
        ("appreciation", "Bonjour"),
        ("intimidation", "Si ce n&#x27;est pas livré"),
        ("supplier_framing", "autre"),
        ("intimidation", "agence"),
        ("appreciation", "merci"),
    ]
    assert marked == {1, 2, 3}
