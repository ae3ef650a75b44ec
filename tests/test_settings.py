"""Configuration from the environment: typed values, secrets from files, clear errors."""

from __future__ import annotations

import pytest

from accalmie.lib.env import ConfigError, env_bool, env_int, env_list, env_str, stored_secret_key


def test_secret_from_file_wins(tmp_path, monkeypatch):
    secret = tmp_path / "key"
    secret.write_text("from-file\n")
    monkeypatch.setenv("ACCALMIE_SECRET_KEY", "from-env")
    monkeypatch.setenv("ACCALMIE_SECRET_KEY_FILE", str(secret))
    assert env_str("ACCALMIE_SECRET_KEY") == "from-file"


def test_unreadable_secret_file_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("X_FILE", str(tmp_path / "missing"))
    with pytest.raises(ConfigError, match="X_FILE"):
        env_str("X")


def test_typed_values(monkeypatch):
    monkeypatch.setenv("B", "yes")
    monkeypatch.setenv("I", "42")
    monkeypatch.setenv("L", "a.fr, b.fr,,")
    assert env_bool("B") is True
    assert env_int("I", 0) == 42
    assert env_list("L") == ["a.fr", "b.fr"]
    assert env_bool("UNSET_BOOL", True) is True
    monkeypatch.setenv("I", "forty")
    with pytest.raises(ConfigError, match="not a whole number"):
        env_int("I", 0)


def test_generated_secret_key_is_kept(tmp_path):
    first = stored_secret_key(tmp_path)
    assert len(first) > 40
    assert stored_secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_the_database_in_use_is_the_configured_one(db, settings):
    """SQLite by default, tuned for concurrent writers; PostgreSQL when DATABASE_URL is set."""
    import os

    from django.db import connection

    if os.environ.get("DATABASE_URL"):
        assert connection.vendor == "postgresql"
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            assert cursor.fetchone()[0]
        return
    assert connection.vendor == "sqlite"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_database_url_selects_postgresql(monkeypatch):
    import importlib

    import accalmie.settings as accalmie_settings

    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example:5433/acc")
    try:
        reloaded = importlib.reload(accalmie_settings)
        db = reloaded.DATABASES["default"]
        assert db["ENGINE"] == "django.db.backends.postgresql"
        assert (db["HOST"], db["PORT"], db["NAME"]) == ("db.example", 5433, "acc")
        monkeypatch.setenv("DATABASE_URL", "nonsense://")
        with pytest.raises(ConfigError, match="DATABASE_URL"):
            importlib.reload(accalmie_settings)
    finally:
        monkeypatch.undo()
        importlib.reload(accalmie_settings)
