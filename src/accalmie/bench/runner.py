"""Where `accalmie bench generate|health|web` run: always in the bench's own database.

`accalmie bench health` (say) does not touch the database it was configured with. It starts
itself again in a child process whose settings point at the bench database: a SQLite file in
`<bench dir>/<parameters' key>/` (default bench dir: `$ACCALMIE_BENCH_DIR`, else
`<temp dir>/accalmie-bench`), or the database of `--database-url`. The child sees
`ACCALMIE_BENCH_IN_PLACE=1` and works on the database it is given: it creates the tables,
builds the workspace unless that database already holds the one these parameters make, and
measures.

`ACCALMIE_BENCH_IN_PLACE=1` is also how the tests run the benches on the test database. It
refuses a database that holds any workspace other than the bench's and the demo's.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from accalmie.accounts.models import Workspace
from accalmie.bench.generate import (
    BENCH_SLUG,
    BenchParams,
    GenerateResult,
    ensure_workspace,
)
from accalmie.demo.generator import DEMO_SLUG, monday_of

IN_PLACE = "ACCALMIE_BENCH_IN_PLACE"
CHILD = "ACCALMIE_BENCH_CHILD"
WORKSPACE_KINDS = ("generate", "health", "web")


def params_of(options: dict[str, Any]) -> BenchParams:
    anchor = options.get("anchor") or monday_of(dt.date.today())  # noqa: DTZ011 - a date
    return BenchParams(
        clients=options["clients"],
        interactions=options["interactions"],
        seed=options["seed"],
        anchor=monday_of(anchor),
    )


def bench_dir(options: dict[str, Any]) -> Path:
    base = options.get("bench_dir") or os.environ.get("ACCALMIE_BENCH_DIR")
    return Path(base) if base else Path(tempfile.gettempdir()) / "accalmie-bench"


def child_args(what: str, options: dict[str, Any]) -> list[str]:
    params = params_of(options)
    args = [
        "bench",
        what,
        "--clients",
        str(params.clients),
        "--interactions",
        str(params.interactions),
        "--seed",
        str(params.seed),
        "--anchor",
        params.anchor.isoformat(),
    ]
    if options.get("fresh"):
        args.append("--fresh")
    if options.get("json"):
        args.append("--json")
    for name in ("trials", "requests", "warmup", "history_weeks"):
        if options.get(name) is not None:
            args += [f"--{name.replace('_', '-')}", str(options[name])]
    return args


def run_child(what: str, options: dict[str, Any], say: Callable[[str], None]) -> None:
    """Run this bench again in a child process set on the bench database; wait for it."""
    env = dict(os.environ)
    env[IN_PLACE] = "1"
    env[CHILD] = "1"
    params = params_of(options)
    folder = bench_dir(options) / params.key
    folder.mkdir(parents=True, exist_ok=True)
    env["ACCALMIE_DATA_DIR"] = str(folder)
    if options.get("database_url"):
        env["DATABASE_URL"] = options["database_url"]
        say(f"bench database: {options['database_url'].split('@')[-1]}")
    else:
        env.pop("DATABASE_URL", None)
        say(f"bench database: {folder / 'accalmie.sqlite3'}")
    code = subprocess.call(  # noqa: S603 - our own command
        [sys.executable, "-m", "accalmie", *child_args(what, options)], env=env
    )
    if code:
        raise CommandError(f"accalmie bench {what} failed (exit status {code})")


def prepare(
    options: dict[str, Any], say: Callable[[str], None]
) -> tuple[Workspace, GenerateResult]:
    """In the bench database: create the tables and the workspace (unless already there)."""
    call_command("migrate", verbosity=0, interactive=False)
    others = Workspace.objects.exclude(slug__in=[BENCH_SLUG, DEMO_SLUG])
    if others.exists():
        raise CommandError(
            "This database holds other workspaces: the benches build their own workspace "
            "and run only in their own database (leave ACCALMIE_BENCH_IN_PLACE unset)"
        )
    params = params_of(options)
    result = ensure_workspace(params, fresh=bool(options.get("fresh")), progress=say)
    workspace = Workspace.objects.get(slug=BENCH_SLUG)
    return workspace, result


def describe(result: GenerateResult) -> dict[str, Any]:
    p = result.params
    return {
        "parameters": {
            "clients": p.clients,
            "interactions": p.interactions,
            "seed": p.seed,
            "anchor": p.anchor.isoformat(),
            "key": p.key,
        },
        "reused": result.reused,
        "generate_seconds": round(result.seconds, 1),
        "counts": result.counts,
        "database": connection.vendor,
        "database_name": str(connection.settings_dict.get("NAME")),
    }
