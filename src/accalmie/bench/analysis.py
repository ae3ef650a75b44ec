"""`accalmie bench analysis`: the full text pipeline's rate on e-mail-length messages.

The messages are built from the demo stories' client e-mails (French and English, the
project's own writing): each one joins two to four e-mails of the same client, so it is 80
to 400 words in that client's language, like a long real message with its quoted history.
The same texts go through vaderSentiment_fr in the same run, for scale.
Everything runs in this one process: the rate is per core.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from accalmie.analysis import analyze
from accalmie.demo.stories import load_stories


@dataclass
class Rate:
    name: str
    messages: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0


def build_messages(count: int, seed: int = 7) -> list[str]:
    """Return `count` e-mail-length texts, each made of one demo client's messages."""
    by_client = [
        [
            str(message["body"]).strip()
            for phase in story.data["phases"]
            for message in phase.get("inbound", [])
        ]
        for story in load_stories()
    ]
    # Each message goes to a client with a chance in proportion to how much that client writes.
    bodies = [(client, body) for client, texts in enumerate(by_client) for body in texts]
    rng = random.Random(seed)  # noqa: S311 - not security
    texts = []
    for _ in range(count):
        client = rng.choice(bodies)[0]
        own = by_client[client]
        texts.append("\n\n".join(rng.sample(own, min(len(own), rng.randint(2, 4)))))
    return texts


def time_accalmie(texts: list[str]) -> Rate:
    analyze(texts[0])  # load lexicons and models first: a warm pipeline is what runs in a worker
    started = time.perf_counter()
    for text in texts:
        analyze(text)
    return Rate("accalmie (full pipeline)", len(texts), time.perf_counter() - started)


def time_vader_fr(texts: list[str]) -> Rate | None:
    try:
        from vaderSentiment_fr.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        return None
    analyzer = SentimentIntensityAnalyzer()
    started = time.perf_counter()
    for text in texts:
        analyzer.polarity_scores(text)
    return Rate("vaderSentiment_fr (polarity only)", len(texts), time.perf_counter() - started)


def run(count: int = 20_000) -> dict[str, object]:
    """Measure both on the same texts and return the figures."""
    texts = build_messages(count)
    words = sum(len(t.split()) for t in texts) / len(texts)
    rates = [time_accalmie(texts)]
    vader = time_vader_fr(texts)
    if vader is not None:
        rates.append(vader)
    return {
        "messages": count,
        "mean_words": round(words),
        "rates": [
            {
                "name": r.name,
                "seconds": round(r.seconds, 2),
                "messages_per_second_per_core": round(r.per_second),
            }
            for r in rates
        ],
        "vader_installed": vader is not None,
    }
