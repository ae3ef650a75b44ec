"""Subjects without their reply and forward prefixes, for threading."""

from __future__ import annotations

import re

_SUBJECT_PREFIX_RE = re.compile(
    r"^\s*((re|r[ée]f|tr|fw|fwd|aw|wg|sv|antw|r)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE
)


def normalize_subject(subject: str) -> str:
    """Return the subject without reply/forward prefixes, lower-cased, spaces folded."""
    stripped = _SUBJECT_PREFIX_RE.sub("", subject or "")
    return " ".join(stripped.split()).lower()[:500]
