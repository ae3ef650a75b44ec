"""The `accalmie` command, as a person or a script calls it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accalmie.accounts.models import Membership, Role, Workspace
from tests.factories import ClientFactory, InteractionFactory, TeamPulseFactory


def run_cli(*args: str, data_dir: Path, env: dict[str, str] | None = None):
    """Run the real console script in a fresh process against its own SQLite data directory."""
    full_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    full_env["ACCALMIE_DATA_DIR"] = str(data_dir)
    full_env.update(env or {})
    accalmie = Path(sys.executable).with_name("accalmie")
    return subprocess.run(
        [str(accalmie), *args], capture_output=True, text=True, env=full_env, timeout=120
    )


def test_help_lists_every_public_command(tmp_path):
    result = run_cli("--help", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    for name in ("demo", "serve", "migrate", "createuser", "workspace", "stats", "worker"):
        assert f"  {name} " in result.stdout


def test_a_fresh_install_from_the_command_line(tmp_path):
    """GIVEN an empty data directory WHEN a script sets up a workspace THEN stats count it."""
    migrated = run_cli("migrate", "--json", data_dir=tmp_path)
    assert migrated.returncode == 0, migrated.stderr
    assert "accounts.0001_initial" in json.loads(migrated.stdout)["applied"]
    assert (tmp_path / "accalmie.sqlite3").exists()
    key = tmp_path / "secret_key"
    assert key.exists() and oct(key.stat().st_mode & 0o777) == "0o600"

    created = run_cli(
        "workspace",
        "create",
        "studio-nord",
        "--name",
        "Studio Nord",
        "--domain",
        "studio-nord.fr",
        "--domain",
        "@Nord.Studio",
        "--json",
        data_dir=tmp_path,
    )
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["domains"] == ["nord.studio", "studio-nord.fr"]

    again = run_cli("workspace", "create", "studio-nord", "--name", "X", data_dir=tmp_path)
    assert again.returncode != 0 and "already exists" in again.stderr

    user = run_cli(
        "createuser",
        "marie",
        "--workspace",
        "studio-nord",
        "--role",
        "director",
        "--json",
        data_dir=tmp_path,
        env={"ACCALMIE_NEW_PASSWORD": "long enough pw 42"},
    )
    assert user.returncode == 0, user.stderr
    assert json.loads(user.stdout) == {
        "username": "marie",
        "workspace": "studio-nord",
        "role": "director",
        "superuser": False,
    }

    stats = run_cli("stats", "--json", data_dir=tmp_path)
    payload = json.loads(stats.stdout)
    assert payload["totals"]["workspaces"] == 1
    assert payload["workspaces"]["studio-nord"]["members"] == 1
    assert payload["workspaces"]["studio-nord"]["clients"] == 0


def test_bad_configuration_is_a_clear_error(tmp_path):
    result = run_cli("stats", data_dir=tmp_path, env={"ACCALMIE_DEBUG": "maybe"})
    assert result.returncode == 2
    assert "ACCALMIE_DEBUG='maybe' is not a boolean" in result.stderr


def test_serve_refuses_an_unmigrated_database(tmp_path):
    result = run_cli("serve", "--port", "8999", "--no-worker", data_dir=tmp_path)
    assert result.returncode != 0
    assert "accalmie migrate" in result.stderr


@pytest.mark.parametrize("command", [["backtest"], ["health", "Corvimo"], ["alerts"]])
def test_any_command_on_an_unmigrated_database_says_to_migrate(tmp_path, command):
    result = run_cli(*command, data_dir=tmp_path)
    assert result.returncode == 2
    assert "run `accalmie migrate` first" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.django_db
def test_stats_counts_per_workspace(capsys):
    client = ClientFactory(workspace__slug="alpha")
    InteractionFactory.create_batch(3, client=client)
    TeamPulseFactory(client=client)
    ClientFactory(workspace__slug="beta")
    call_command("stats", json=True)
    payload = json.loads(capsys.readouterr().out)
    assert payload["workspaces"]["alpha"]["interactions"] == 3
    assert payload["workspaces"]["alpha"]["team_pulses"] == 1
    assert payload["workspaces"]["beta"]["clients"] == 1
    assert payload["totals"]["clients"] == 2
    assert payload["totals"]["interactions"] == 3


@pytest.mark.django_db
def test_createuser_validates_role_workspace_and_password(monkeypatch):
    Workspace.objects.create(slug="ws", name="WS")
    monkeypatch.setenv("ACCALMIE_NEW_PASSWORD", "a sound passphrase")
    with pytest.raises(CommandError, match="No workspace"):
        call_command("createuser", "léa", workspace="missing")
    with pytest.raises(CommandError):
        call_command("createuser", "bad name!", workspace="ws")
    monkeypatch.setenv("ACCALMIE_NEW_PASSWORD", "123")
    with pytest.raises(CommandError, match="Password refused"):
        call_command("createuser", "lea", workspace="ws")
    monkeypatch.setenv("ACCALMIE_NEW_PASSWORD", "a sound passphrase")
    call_command("createuser", "lea", workspace="ws", role=Role.READ_ONLY)
    assert Membership.objects.get(user__username="lea").role == Role.READ_ONLY


def test_tone_check_flags_an_accusing_draft_with_spans_and_rephrasing(tmp_path, capsys):
    draft = tmp_path / "draft.txt"
    draft.write_text(
        "Vous n'avez toujours pas envoyé les fichiers, comme je l'ai déjà dit.", encoding="utf-8"
    )
    call_command("tone-check", str(draft), "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["lang"] == "fr"
    flags = {f["flag"]: f for f in report["flags"]}
    assert flags["accusatory_you"]["text"] == "Vous n'avez toujours pas envoyé"
    assert flags["defensiveness"]["start"] == 46
    assert "première personne" in flags["accusatory_you"]["suggestion"]
    with pytest.raises(CommandError, match="cannot read"):
        call_command("tone-check", str(tmp_path / "missing.txt"))
