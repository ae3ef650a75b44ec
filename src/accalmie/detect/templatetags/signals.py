"""Show hits in a message: each evidence span marked, labelled and explained."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.core.exceptions import ObjectDoesNotExist
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from accalmie.analysis.signals import GOOD_SIGNALS
from accalmie.detect.models import SIGNAL_LABELS, HitFeedback, SignalHit

register = template.Library()


# Pieces of one hit's evidence closer than this, in one sentence, are shown as one passage.
JOIN_GAP = 60
SENTENCE_END = frozenset(".!?\n")


def _spans(text: str, hits: Iterable[SignalHit]) -> list[tuple[int, int, SignalHit]]:
    pieces = []
    for hit in hits:
        for evidence in hit.evidence:
            start, end = int(evidence["start"]), int(evidence["end"])
            # Offsets are only trusted while the text is the one that was analysed.
            if 0 <= start < end <= len(text) and text[start:end] == evidence["text"]:
                pieces.append((start, end, hit))
    starts = sorted(p[0] for p in pieces)
    spans = _joined(text, pieces, starts)
    spans.sort(key=lambda s: (s[0], -s[2].score))
    kept: list[tuple[int, int, SignalHit]] = []
    for span in spans:
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept


def _joined(
    text: str, pieces: list[tuple[int, int, SignalHit]], starts: list[int]
) -> list[tuple[int, int, SignalHit]]:
    """Join the nearby pieces of each hit's evidence into one passage ("Si … livré").

    Two pieces join when the words between them are short, end no sentence, and hold no
    other piece: the reader sees the phrase, and no other hit loses its mark.
    """
    joined: list[tuple[int, int, SignalHit]] = []
    for hit_pieces in _by_hit(pieces):
        current = hit_pieces[0]
        for piece in hit_pieces[1:]:
            gap = text[current[1] : piece[0]]
            between = any(current[1] <= s < piece[0] for s in starts)
            if len(gap) <= JOIN_GAP and not SENTENCE_END & set(gap) and not between:
                current = (current[0], max(current[1], piece[1]), current[2])
            else:
                joined.append(current)
                current = piece
        joined.append(current)
    return joined


def _by_hit(pieces: list[tuple[int, int, SignalHit]]) -> list[list[tuple[int, int, SignalHit]]]:
    groups: dict[int, list[tuple[int, int, SignalHit]]] = {}
    for piece in pieces:
        groups.setdefault(id(piece[2]), []).append(piece)
    return [sorted(group, key=lambda p: p[0]) for group in groups.values()]


def _escape_lines(text: str) -> str:
    return str(escape(text)).replace("\n", "<br>")


def _dismissed(hit: SignalHit) -> bool:
    """True when a person marked this hit wrong (its feedback row is loaded with it)."""
    try:
        feedback = hit.feedback
    except ObjectDoesNotExist:
        return False
    return feedback is not None and feedback.verdict == HitFeedback.Verdict.WRONG


def highlight(text: str, hits: Iterable[SignalHit], lang: str) -> tuple[SafeString, set[int]]:
    """Return the text as HTML with every evidence span marked, and the hits that got a mark.

    Each mark shows its signal's name (colour is never the only cue), is reached by the
    keyboard (tabindex) and describes itself with the explanation in `lang`, shown on hover
    and on focus by CSS alone. The first mark of a hit has the id `hit-<pk>`.
    """
    parts, position, marked = [], 0, set()
    for number, (start, end, hit) in enumerate(_spans(text, hits)):
        kind = "good" if hit.signal in GOOD_SIGNALS else "warn"
        dismissed = _dismissed(hit)
        tip_id = f"tip-{hit.pk}-{number}"
        anchor = "" if hit.pk in marked else f' id="hit-{hit.pk}"'
        marked.add(hit.pk)
        label = str(SIGNAL_LABELS.get(hit.signal, hit.signal))
        if dismissed:
            label = _("%(label)s · écarté") % {"label": label}
            kind += " sig-dismissed"
        label = escape(label)
        parts.append(_escape_lines(text[position:start]))
        parts.append(
            f'<mark class="sig sig-{kind}"{anchor} data-signal="{hit.signal}" tabindex="0" '
            f'aria-describedby="{tip_id}"><span class="sig-label">{label}</span> '
            f"{_escape_lines(text[start:end])}"
            f'<span class="sig-tip" role="tooltip" id="{tip_id}">'
            f"{escape(hit.explanation(lang))}</span></mark>"
        )
        position = end
    parts.append(_escape_lines(text[position:]))
    return mark_safe("".join(parts)), marked  # noqa: S308 - every piece is escaped above


@register.filter
def signal_label(signal: str) -> str:
    return str(SIGNAL_LABELS.get(signal, signal))


@register.filter
def explanation_for(hit: SignalHit, lang: str) -> str:
    return hit.explanation(lang or "fr")


@register.filter
def is_good_signal(signal: str) -> bool:
    return signal in GOOD_SIGNALS
