"""Front-end files: served by the app from the package, never from another site."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from accalmie.core.checks import VENDOR_DIR, VENDOR_FILES, vendor_assets_present

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "accalmie"
TAG = re.compile(r"<(script|link)\b[^>]*>", re.IGNORECASE | re.DOTALL)
ATTRIBUTE = re.compile(r"""\b(src|href)\s*=\s*["']?\s*([^"'\s>]+)""", re.IGNORECASE)
EXTERNAL = re.compile(r"^(https?:)?//", re.IGNORECASE)
CSS_URL = re.compile(r"""(?:url\(|@import)\s*["']?\s*((?:https?:)?//[^"')\s]+)""", re.IGNORECASE)


def external_references(html: str) -> list[str]:
    """Return the addresses of other sites that the page's script and link tags load."""
    found = []
    for tag in TAG.finditer(html):
        for _name, value in ATTRIBUTE.findall(tag.group(0)):
            if EXTERNAL.match(value):
                found.append(value)
    return found


def test_the_scanner_finds_external_scripts_and_styles():
    assert external_references('<script src="https://cdn.example/htmx.js"></script>') == [
        "https://cdn.example/htmx.js"
    ]
    assert external_references("<link rel=stylesheet href=//cdn.example/a.css>") == [
        "//cdn.example/a.css"
    ]
    assert external_references('<LINK\n  href="http://x.example/a.css" rel="stylesheet">') == [
        "http://x.example/a.css"
    ]
    assert external_references("<script src=\"{% static 'vendor/htmx/htmx.min.js' %}\">") == []
    assert external_references('<a href="https://example.org/">a link</a>') == []


def test_no_template_loads_scripts_or_styles_from_another_site():
    templates = sorted(PACKAGE.glob("**/templates/**/*.html"))
    assert templates, "no templates found"
    offenders = {
        str(path.relative_to(ROOT)): refs
        for path in templates
        if (refs := external_references(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_our_stylesheets_import_nothing_from_another_site():
    sheets = [p for p in PACKAGE.glob("**/static/**/*.css") if VENDOR_DIR not in p.parents]
    offenders = {
        str(p.relative_to(ROOT)): refs
        for p in sheets
        if (refs := CSS_URL.findall(p.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_vendor_files_are_installed_at_the_locked_versions():
    """`make assets` copied HTMX and uPlot at the versions package-lock.json pins."""
    lock = json.loads((ROOT / "package-lock.json").read_text())["packages"]
    manifest = json.loads((VENDOR_DIR / "manifest.json").read_text())
    assert manifest == {name: lock[f"node_modules/{name}"]["version"] for name in manifest}
    assert set(manifest) == {"htmx.org", "uplot"}
    assert vendor_assets_present() == []
    for name in VENDOR_FILES:
        assert finders.find(f"vendor/{name}"), f"vendor/{name} is not found as a static file"
    for package in ("htmx", "uplot"):
        assert (VENDOR_DIR / package / "LICENSE").is_file()


def test_missing_vendor_files_are_reported(monkeypatch, tmp_path):
    monkeypatch.setattr("accalmie.core.checks.VENDOR_DIR", tmp_path)
    (warning,) = vendor_assets_present()
    assert warning.id == "accalmie.W001" and "make assets" in warning.hint


@pytest.mark.django_db
def test_pages_load_htmx_from_the_package(client):
    page = client.get("/login/").content.decode()
    assert '<script src="/static/vendor/htmx/htmx.min.js" defer></script>' in page
