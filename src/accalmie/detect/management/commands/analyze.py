from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accalmie.analysis import TEXT_SIGNALS, analyze
from accalmie.detect.inputs import InputError, read_records


class Command(BaseCommand):
    help = "Find warning and good signs in texts (.txt, .eml, .mbox, JSON Lines or stdin)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help='files, or "-" for JSON Lines on stdin')
        parser.add_argument("--format", choices=["table", "jsonl"], default="table")
        parser.add_argument("--lang", choices=["fr", "en"], help="skip language detection")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            for path in options["paths"]:
                for record in read_records(path):
                    result = analyze(record.text, lang=options["lang"] or record.lang)
                    if options["format"] == "jsonl":
                        line = {"id": record.id, **result.as_dict()}
                        line["scores"] = {
                            s: round(result.scores.get(s, 0.0), 3) for s in TEXT_SIGNALS
                        }
                        self.stdout.write(json.dumps(line, ensure_ascii=False))
                    else:
                        self._table(record.id, record.text, result)
        except InputError as exc:
            raise CommandError(str(exc)) from exc

    def _table(self, record_id: str, text: str, result: Any) -> None:
        preview = " ".join(text.split())[:70]
        self.stdout.write(self.style.MIGRATE_HEADING(f"{record_id} [{result.lang}] {preview}"))
        if not result.hits:
            self.stdout.write("  (no signal)")
        for hit in result.hits:
            words = " | ".join(e.text for e in hit.evidence)
            self.stdout.write(f"  {hit.signal:<26} {hit.score:.2f}  «{words}»")
            self.stdout.write(f"  {'':<26}       {hit.explanation['en']}")
