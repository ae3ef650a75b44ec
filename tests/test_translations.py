"""Every text of the interface speaks English too.

The catalogue is extracted afresh from a copy of the package (Django's makemessages, which
calls GNU xgettext, installed by `make messages`), so a string added to a template or a view
without its English translation fails here, not in front of a user.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from django.core.management import call_command

import accalmie

PACKAGE = Path(accalmie.__file__).parent


def _msgids(*args: str) -> list[str]:
    """Return the msgids GNU msgattrib selects with these options (the header left out)."""
    out = subprocess.run(
        ["msgattrib", "--no-wrap", *args], check=True, capture_output=True, text=True
    ).stdout
    entries = re.findall(r'^msgid ((?:".*"\n)+)', out, re.MULTILINE)
    joined = ["".join(line.strip()[1:-1] for line in e.splitlines()) for e in entries]
    return [m for m in joined if m]


def test_every_interface_string_has_an_english_translation(tmp_path, monkeypatch, settings):
    assert shutil.which("xgettext"), "GNU gettext missing: `make messages` installs it"
    copy = tmp_path / "accalmie"
    shutil.copytree(
        PACKAGE,
        copy,
        ignore=shutil.ignore_patterns("static", "models", "lexicons", "__pycache__", "*.mo"),
    )
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["en"], no_obsolete=True, verbosity=0)
    po = str(copy / "locale" / "en" / "LC_MESSAGES" / "django.po")
    missing = _msgids("--untranslated", po) + _msgids("--only-fuzzy", po)
    assert not missing, f"{len(missing)} string(s) without an English translation: {missing[:20]}"
    subprocess.run(["msgfmt", "--check", "-o", "/dev/null", po], check=True)
