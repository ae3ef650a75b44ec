"""The tone check as the web shows it: labels, explanations, the draft with its spans marked."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from accalmie.analysis.tone_check import ToneFlag, ToneReport, check_tone

MAX_DRAFT_CHARS = 20_000

LABELS = {
    "accusatory_you": _("Le client mis en cause"),
    "defensiveness": _("Sur la défensive"),
    "absolute": _("Toujours, jamais"),
    "sarcasm": _("Ironie"),
    "blame": _("La faute rejetée sur d'autres"),
    "missing_acknowledgement": _("Aucune prise en compte de ce que vit le client"),
    "missing_next_step": _("Pas de prochaine étape concrète"),
}
EXPLANATIONS = {
    "accusatory_you": _(
        "Le client (ou son équipe) est le sujet d'un manquement : il se sentira accusé et se "
        "défendra au lieu de chercher une solution."
    ),
    "defensiveness": _(
        "La phrase protège l'agence au lieu de répondre à la question : le client entend "
        "qu'on ne l'écoute pas."
    ),
    "absolute": _(
        "« Toujours » et « jamais » dits du comportement du client sont presque toujours faux "
        "et ferment la discussion."
    ),
    "sarcasm": _("L'ironie se lit au premier degré par écrit, et blesse."),
    "blame": _(
        "La cause du problème est mise sur le client ou un tiers, sans que l'on prenne sa part."
    ),
    "missing_acknowledgement": _(
        "Nulle part le message ne reconnaît ce que le client ressent ou a soulevé."
    ),
    "missing_next_step": _(
        "Le message se termine sans prochaine étape concrète et datée : le client ne sait pas "
        "ce qui va se passer."
    ),
}


@dataclass(frozen=True)
class ShownFlag:
    number: int
    flag: ToneFlag

    @property
    def label(self) -> str:
        return str(LABELS.get(self.flag.flag, self.flag.flag))

    @property
    def explanation(self) -> str:
        return str(EXPLANATIONS.get(self.flag.flag, ""))

    @property
    def is_missing(self) -> bool:
        return self.flag.flag.startswith("missing_")


@dataclass(frozen=True)
class Segment:
    text: str
    numbers: tuple[int, ...]  # the flags whose span covers this piece
    missing_only: bool


@dataclass(frozen=True)
class ToneView:
    report: ToneReport
    flags: list[ShownFlag]
    segments: list[Segment]
    text: str


def segments_of(text: str, flags: list[ShownFlag]) -> list[Segment]:
    """Cut the text at every flag boundary; each piece knows which flags cover it."""
    cuts = {0, len(text)}
    for shown in flags:
        cuts.update((shown.flag.start, shown.flag.end))
    points = sorted(c for c in cuts if 0 <= c <= len(text))
    out: list[Segment] = []
    for start, end in itertools.pairwise(points):
        if start == end:
            continue
        covering = [s for s in flags if s.flag.start <= start and end <= s.flag.end]
        out.append(
            Segment(
                text[start:end],
                tuple(s.number for s in covering),
                bool(covering) and all(s.is_missing for s in covering),
            )
        )
    return out


CONTEXT_CHARS = 80  # unmarked text kept around the marks in the preview


def shortened(segments: list[Segment]) -> list[Segment]:
    """Keep the marked pieces whole and only some context of the unmarked ones between them."""
    out = []
    last = len(segments) - 1
    for i, seg in enumerate(segments):
        if seg.numbers or len(seg.text) <= 2 * CONTEXT_CHARS + 5:
            out.append(seg)
            continue
        head = seg.text[:CONTEXT_CHARS] if i > 0 else ""
        tail = seg.text[-CONTEXT_CHARS:] if i < last else ""
        out.append(Segment(f"{head} […] {tail}".strip(), (), False))
    return out


def tone_view(text: str, lang: str | None = None) -> ToneView:
    text = text[:MAX_DRAFT_CHARS]
    report = check_tone(text, lang if lang in ("fr", "en") else None)
    shown = [ShownFlag(i, f) for i, f in enumerate(report.flags, start=1)]
    return ToneView(report, shown, shortened(segments_of(text, shown)), text)
