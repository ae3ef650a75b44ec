"""Read a CSV log of calls, meetings, chats and notes, row by row, with clear errors.

The columns (date, channel, client, summary; optional subject, direction, contact,
duration_minutes) are documented in docs/capture.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

REQUIRED = ("date", "channel", "client", "summary")
OPTIONAL = ("subject", "direction", "contact", "duration_minutes")
CHANNELS = {
    "call": "call", "appel": "call", "téléphone": "call", "telephone": "call",
    "meeting": "meeting", "réunion": "meeting", "reunion": "meeting", "rendez-vous": "meeting",
    "chat": "chat", "messagerie": "chat",
    "note": "note",
}  # fmt: skip
DIRECTIONS = {"from_client", "to_client", "internal"}
DATE_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%d/%m/%Y %H:%M", "%d/%m/%Y")


class CsvLogError(ValueError):
    """The file as a whole cannot be read as a CSV log (no header, missing columns…)."""


@dataclass(frozen=True)
class LogRow:
    """One valid row."""

    line: int
    occurred_at: dt.datetime
    channel: str
    client: str
    summary: str
    subject: str
    direction: str
    contact: str
    duration_minutes: int | None
    raw: str


@dataclass(frozen=True)
class RowError:
    """One row that cannot be imported, with the reason in words."""

    line: int
    reason: str
    raw: str


def _parse_date(value: str, tz: ZoneInfo) -> dt.datetime:
    value = value.strip()
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        for fmt in DATE_FORMATS:
            try:
                parsed = dt.datetime.strptime(value, fmt)  # noqa: DTZ007 - tz added below
                break
            except ValueError:
                continue
        else:
            raise ValueError(
                f"date « {value} » is not a date (expected 2026-03-02 14:30)"
            ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def _row(line: int, cells: dict[str, str], raw: str, tz: ZoneInfo) -> LogRow | RowError:
    missing = [name for name in REQUIRED if not cells.get(name, "").strip()]
    if missing:
        return RowError(line, f"line {line}: missing {', '.join(missing)}", raw)
    channel = CHANNELS.get(cells["channel"].strip().lower())
    if channel is None:
        return RowError(
            line,
            f"line {line}: channel « {cells['channel']} » is not one of call, meeting, chat, note",
            raw,
        )
    try:
        occurred_at = _parse_date(cells["date"], tz)
    except ValueError as exc:
        return RowError(line, f"line {line}: {exc}", raw)
    direction = cells.get("direction", "").strip().lower() or (
        "internal" if channel == "note" else "to_client"
    )
    if direction not in DIRECTIONS:
        return RowError(
            line, f"line {line}: direction « {direction} » is not one of {sorted(DIRECTIONS)}", raw
        )
    duration = cells.get("duration_minutes", "").strip()
    if duration and not duration.isdigit():
        return RowError(line, f"line {line}: duration_minutes « {duration} » is not a number", raw)
    return LogRow(
        line=line,
        occurred_at=occurred_at,
        channel=channel,
        client=cells["client"].strip(),
        summary=cells["summary"].strip(),
        subject=cells.get("subject", "").strip(),
        direction=direction,
        contact=cells.get("contact", "").strip().lower(),
        duration_minutes=int(duration) if duration else None,
        raw=raw,
    )


def read_log(data: bytes, timezone: str = "Europe/Paris") -> Iterator[LogRow | RowError]:
    """Yield each data row of a CSV log, valid or not; raise CsvLogError if it is no log at all."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvLogError(f"the file is not UTF-8 text (byte {exc.start})") from exc
    lines = text.splitlines()
    if not lines:
        raise CsvLogError("the file is empty")
    try:
        dialect = csv.Sniffer().sniff(lines[0], delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = [h.strip().lower() for h in next(reader)]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise CsvLogError(
            f"the header lacks the column(s) {', '.join(missing)}; expected at least "
            f"{', '.join(REQUIRED)}"
        )
    tz = ZoneInfo(timezone)
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        raw = ";".join(cells)
        if len(cells) > len(header):
            yield RowError(
                number, f"line {number}: {len(cells)} cells for {len(header)} columns", raw
            )
            continue
        yield _row(number, dict(zip(header, cells, strict=False)), raw, tz)
