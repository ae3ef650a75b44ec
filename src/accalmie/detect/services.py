"""Analyse stored exchanges and keep their hits, tagged with the detector set's version."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet

from accalmie.analysis import analyze, detector_version
from accalmie.comms.models import Channel, Direction, Interaction
from accalmie.detect.feedback import relink_feedback
from accalmie.detect.models import InteractionAnalysis, SignalHit

# The client's own written words: what the text detectors read.
ANALYSED_CHANNELS = (Channel.EMAIL, Channel.CHAT)


def analysable(interactions: QuerySet[Interaction]) -> QuerySet[Interaction]:
    """Return the exchanges whose text the detectors read: the client's written messages."""
    return interactions.filter(direction=Direction.FROM_CLIENT, channel__in=ANALYSED_CHANNELS)


@transaction.atomic
def analyse_interactions(interactions: Iterable[Interaction]) -> int:
    """Analyse the exchanges again with the current detectors; return how many hits were kept."""
    version = detector_version()
    items = list(interactions)
    ids = [i.pk for i in items]
    SignalHit.objects.filter(interaction_id__in=ids).delete()
    InteractionAnalysis.objects.filter(interaction_id__in=ids).delete()
    analyses: list[InteractionAnalysis] = []
    hits: list[SignalHit] = []
    for interaction in items:
        result = analyze(interaction.body_text, lang=None)
        analyses.append(
            InteractionAnalysis(
                interaction=interaction,
                lang=result.lang,
                detector_version=version,
                scores={k: round(v, 4) for k, v in result.scores.items() if v},
                markers={k: v for k, v in result.markers.items() if v},
                tone={k: round(v, 4) for k, v in result.tone.items()},
            )
        )
        hits.extend(
            SignalHit(
                interaction=interaction,
                client_id=interaction.client_id,
                signal=hit.signal,
                score=hit.score,
                detector=hit.detector,
                evidence=[{"start": e.start, "end": e.end, "text": e.text} for e in hit.evidence],
                explanation_fr=hit.explanation["fr"],
                explanation_en=hit.explanation["en"],
                detector_version=version,
            )
            for hit in result.hits
        )
    InteractionAnalysis.objects.bulk_create(analyses)
    SignalHit.objects.bulk_create(hits)
    # People's verdicts outlive the hit rows: point them at the new ones.
    relink_feedback(ids)
    return len(hits)


def stale(queryset: QuerySet[Interaction]) -> QuerySet[Interaction]:
    """Return the analysable exchanges not yet analysed by the current detector set."""
    current = InteractionAnalysis.objects.filter(detector_version=detector_version())
    return analysable(queryset).exclude(pk__in=current.values("interaction_id"))


def analyse_stale(queryset: QuerySet[Interaction], batch: int = 500) -> int:
    """Analyse every exchange of `queryset` that the current detectors have not seen."""
    done = 0
    while True:
        chunk = list(stale(queryset).order_by("pk")[:batch])
        if not chunk:
            return done
        analyse_interactions(chunk)
        done += len(chunk)
