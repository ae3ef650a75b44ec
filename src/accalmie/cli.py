"""The `accalmie` command: one entry point for everything a person or a script does.

Each public verb is a Django management command; `accalmie --help` lists them
with their one-line help. Django's own commands stay reachable
(`accalmie django --help` lists them all).
"""

from __future__ import annotations

import os
import sys

# The verbs shown by `accalmie --help`, in the order a newcomer needs them.
PUBLIC_COMMANDS = [
    "demo",
    "serve",
    "migrate",
    "createuser",
    "workspace",
    "import",
    "analyze",
    "reanalyze",
    "tone-check",
    "eval",
    "train",
    "stats",
    "rescore",
    "health",
    "alerts",
    "backtest",
    "worker",
    "bench",
]


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accalmie.settings")
    import django

    django.setup()


def _print_help() -> None:
    from django.core.management import get_commands, load_command_class

    from accalmie import __version__

    commands = get_commands()
    lines = [
        f"accalmie {__version__} — see early when a client relationship goes sour.",
        "",
        "Usage: accalmie COMMAND [OPTIONS]   (accalmie COMMAND --help for its options)",
        "",
        "Commands:",
    ]
    for name in PUBLIC_COMMANDS:
        command = load_command_class(commands[name], name)
        summary = (command.help or "").strip().splitlines()[0] if command.help else ""
        lines.append(f"  {name:<12} {summary}")
    lines += [
        "",
        "Environment: ACCALMIE_DATA_DIR (default ./var), DATABASE_URL (PostgreSQL),",
        "ACCALMIE_SECRET_KEY or ACCALMIE_SECRET_KEY_FILE. See docs/configuration.md.",
        "Django's own commands: accalmie django --help",
    ]
    print("\n".join(lines))


def main(argv: list[str] | None = None) -> None:
    """Run the `accalmie` command line."""
    args = list(sys.argv[1:] if argv is None else argv)
    from accalmie.lib.env import ConfigError

    try:
        _setup()
    except ConfigError as exc:
        sys.stderr.write(f"accalmie: configuration error: {exc}\n")
        raise SystemExit(2) from exc
    if not args or args[0] in {"-h", "--help", "help"}:
        _print_help()
        return
    if args[0] == "--version":
        from accalmie import __version__

        print(__version__)
        return
    from django.core.management import execute_from_command_line

    if args[0] == "django":
        args = args[1:] or ["help"]
    from django.db import DatabaseError

    try:
        execute_from_command_line(["accalmie", *args])
    except DatabaseError as exc:
        missing = _pending_migrations()
        if not missing:
            raise
        # Any command on a database not yet set up: say what to do, not a traceback.
        sys.stderr.write(
            f"accalmie: the database lacks {missing} migration(s): run `accalmie migrate` first.\n"
        )
        raise SystemExit(2) from exc


def _pending_migrations() -> int:
    from accalmie.core.management.commands.serve import pending_migrations

    try:
        return pending_migrations()
    except Exception:  # the database itself is out of reach: the first error says it
        return 0


if __name__ == "__main__":  # pragma: no cover
    main()
