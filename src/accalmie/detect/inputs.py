"""Read texts to analyse from .txt, .eml, .mbox or JSON Lines, one record at a time."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO


class InputError(ValueError):
    """An input cannot be read; the message says which line or file and why."""


@dataclass(frozen=True)
class Record:
    id: str
    text: str
    lang: str | None = None


def _jsonl(stream: IO[str], name: str) -> Iterator[Record]:
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{name}:{number}: not JSON ({exc.msg})") from exc
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            raise InputError(f'{name}:{number}: expected {{"id": …, "text": "…"}}')
        lang = data.get("lang")
        yield Record(
            str(data.get("id", number)), data["text"], lang if lang in {"fr", "en"} else None
        )


def _mail(raw: bytes, key: str) -> Record:
    from accalmie.mail.message import UnparseableMessage, parse_message

    try:
        parsed = parse_message(raw)
    except UnparseableMessage as exc:
        raise InputError(f"{key}: not an email ({exc.reason})") from exc
    return Record(parsed.message_id or key, parsed.new_text)


def read_records(path: str) -> Iterator[Record]:
    """Yield what to analyse from a file (by its extension) or from stdin ("-": JSON Lines)."""
    if path == "-":
        yield from _jsonl(sys.stdin, "stdin")
        return
    file = Path(path)
    if not file.exists():
        raise InputError(f"{path} does not exist")
    suffix = file.suffix.lower()
    if suffix in {".jsonl", ".ndjson", ".json"}:
        with file.open(encoding="utf-8") as stream:
            yield from _jsonl(stream, file.name)
    elif suffix == ".eml":
        yield _mail(file.read_bytes(), file.name)
    elif suffix == ".mbox" or suffix == ".mbx":
        from accalmie.mail.sources import MboxSource

        for message in MboxSource(file).iter_messages():
            yield _mail(message.raw, message.key)
    elif suffix in {".txt", ".text", ""}:
        yield Record(file.name, file.read_text(encoding="utf-8", errors="replace"))
    else:
        raise InputError(f"{path}: give a .txt, .eml, .mbox or .jsonl file")
