"""Train the learned models from the public corpora, reproducibly, and write their model card.

What is deterministic, and why it matters: the held-out rows are chosen by a hash of each
row's folded text (the same on every run and machine, and duplicates of a tweet land on the
same side), the vocabulary is sorted, the solver is deterministic and the weights are
rounded, so training twice gives byte-identical JSON files.

numpy, scipy and scikit-learn (the `train` extra) are imported inside the functions that
fit, never at module level: the loaders and the split need only the standard library, so
`public_eval` (metrics and baselines) builds on them without numpy, and inference
(`learned`) needs none of it.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from accalmie.analysis.learned import (
    FORMAT,
    LinearTextModel,
    block_scale,
    feature_counts,
    tokenize,
)

HELDOUT_PERCENT = 20
CV_FOLDS = 5
# Keep the files small (well under 2 MB): the strongest weights carry the ranking; the
# tail of tiny weights barely moves a score (the card's figures are those of the pruned model).
MAX_FEATURES = 20_000
SIGNIFICANT_DIGITS = 4
TUNING_GRID = (0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0)
# An English stop word counts as stripped from a corpus when fewer tweets hold it than this.
STRIPPED_BELOW = 0.005


@dataclass(frozen=True)
class Example:
    """One labelled row: its text (cleaned for training) and its label (1 = positive)."""

    text: str
    label: int


@dataclass(frozen=True)
class Spec:
    """What one model is trained on and how."""

    name: str
    lang: str
    task: str  # what the probability is the probability of
    label: str  # the positive class
    data_file: str  # the labelled file, relative to the corpora root
    set_name: str  # the held-out set's name in evaluation reports
    loader: Callable[[Path], list[Example]]  # reads `data_file`
    c: float  # inverse regularisation, chosen by `tune` (5-fold CV on the training rows only)
    char_ngrams: tuple[int, int] = (3, 5)
    strip_stop_words: bool = False  # the corpus has had its stop words removed
    version: str = "1.0"


# The tweets were anonymised with placeholders that never occur in mail, and retweet marks.
_TWEET_NOISE = re.compile(r"@(?:user|url)\b|^rt\b|&amp;|&lt;|&gt;")


def clean_tweet(text: str) -> str:
    """Remove the corpus's placeholders (@user, @url, rt, HTML entities) from a tweet."""
    return _TWEET_NOISE.sub(" ", text).strip()


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_mlma(path: Path) -> list[Example]:
    """Read MLMA tweets: hostile (1) when any hostility label other than "normal" is set."""
    rows = _read_csv(path)
    return [
        Example(
            clean_tweet(row["tweet"]),
            int(any(atom != "normal" for atom in row["sentiment"].split("_"))),
        )
        for row in rows
    ]


def load_tydip(path: Path) -> list[Example]:
    """Read TyDiP's English binary set: polite (1) when the score is above 0."""
    rows = _read_csv(path)
    return [Example(row["sentence"], int(float(row["score"]) > 0)) for row in rows]


SPECS: tuple[Spec, ...] = (
    Spec(
        name="hostility_fr",
        lang="fr",
        task="hostility",
        label="hostile",
        data_file="mlma-hate-speech/fr_dataset.csv",
        set_name="mlma-fr hostility",
        loader=load_mlma,
        c=0.25,
    ),
    Spec(
        name="hostility_en",
        lang="en",
        task="hostility",
        label="hostile",
        data_file="mlma-hate-speech/en_dataset.csv",
        set_name="mlma-en hostility",
        loader=load_mlma,
        c=0.02,
        strip_stop_words=True,
    ),
    Spec(
        name="politeness_en",
        lang="en",
        task="politeness",
        label="polite",
        data_file="tydip-politeness/binary/en_train_binary.csv",
        set_name="tydip-en politeness",
        loader=load_tydip,
        c=8.0,
    ),
)


def load(item: Spec, corpora: Path) -> list[Example]:
    """Read the labelled rows of a model's corpus."""
    return item.loader(corpora / item.data_file)


def spec(name: str) -> Spec:
    """Return the training spec of model `name`."""
    for candidate in SPECS:
        if candidate.name == name:
            return candidate
    raise KeyError(name)


def _bucket(text: str, salt: str, buckets: int) -> int:
    """Return a stable bucket for a text: a hash of its folded words, not of Python's hash()."""
    key = " ".join(token.folded for token in tokenize(text))
    digest = hashlib.sha256(f"{salt}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % buckets


def is_heldout(text: str) -> bool:
    """Tell whether a row belongs to the held-out 20 % (the same answer everywhere, always)."""
    return _bucket(text, "accalmie-heldout-v1", 100) < HELDOUT_PERCENT


def split(examples: Iterable[Example]) -> tuple[list[Example], list[Example]]:
    """Split rows into (training, held-out), keeping the corpus order in each."""
    train: list[Example] = []
    heldout: list[Example] = []
    for example in examples:
        (heldout if is_heldout(example.text) else train).append(example)
    return train, heldout


def cv_fold(text: str) -> int:
    """Return the cross-validation fold (0..4) of a training row."""
    return _bucket(text, "accalmie-cv-v1", CV_FOLDS)


def stripped_stop_words(examples: Sequence[Example]) -> list[str]:
    """Return the English stop words that the corpus's authors evidently removed.

    The MLMA English file comes with its stop words removed; dropping the same words from
    the mail we score keeps the word pairs and the scaling comparable with training.
    """
    from sklearn.feature_extraction.text import (  # type: ignore[import-untyped]
        ENGLISH_STOP_WORDS,
    )

    frequency: dict[str, int] = {}
    for example in examples:
        for word in {token.folded for token in tokenize(example.text)}:
            frequency[word] = frequency.get(word, 0) + 1
    limit = STRIPPED_BELOW * len(examples)
    return sorted(word for word in ENGLISH_STOP_WORDS if frequency.get(word, 0) < limit)


def feature_rows(
    texts: Sequence[str], sizes: tuple[int, int], drop: frozenset[str]
) -> list[dict[tuple[str, str], float]]:
    """Return each text's feature values, keyed by (block, feature), as `learned` scores them."""
    rows = []
    for text in texts:
        words = [token.folded for token in tokenize(text, drop)]
        word_counts, char_counts = feature_counts(words, sizes)
        word_scale, char_scale = block_scale(word_counts), block_scale(char_counts)
        row = {("w", key): count * word_scale for key, count in word_counts.items()}
        row.update({("c", key): count * char_scale for key, count in char_counts.items()})
        rows.append(row)
    return rows


def _matrix(
    rows: Sequence[dict[tuple[str, str], float]], vocabulary: dict[tuple[str, str], int]
) -> Any:
    """Return the rows as a sparse matrix over `vocabulary` (unknown features ignored)."""
    from scipy.sparse import csr_matrix  # type: ignore[import-untyped]

    indices: list[int] = []
    values: list[float] = []
    pointers = [0]
    for row in rows:
        known = sorted((vocabulary[key], value) for key, value in row.items() if key in vocabulary)
        indices.extend(index for index, _ in known)
        values.extend(value for _, value in known)
        pointers.append(len(indices))
    return csr_matrix((values, indices, pointers), shape=(len(rows), len(vocabulary)))


def _fit(matrix: Any, labels: Sequence[int], c: float) -> Any:
    """Fit a class-balanced L2 logistic regression (lbfgs is deterministic)."""
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

    # Balanced classes: the corpora's base rates (80-88 % hostile tweets) say nothing about mail.
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=10_000, tol=1e-6)
    return _fit_single_threaded(model, matrix, labels)


def _fit_single_threaded(model: Any, matrix: Any, labels: Sequence[int]) -> Any:
    """Fit a scikit-learn model with one BLAS thread."""
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    # On 2 cores the BLAS threads fight over vectors this small (10-20x slower), and a fixed
    # thread count keeps the floating-point sums in the same order on every run.
    with threadpool_limits(limits=1):
        return model.fit(matrix, list(labels))


def _out_of_fold_scores(
    rows: Sequence[dict[tuple[str, str], float]], examples: Sequence[Example], c: float
) -> list[float]:
    """Return each training row's score from a model fitted without its fold."""
    folds = [cv_fold(example.text) for example in examples]
    scores = [0.0] * len(examples)
    for fold in range(CV_FOLDS):
        inside = [i for i, f in enumerate(folds) if f != fold]
        outside = [i for i, f in enumerate(folds) if f == fold]
        vocabulary = _vocabulary(rows[i] for i in inside)
        model = _fit(
            _matrix([rows[i] for i in inside], vocabulary), [examples[i].label for i in inside], c
        )
        for i, score in zip(
            outside,
            model.decision_function(_matrix([rows[i] for i in outside], vocabulary)),
            strict=True,
        ):
            scores[i] = float(score)
    return scores


def _vocabulary(rows: Iterable[dict[tuple[str, str], float]]) -> dict[tuple[str, str], int]:
    """Return the sorted vocabulary of feature keys (sorted: the same order on every run)."""
    keys = sorted({key for row in rows for key in row})
    return {key: index for index, key in enumerate(keys)}


def _platt(scores: Sequence[float], labels: Sequence[int]) -> tuple[float, float]:
    """Return (slope, offset) mapping raw scores to balanced-prior probabilities."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1e6, class_weight="balanced", max_iter=10_000, tol=1e-9)
    _fit_single_threaded(model, np.asarray(scores).reshape(-1, 1), labels)
    return float(model.coef_[0][0]), float(model.intercept_[0])


def _round(value: float) -> float:
    """Round to a few significant digits: enough for scoring, and stable across machines."""
    return float(f"{value:.{SIGNIFICANT_DIGITS}g}")


def tune(item: Spec, corpora: Path, grid: Sequence[float] = TUNING_GRID) -> dict[float, float]:
    """Return the mean 5-fold ROC-AUC on the training rows for each C (held-out rows unused)."""
    train, _heldout = split(load(item, corpora))
    drop = frozenset(stripped_stop_words(train)) if item.strip_stop_words else frozenset()
    rows = feature_rows([e.text for e in train], item.char_ngrams, drop)
    folds = [cv_fold(e.text) for e in train]
    from accalmie.analysis.public_eval import roc_auc

    result = {}
    for c in grid:
        scores = _out_of_fold_scores(rows, train, c)
        per_fold = [
            roc_auc(
                [e.label for e, f in zip(train, folds, strict=True) if f == k],
                [s for s, f in zip(scores, folds, strict=True) if f == k],
            )
            for k in range(CV_FOLDS)
        ]
        result[c] = sum(per_fold) / CV_FOLDS
    return result


@dataclass(frozen=True)
class LinearFit:
    """Calibrated, pruned and rounded weights, ready for a model document."""

    intercept: float
    word_weights: dict[str, float]
    char_weights: dict[str, float]
    slope: float  # the Platt calibration applied to the raw scores
    offset: float
    features_fitted: int


def fit_linear(
    rows: Sequence[dict[tuple[str, str], float]],
    examples: Sequence[Example],
    c: float,
    max_features: int = MAX_FEATURES,
) -> LinearFit:
    """Fit, calibrate, prune and round a model over feature rows (see `feature_rows`).

    Shared by every model trained in this package, so all are scored by `learned` alike.
    """
    labels = [e.label for e in examples]
    vocabulary = _vocabulary(rows)
    fitted = _fit(_matrix(rows, vocabulary), labels, c)
    # Calibrate on out-of-fold scores so that 0.5 means "as likely as not, classes balanced".
    slope, offset = _platt(_out_of_fold_scores(rows, examples, c), labels)
    weights = [(key, slope * float(w)) for key, w in zip(vocabulary, fitted.coef_[0], strict=True)]
    weights.sort(key=lambda kw: (-abs(kw[1]), kw[0]))
    kept = sorted((key, _round(w)) for key, w in weights[:max_features] if _round(w) != 0.0)
    return LinearFit(
        intercept=_round(slope * float(fitted.intercept_[0]) + offset),
        word_weights={key: w for (block, key), w in kept if block == "w"},
        char_weights={key: w for (block, key), w in kept if block == "c"},
        slope=_round(slope),
        offset=_round(offset),
        features_fitted=len(vocabulary),
    )


def train_model(item: Spec, corpora: Path) -> tuple[dict[str, Any], list[Example]]:
    """Fit one model on its training rows; return its JSON document and its held-out rows."""
    examples = load(item, corpora)
    train, heldout = split(examples)
    drop = frozenset(stripped_stop_words(train)) if item.strip_stop_words else frozenset()
    rows = feature_rows([e.text for e in train], item.char_ngrams, drop)
    fit = fit_linear(rows, train, item.c)
    document: dict[str, Any] = {
        "format": FORMAT,
        "name": item.name,
        "lang": item.lang,
        "version": item.version,
        "label": item.label,
        "features": {
            "word_ngrams": [1, 2],
            "char_ngrams": list(item.char_ngrams),
            "drop_tokens": sorted(drop),
        },
        "intercept": fit.intercept,
        "word_weights": fit.word_weights,
        "char_weights": fit.char_weights,
        "metadata": {
            "task": item.task,
            "c": item.c,
            "calibration": {"slope": fit.slope, "offset": fit.offset},
            "features_fitted": fit.features_fitted,
            "features_kept": len(fit.word_weights) + len(fit.char_weights),
            "rows": {
                "total": len(examples),
                "train": len(train),
                "heldout": len(heldout),
                "train_positive": sum(e.label for e in train),
                "heldout_positive": sum(e.label for e in heldout),
            },
        },
    }
    return document, heldout


def dump(document: dict[str, Any]) -> str:
    """Serialise a model document: sorted keys, compact, one final newline."""
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


# --- writing the models and their card ---


@dataclass(frozen=True)
class Trained:
    """A model just trained: its file's text and what the card says about it."""

    spec: Spec
    json_text: str
    source: dict[str, str]


def source_info(corpora: Path, item: Spec) -> dict[str, str]:
    """Return the origin of a corpus as its SOURCE.md states it, and its file's digest."""
    path = corpora / item.data_file
    text = (corpora / Path(item.data_file).parts[0] / "SOURCE.md").read_text(encoding="utf-8")
    info = {"file": item.data_file, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    for key, pattern in {
        "repository": r"^- Repository: (\S+)",
        "commit": r"^- Commit: ([0-9a-f]{40})",
        "license": r"^- License: (.+)$",
        "paper": r"^- Paper: (.+)$",
    }.items():
        match = re.search(pattern, text, re.MULTILINE)
        info[key] = match.group(1).strip().rstrip(".") if match else "unknown"
    return info


def train_all(corpora: Path, out: Path) -> list[dict[str, Any]]:
    """Train every model, write `<name>.json` and MODEL_CARD.md into `out`, return the scores."""
    out.mkdir(parents=True, exist_ok=True)
    trained = []
    for item in SPECS:
        document, _heldout = train_model(item, corpora)
        trained.append(Trained(item, dump(document), source_info(corpora, item)))
    # Imported here: public_eval builds on this module (specs, split), not the other way round.
    from accalmie.analysis.public_eval import evaluate

    models = {t.spec.name: LinearTextModel.from_json(t.json_text) for t in trained}
    rows = evaluate(models, corpora)
    for t in trained:
        (out / f"{t.spec.name}.json").write_text(t.json_text, encoding="utf-8")
    (out / "MODEL_CARD.md").write_text(render_card(trained, rows), encoding="utf-8")
    return rows


_FILE_NOTES = {
    "hostility_en": " (the version without stop words)",
    "politeness_en": " (the top and bottom quarters of scores)",
}
_LABELS = {
    "hostility": "hostile = any MLMA hostility label other than `normal` (offensive, abusive, "
    "hateful, disrespectful, fearful); not hostile = `normal` alone",
    "politeness": "polite = TyDiP score > 0, impolite = score < 0 (the paper's binary task)",
}
_LIMITS = {
    "hostility": (
        "The tweets were collected with hate and offensive keywords: even the `normal` ones "
        "mostly contain a slur, so the model learned to tell *degrees* of hostility among "
        "keyword tweets, not hostile mail from ordinary mail. Labels are noisy (a majority of "
        "annotators agreeing on one of six overlapping labels), which caps every method's "
        "ROC-AUC. Client e-mail is longer, more formal and rarely contains slurs; use the "
        "probability as one piece of evidence beside the lexicons, never alone, and never to "
        "judge a person."
    ),
    "politeness": (
        "Requests from Wikipedia talk pages (one or two sentences ending with a question), "
        "only the clearly polite and clearly impolite quarters: mail is longer and mostly "
        "in between. Learned cues are courtesy markers (please, thanks, could you, greetings) "
        "and their absence; sarcasm and ironic thanks are not understood."
    ),
}


def _fmt(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def render_card(trained: Sequence[Trained], rows: Sequence[dict[str, Any]]) -> str:
    """Return the model card: data, features, split, held-out scores, use and limits."""
    lines = [
        "# Learned models — model card",
        "",
        "Three logistic regressions over bags of n-grams, shipped as JSON weights and scored in",
        "pure Python by `accalmie.analysis.learned` (`LinearTextModel.load(name)`). This file",
        "is written by `accalmie train` (code: `accalmie.analysis.training`) with the models:",
        "do not edit it by hand. Retrain with `pip install -e '.[train]'` then",
        "`accalmie train --out src/accalmie/analysis/models`; training twice gives identical",
        "files (same platform, versions pinned in `constraints.txt`).",
        "",
        "The files hold only n-gram weights derived from the corpora, not the texts: the tweets",
        "and Wikipedia requests themselves are not shipped. Credits: MLMA hate speech",
        "(Ousidhoum et al., EMNLP 2019, HKUST-KnowComp, MIT licence, tweets under Twitter's",
        "terms) and TyDiP (Srinivasan & Choi, Findings of EMNLP 2022, CC BY 4.0; English part",
        "from the Stanford Politeness Corpus, Danescu-Niculescu-Mizil et al., ACL 2013).",
        "",
        "## Common recipe",
        "",
        "- **Text**: tokens are runs of letters and digits, plus `!` and `?`; lower-cased, accents",
        "  and ligatures folded (é→e, œ→oe). Tweets lose their `@user`/`@url`/`rt` placeholders.",
        "- **Features**: word unigrams and bigrams, and character 3–5-grams inside each word",
        "  (padded with a space on each side). Each block is scaled by 1/√(its feature count).",
        "- **Split**: a row is held out when the SHA-256 of its folded words falls in the first",
        f"  {HELDOUT_PERCENT} of 100 buckets: identical on every run and machine; duplicate rows",
        "  stay on the same side. The held-out rows are never used for fitting or tuning.",
        "- **Fit**: L2 logistic regression, classes balanced, C chosen by 5-fold",
        "  cross-validation on the training rows only (`accalmie train --tune`), then Platt",
        "  calibration on out-of-fold scores: 0.5 means *as likely as not, with balanced classes*",
        "  (the corpora's base rates say nothing about mail). The weakest weights are pruned",
        f"  (at most {MAX_FEATURES:,} kept), and kept to {SIGNIFICANT_DIGITS} significant digits.",
        "- **Scores below** are those of the shipped (pruned) files on the held-out rows;",
        "  precision, recall and F1 are for the positive class at probability 0.5 for our models,",
        "  and at each tool's usual threshold for the baselines (VADER compound ≤ −0.05 for",
        "  hostility, ≥ 0.05 for politeness; TextBlob polarity < 0). ROC-AUC uses the negated",
        "  polarity as the hostility score.",
        "",
        "## Summary (held-out rows)",
        "",
        "| set | n | method | ROC-AUC | accuracy | precision | recall | F1 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        cells = [
            row[k]
            for k in ("set", "n", "method", "roc_auc", "accuracy", "precision", "recall", "f1")
        ]
        lines.append("| " + " | ".join(_fmt(c) for c in cells) + " |")
    lines += ["", "Base rates of the held-out sets, to read precision and F1 against:"]
    for t in trained:
        counts = json.loads(t.json_text)["metadata"]["rows"]
        share = counts["heldout_positive"] / counts["heldout"]
        lines.append(
            f"- {t.spec.set_name}: {share:.1%} {t.spec.label}; calling every row {t.spec.label} "
            f"would score precision {share:.3f}, recall 1, F1 {2 * share / (1 + share):.3f} "
            "(and ROC-AUC 0.5)."
        )
    for t in trained:
        item, source = t.spec, t.source
        document = json.loads(t.json_text)
        meta, features = document["metadata"], document["features"]
        counts = meta["rows"]
        lines += [
            "",
            f"## `{item.name}` ({item.lang}, {item.task}, version {item.version})",
            "",
            f"- **Output**: probability that the text is {item.label}.",
            f"  Label: {_LABELS[item.task]}.",
            f"- **Data**: {source['repository']} at commit `{source['commit']}`,",
            f"  `{source['file']}`{_FILE_NOTES.get(item.name, '')}, SHA-256 `{source['sha256']}`;",
            f"  licence: {source['license']};",
            f"  paper: {source['paper']}.",
            f"- **Rows**: {counts['total']:,} — training {counts['train']:,} "
            f"({counts['train_positive']:,} {item.label}), held out {counts['heldout']:,} "
            f"({counts['heldout_positive']:,} {item.label}).",
            f"- **Model**: C = {meta['c']}, {meta['features_fitted']:,} features fitted, "
            f"{meta['features_kept']:,} kept; file {len(t.json_text.encode()):,} bytes.",
        ]
        if features["drop_tokens"]:
            lines += [
                "- **Stop words**: the English MLMA file had its stop words removed, so the",
                f"  model drops the same {len(features['drop_tokens'])} words (scikit-learn's",
                "  English list, those found in under 0.5 % of its tweets) from any text it",
                "  scores.",
            ]
        lines += [f"- **Limits**: {_LIMITS[item.task]}"]
    lines += [
        "",
        "## Intended use",
        "",
        "Evidence for the `contempt`, `impoliteness` and `negativity` signals of Accalmie, beside",
        "the hand-written lexicons: the probability ranks messages, and `contributions()` shows",
        "the words that weighed most, so a person can check. Not for moderation, not for any",
        "decision about a person without a human reading the message.",
        "",
    ]
    return "\n".join(lines)
