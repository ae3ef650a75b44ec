"""A content-addressed store for original message bytes and attachments, on disk."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from django.conf import settings


def blob_path(sha256: str) -> Path:
    """Return where the blob with this SHA-256 lives (two-level fan-out)."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return Path(settings.BLOB_DIR) / sha256[:2] / sha256[2:4] / sha256


# Fan-out folders known to exist: one mkdir per folder per process, not per blob.
_made_dirs: set[Path] = set()


def put_blob(data: bytes, sha256: str | None = None) -> str:
    """Store `data` once and return its SHA-256; an existing blob is not rewritten."""
    digest = sha256 or hashlib.sha256(data).hexdigest()
    path = blob_path(digest)
    if path.exists():
        return digest
    if path.parent not in _made_dirs:
        path.parent.mkdir(parents=True, exist_ok=True)
        _made_dirs.add(path.parent)
    # Write aside then rename, so a crash never leaves a half-written blob under its name.
    tmp = path.with_name(f".tmp-{os.getpid()}-{path.name}")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return digest


def read_blob(sha256: str) -> bytes:
    """Return a stored blob's bytes; FileNotFoundError when it is missing."""
    return blob_path(sha256).read_bytes()
