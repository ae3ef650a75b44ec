"""The signal engine: a message's text in, the warning signs and good signs it shows out.

A plain library with no Django import, usable alone and benchmarked alone:

    >>> from accalmie.analysis import analyze
    >>> result = analyze("Si ce n'est pas livré vendredi, nous irons voir ailleurs.")
    >>> [(hit.signal, round(hit.score, 2)) for hit in result.hits]

Layers: normalisation (`normalize`), language identification (`language`), lexicons of
patterns per signal and language (`lexicon`, data in `lexicons/`), context rules for
negation, questions, conditionals and reported speech (`context`), learned linear models
(`learned`), all put together by `engine`.
"""

from accalmie.analysis.engine import Analysis, Evidence, Hit, analyze, detector_version
from accalmie.analysis.signals import GOOD_SIGNALS, MARKERS, TEXT_SIGNALS

__all__ = [
    "GOOD_SIGNALS",
    "MARKERS",
    "TEXT_SIGNALS",
    "Analysis",
    "Evidence",
    "Hit",
    "analyze",
    "detector_version",
]
