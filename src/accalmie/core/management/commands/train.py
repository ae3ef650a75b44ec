from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

import accalmie
from accalmie.core.management.jsonout import write_json

# Where a source checkout keeps its models: retraining without --out refreshes them.
PACKAGE_MODELS = Path(accalmie.__file__).resolve().parent / "analysis" / "models"


def default_corpora() -> Path:
    """Return $ACCALMIE_EXTERNAL_DATA, or ../shared/data/external from here or the checkout."""
    configured = os.environ.get("ACCALMIE_EXTERNAL_DATA")
    if configured:
        return Path(configured)
    relative = Path("..") / "shared" / "data" / "external"
    if relative.is_dir():
        return relative
    # src/accalmie/__init__.py -> the repository root is three levels up.
    return Path(accalmie.__file__).resolve().parents[2].parent / "shared" / "data" / "external"


class Command(BaseCommand):
    help = "Train the learned text models from the public corpora and print held-out scores."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--out",
            type=Path,
            default=PACKAGE_MODELS,
            help="folder for the JSON models and MODEL_CARD.md (default: the package's own)",
        )
        parser.add_argument(
            "--corpora",
            type=Path,
            default=None,
            help="folder holding mlma-hate-speech/ and tydip-politeness/ "
            "(default: $ACCALMIE_EXTERNAL_DATA or ../shared/data/external)",
        )
        parser.add_argument(
            "--tune",
            action="store_true",
            help="only cross-validate C on the training rows and print the results",
        )
        parser.add_argument(
            "--signals",
            action="store_true",
            help="train the per-signal models from train/signals and the demo stories instead "
            "(about 8 minutes on 2 cores)",
        )
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["signals"]:
            self._signals(options)
            return
        corpora: Path = options["corpora"] or default_corpora()
        if not corpora.is_dir():
            raise CommandError(
                f"no corpora at {corpora}: pass --corpora or set ACCALMIE_EXTERNAL_DATA"
            )
        try:
            from accalmie.analysis import training

            if options["tune"]:
                self._tune(training, corpora, options["json"])
                return
            out: Path = options["out"]
            rows = training.train_all(corpora, out)
        except ImportError as exc:
            raise CommandError(
                f"training needs the 'train' extra (pip install -e '.[train]'): {exc}"
            ) from exc
        # Only this command's files: the folder may hold other models (e.g. signal models).
        written = sorted([f"{item.name}.json" for item in training.SPECS] + ["MODEL_CARD.md"])
        files = {name: (out / name).stat().st_size for name in written}
        if options["json"]:
            write_json(self.stdout, {"out": str(out), "files": files, "heldout": rows})
            return
        self.stdout.write(
            f"{'set':<22}{'method':<26}{'n':>6}{'ROC-AUC':>9}{'prec.':>8}{'recall':>8}{'F1':>8}"
        )
        for row in rows:
            self.stdout.write(
                f"{row['set']:<22}{row['method']:<26}{row['n']:>6}{row['roc_auc']:>9.3f}"
                f"{row['precision']:>8.3f}{row['recall']:>8.3f}{row['f1']:>8.3f}"
            )
        for name, size in files.items():
            self.stdout.write(f"wrote {out / name} ({size:,} bytes)")

    def _tune(self, training: Any, corpora: Path, as_json: bool) -> None:
        """Print the cross-validated ROC-AUC of each C, per model, and the C in use."""
        results = {item.name: training.tune(item, corpora) for item in training.SPECS}
        if as_json:
            write_json(
                self.stdout,
                {name: {str(c): auc for c, auc in r.items()} for name, r in results.items()},
            )
            return
        for item in training.SPECS:
            best = max(results[item.name].items(), key=lambda kv: kv[1])
            self.stdout.write(
                f"{item.name}: in use C={item.c}; best C={best[0]} (CV ROC-AUC {best[1]:.4f})"
            )
            for c, auc in results[item.name].items():
                self.stdout.write(f"  C={c:<6} {auc:.4f}")

    def _signals(self, options: dict[str, Any]) -> None:
        from accalmie.analysis.signal_training import train_signal_models

        train_dir = Path(accalmie.__file__).resolve().parents[2] / "train" / "signals"
        if not train_dir.is_dir():
            raise CommandError(f"no training set at {train_dir} (a source checkout has it)")
        summary = train_signal_models(train_dir, options["out"])
        if options["json"]:
            write_json(self.stdout, {"out": str(options["out"]), "models": summary})
            return
        for row in summary:
            self.stdout.write(
                f"{row['model']:<40} {row['total']:>6} rows, {row['positive']:>4} positive"
            )
