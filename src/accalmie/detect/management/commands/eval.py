from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from accalmie.analysis.evaluation import evaluate_signal_set, micro_average
from accalmie.core.management.jsonout import write_json


def _tone_scores(folder: Path) -> list[Any]:
    """Precision and recall of the tone check per flag and language on eval/tone/."""
    from accalmie.analysis.tone_eval import evaluate_tone

    return evaluate_tone(folder) if folder.is_dir() else []


def _repo_eval_dir() -> Path:
    return Path(settings.PACKAGE_DIR).parent.parent / "eval" / "signals"


class Command(BaseCommand):
    help = "Score the detectors: per-signal P/R/F1 on our set, ROC-AUC on public sets."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--signals-dir",
            default=str(_repo_eval_dir()),
            help="the labelled excerpts (eval/signals of the repository)",
        )
        parser.add_argument(
            "--corpora",
            default=os.environ.get("ACCALMIE_EXTERNAL_DATA", "../shared/data/external"),
            help="public data for the held-out sets",
        )
        parser.add_argument("--no-public", action="store_true", help="skip the public sets")
        parser.add_argument(
            "--tone-dir",
            default=str(_repo_eval_dir().parent / "tone"),
            help="the tone check's labelled drafts (eval/tone of the repository)",
        )
        parser.add_argument("--json", action="store_true")
        parser.add_argument(
            "--feedback",
            action="store_true",
            help="only the precision per signal as people judged the hits (right / judged)",
        )
        parser.add_argument("--workspace", help="with --feedback: only this workspace (slug)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["feedback"]:
            from accalmie.detect.feedback_report import write_feedback_report

            write_feedback_report(self.stdout, options["workspace"], as_json=options["json"])
            return
        results = evaluate_signal_set(Path(options["signals_dir"]))
        public: list[dict[str, object]] = []
        if not options["no_public"] and Path(options["corpora"]).is_dir():
            from accalmie.analysis.public_eval import evaluate_public

            public = evaluate_public(Path(options["corpora"]))
        tone = _tone_scores(Path(options["tone_dir"]))
        if options["json"]:
            write_json(
                self.stdout,
                {
                    "signals": [r.as_dict() for r in results],
                    "public": public,
                    "tone": [t.as_dict() for t in tone],
                },
            )
            return
        self.stdout.write(f"{'signal':<26}{'lang':>5}{'n':>5}{'P':>7}{'R':>7}{'F1':>7}{'AUC':>7}")
        for r in results:
            auc = f"{r.roc_auc:.3f}" if r.roc_auc is not None else "  -"
            self.stdout.write(
                f"{r.name:<26}{r.lang:>5}{r.n:>5}{r.precision:>7.3f}"
                f"{r.recall:>7.3f}{r.f1:>7.3f}{auc:>7}"
            )
        for lang in ("fr", "en"):
            avg = micro_average([r for r in results if r.lang == lang])
            self.stdout.write(
                f"{'mean':<26}{lang:>5}{'':>5}{avg['precision']:>7.3f}"
                f"{avg['recall']:>7.3f}{avg['f1']:>7.3f}"
            )
        if public:
            self.stdout.write("")
            self.stdout.write(
                f"{'public held-out set':<28}{'method':<26}{'n':>6}{'AUC':>7}"
                f"{'P':>7}{'R':>7}{'F1':>7}"
            )
            for row in public:
                self.stdout.write(
                    f"{row['set']!s:<28}{row['method']!s:<26}{row['n']!s:>6}"
                    f"{float(row['roc_auc']):>7.3f}{float(row['precision']):>7.3f}"  # type: ignore[arg-type]
                    f"{float(row['recall']):>7.3f}{float(row['f1']):>7.3f}"  # type: ignore[arg-type]
                )
        if tone:
            from accalmie.analysis.tone_eval import format_table

            self.stdout.write("")
            self.stdout.write("tone check of one's own drafts (eval/tone)")
            self.stdout.write(format_table(tone))
