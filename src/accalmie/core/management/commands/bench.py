from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accalmie.core.management.jsonout import write_json


def _default_external() -> str:
    return os.environ.get("ACCALMIE_EXTERNAL_DATA", "../shared/data/external")


class Command(BaseCommand):
    help = "Measure speed and memory (import, …): prints figures, judges nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        imp = sub.add_parser("import", help="import rate and peak memory vs a bare stdlib parse")
        imp.add_argument("--size-mb", type=float, default=200.0, help="size of the mbox built")
        imp.add_argument(
            "--corpora",
            default=_default_external(),
            help="folder of the public test corpora (ACCALMIE_EXTERNAL_DATA)",
        )
        imp.add_argument("--keep", help="work in this folder and keep it")
        imp.add_argument("--json", action="store_true")
        ana = sub.add_parser("analysis", help="text pipeline rate (messages/s per core)")
        ana.add_argument("--messages", type=int, default=20_000)
        ana.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        machine = (
            f"{platform.machine()} · {os.cpu_count()} cores · Python {platform.python_version()}"
        )
        if options["what"] == "analysis":
            self._analysis(options, machine)
            return
        from accalmie.bench import imports

        corpora = Path(options["corpora"]).expanduser()
        if not corpora.is_dir():
            raise CommandError(f"No corpora at {corpora}: give --corpora or ACCALMIE_EXTERNAL_DATA")
        self.stderr.write(f"Building a {options['size_mb']:.0f} MB mbox and measuring…")
        result = imports.run(corpora, options["size_mb"], options["keep"])
        result["machine"] = (
            f"{platform.machine()} · {os.cpu_count()} cores · Python {platform.python_version()}"
        )
        if options["json"]:
            write_json(self.stdout, result)
            return
        self.stdout.write(
            f"mbox: {result['mbox_mb']} MB, {result['messages']:,} messages ({result['machine']})"
        )
        self.stdout.write(f"{'run':<34}{'seconds':>9}{'MB/s':>8}{'msg/s':>9}{'peak MB':>9}")
        for r in result["runs"]:  # type: ignore[attr-defined]
            self.stdout.write(
                f"{r['name']:<34}{r['seconds']:>9.1f}{r['mb_per_s']:>8.2f}"
                f"{r['messages_per_s']:>9.0f}{r['peak_rss_mb']:>9.0f}"
            )
        self.stdout.write(f"importer / bare parse: {result['ratio_to_bare']:.0%} of the rate")

    def _analysis(self, options: dict[str, Any], machine: str) -> None:
        from accalmie.bench import analysis

        result = analysis.run(options["messages"])
        result["machine"] = machine
        if options["json"]:
            write_json(self.stdout, result)
            return
        self.stdout.write(
            f"{result['messages']:,} messages of {result['mean_words']} words "
            f"on average ({machine})"
        )
        for rate in result["rates"]:  # type: ignore[attr-defined]
            self.stdout.write(
                f"  {rate['name']:<36} {rate['seconds']:>7.2f} s  "
                f"{rate['messages_per_second_per_core']:>7,} messages/s per core"
            )
        if not result["vader_installed"]:
            self.stdout.write("  (vaderSentiment_fr is not installed: `make install` adds it)")
