"""Shared output helpers for commands that print either a table or JSON."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import OutputWrapper


def write_json(stdout: OutputWrapper, payload: Any) -> None:
    """Write `payload` as indented JSON, keys in a stable order."""
    stdout.write(json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True, default=str))
