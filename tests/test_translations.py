"""Every text of the interface speaks English too.

The catalogue is extracted afresh from a copy of the package (Django's makemessages, which
calls GNU xgettext, installed by `make messages`), so a string added to a template or a view
without its English translation fails here, not in front of a user.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from django.core.management import call_command

import accalmie

PACKAGE = Path(accalmie.__file__).parent


def _entries(po: Path) -> list[tuple[str, str, bool]]:
    """Return (msgid, msgstr, fuzzy) for each entry of a .po file (plural forms joined)."""
    entries: list[tuple[str, str, bool]] = []
    msgid: list[str] = []
    msgstr: list[str] = []
    fuzzy = False
    target: list[str] | None = None

    def flush() -> None:
        nonlocal fuzzy
        if msgid or msgstr:
            entries.append(("".join(msgid), "".join(msgstr), fuzzy))
        msgid.clear()
        msgstr.clear()
        fuzzy = False

    for line in po.read_text(encoding="utf-8").splitlines():
        if line.startswith("#,") and "fuzzy" in line:
            flush()
            fuzzy = True
        elif line.startswith("msgid "):
            if msgid:
                flush()
            target = msgid
            target.append(line[6:].strip().strip('"'))
        elif line.startswith("msgid_plural"):
            target = None
        elif line.startswith("msgstr"):
            target = msgstr
            target.append(line.split(" ", 1)[1].strip().strip('"'))
        elif line.startswith('"') and target is not None:
            target.append(line.strip().strip('"'))
        elif not line.strip():
            target = None
    flush()
    return [e for e in entries if e[0]]  # the header has an empty msgid


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
    po = copy / "locale" / "en" / "LC_MESSAGES" / "django.po"
    missing = [msgid for msgid, msgstr, fuzzy in _entries(po) if not msgstr or fuzzy]
    assert not missing, f"{len(missing)} string(s) without an English translation: {missing[:20]}"
    subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po)], check=True)
