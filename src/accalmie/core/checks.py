"""System checks of the core app: the front-end files the pages load are in the package."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.checks import CheckMessage, Warning, register

VENDOR_DIR = Path(__file__).resolve().parent / "static" / "vendor"
# The files the templates load: copied from npm by `make assets` (scripts/vendor-assets).
VENDOR_FILES = ("htmx/htmx.min.js", "uplot/uPlot.iife.min.js", "uplot/uPlot.min.css")


@register()
def vendor_assets_present(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Warn when the front-end files were never installed: pages would load without them."""
    missing = [name for name in VENDOR_FILES if not (VENDOR_DIR / name).is_file()]
    if not missing:
        return []
    return [
        Warning(
            f"Front-end files missing from {VENDOR_DIR}: {', '.join(missing)}.",
            hint="Run `make assets` (or `make install`) in the source tree to install them.",
            id="accalmie.W001",
        )
    ]
