"""Where the public test corpora are: ../shared/data/external, or $ACCALMIE_EXTERNAL_DATA."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def external_data() -> Path:
    """Return the folder of public labelled data and real mail (test-only data)."""
    configured = os.environ.get("ACCALMIE_EXTERNAL_DATA")
    path = Path(configured) if configured else REPO.parent / "shared" / "data" / "external"
    if not path.is_dir():
        raise FileNotFoundError(
            f"The test corpora are not at {path}: set ACCALMIE_EXTERNAL_DATA to their folder"
        )
    return path


def corpus_files(*parts: str) -> list[Path]:
    """Return every regular file below external_data()/parts, sorted."""
    root = external_data().joinpath(*parts)
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))
