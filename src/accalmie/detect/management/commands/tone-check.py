from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accalmie.analysis.tone_check import check_tone


class Command(BaseCommand):
    help = "Check the tone of one's own draft reply (a file, or - for stdin)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help='the draft: a text file, or "-" for stdin')
        parser.add_argument("--lang", choices=["fr", "en"], help="skip language detection")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["path"]
        try:
            text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        report = check_tone(text, lang=options["lang"])
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
            return
        if not report.flags:
            self.stdout.write(f"[{report.lang}] nothing to change")
        for flag in report.flags:
            self.stdout.write(
                f"{flag.start}-{flag.end} {flag.flag} «{flag.text}» → {flag.suggestion}"
            )
