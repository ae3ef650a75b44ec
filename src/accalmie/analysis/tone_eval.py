"""Score the tone check against labelled drafts: precision, recall and F1 per flag and language.

A labelled set is JSON Lines, one draft a line:
`{"id": "fr-001", "text": "...", "flags": ["accusatory_you", ...]}` (the flags the draft should
get; an empty list for a good draft). `eval/tone/{fr,en}.jsonl` is the evaluation set,
`train/tone/` a separate set the patterns were tuned on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from accalmie.analysis.evaluation import prf, read_jsonl
from accalmie.analysis.tone_check import LANGUAGES, TONE_FLAGS, check_tone

Row = Mapping[str, object]


@dataclass(frozen=True)
class FlagScore:
    """How the tone check did on one flag in one language."""

    flag: str
    lang: str
    n: int  # drafts scored
    support: int  # drafts that should get the flag
    predicted: int  # drafts that got it
    precision: float
    recall: float
    f1: float

    def as_dict(self) -> dict[str, object]:
        return {
            "flag": self.flag, "lang": self.lang, "n": self.n, "support": self.support,
            "predicted": self.predicted, "precision": round(self.precision, 3),
            "recall": round(self.recall, 3), "f1": round(self.f1, 3),
        }  # fmt: skip


@dataclass(frozen=True)
class Miss:
    """One draft where the tone check and the label disagree on a flag."""

    id: str
    lang: str
    flag: str
    kind: str  # "false positive" or "false negative"
    text: str


def _rows_by_lang(path_or_rows: Path | str | Iterable[Row]) -> dict[str, list[Row]]:
    """Read a directory ({fr,en}.jsonl), one .jsonl file, or rows with a `lang` or `id` prefix."""
    if isinstance(path_or_rows, str | Path):
        path = Path(path_or_rows)
        if path.is_dir():
            return {
                lang: list(read_jsonl(path / f"{lang}.jsonl"))
                for lang in LANGUAGES
                if (path / f"{lang}.jsonl").exists()
            }
        return {path.stem: list(read_jsonl(path))}
    grouped: dict[str, list[Row]] = {}
    for row in path_or_rows:
        lang = str(row.get("lang") or str(row.get("id", "")).split("-")[0])
        if lang not in LANGUAGES:
            raise ValueError(f"row {row.get('id')!r}: no language (give `lang` or a fr-/en- id)")
        grouped.setdefault(lang, []).append(row)
    return grouped


def _labels(row: Row) -> set[str]:
    flags = row.get("flags", [])
    if not isinstance(flags, list):
        raise ValueError(f"row {row.get('id')!r}: `flags` must be a list")
    unknown = set(flags) - set(TONE_FLAGS)
    if unknown:
        raise ValueError(f"row {row.get('id')!r}: unknown flags {sorted(unknown)}")
    return set(flags)


def predictions(rows: Sequence[Row], lang: str) -> list[tuple[set[str], set[str]]]:
    """Return, per row, the (expected, found) sets of flags."""
    return [(_labels(row), check_tone(str(row["text"]), lang=lang).flag_names) for row in rows]


def evaluate_tone(
    path_or_rows: Path | str | Iterable[Row], flags: Sequence[str] = TONE_FLAGS
) -> list[FlagScore]:
    """Score each flag, per language, on a labelled set (a directory, a file, or rows)."""
    results = []
    for lang, rows in _rows_by_lang(path_or_rows).items():
        pairs = predictions(rows, lang)
        for flag in flags:
            labels = [int(flag in expected) for expected, _found in pairs]
            predicted = [int(flag in found) for _expected, found in pairs]
            precision, recall, f1 = prf(labels, predicted)
            results.append(
                FlagScore(flag, lang, len(rows), sum(labels), sum(predicted), precision, recall, f1)
            )
    return results


def disagreements(path_or_rows: Path | str | Iterable[Row]) -> list[Miss]:
    """Return every (draft, flag) where the tone check and the label disagree."""
    misses = []
    for lang, rows in _rows_by_lang(path_or_rows).items():
        for row, (expected, found) in zip(rows, predictions(rows, lang), strict=True):
            for flag in sorted(found - expected):
                misses.append(Miss(str(row["id"]), lang, flag, "false positive", str(row["text"])))
            for flag in sorted(expected - found):
                misses.append(Miss(str(row["id"]), lang, flag, "false negative", str(row["text"])))
    return misses


def format_table(results: Sequence[FlagScore]) -> str:
    """Return the scores as a plain-text table, one line per language and flag."""
    header = f"{'lang':<5} {'flag':<24} {'P':>6} {'R':>6} {'F1':>6} {'support':>8} {'n':>4}"
    lines = [header, "-" * len(header)]
    for r in results:
        lines.append(
            f"{r.lang:<5} {r.flag:<24} {r.precision:>6.2f} {r.recall:>6.2f} {r.f1:>6.2f} "
            f"{r.support:>8} {r.n:>4}"
        )
    return "\n".join(lines)


def format_markdown(results: Sequence[FlagScore]) -> str:
    """Return the scores as a Markdown table (for docs and closing notes)."""
    lines = [
        "| lang | flag | precision | recall | F1 | support | drafts |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.lang} | `{r.flag}` | {r.precision:.2f} | {r.recall:.2f} | {r.f1:.2f} "
            f"| {r.support} | {r.n} |"
        )
    return "\n".join(lines)
