from __future__ import annotations

import datetime as dt
import os
import platform
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accalmie.core.management.jsonout import write_json


def _default_external() -> str:
    return os.environ.get("ACCALMIE_EXTERNAL_DATA", "../shared/data/external")


class Command(BaseCommand):
    help = "Measure speed and memory (import, analysis, health, web): prints figures only."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        imp = sub.add_parser("import", help="import rate and peak memory vs a bare stdlib parse")
        imp.add_argument("--size-mb", type=float, default=200.0, help="size of the mbox built")
        imp.add_argument(
            "--corpora",
            default=_default_external(),
            help="folder of the public test corpora (ACCALMIE_EXTERNAL_DATA)",
        )
        imp.add_argument("--keep", help="work in this folder and keep it")
        imp.add_argument("--json", action="store_true")
        ana = sub.add_parser("analysis", help="text pipeline rate (messages/s per core)")
        ana.add_argument("--messages", type=int, default=20_000)
        ana.add_argument("--json", action="store_true")
        for name, text in (
            ("generate", "build (or find) the large bench workspace in its own database"),
            ("health", "full and incremental health recomputation on the bench workspace"),
            ("web", "dashboard, client and interaction pages served for real: times, queries"),
        ):
            cmd = sub.add_parser(name, help=text)
            cmd.add_argument("--clients", type=int, default=500)
            cmd.add_argument("--interactions", type=int, default=200_000)
            cmd.add_argument("--seed", type=int, default=1)
            cmd.add_argument(
                "--anchor",
                type=dt.date.fromisoformat,
                help="last Monday of the data (default: this week's)",
            )
            cmd.add_argument(
                "--bench-dir", help="folder of the bench databases (default: a temp folder)"
            )
            cmd.add_argument(
                "--database-url", help="use this (PostgreSQL) database instead of a SQLite file"
            )
            cmd.add_argument(
                "--fresh", action="store_true", help="build the workspace again even if present"
            )
            cmd.add_argument("--json", action="store_true")
            if name == "health":
                cmd.add_argument("--trials", type=int, default=50, help="new messages timed")
            if name == "web":
                cmd.add_argument("--requests", type=int, default=100, help="timed, per page")
                cmd.add_argument("--warmup", type=int, default=10, help="untimed, per page")
            if name != "generate":
                cmd.add_argument(
                    "--history-weeks",
                    type=int,
                    default=13,
                    help="weekly snapshots scored once beforehand (sparklines, alerts)",
                )

    def handle(self, *args: Any, **options: Any) -> None:
        machine = (
            f"{platform.machine()} · {os.cpu_count()} cores · Python {platform.python_version()}"
        )
        if options["what"] == "analysis":
            self._analysis(options, machine)
            return
        if options["what"] in ("generate", "health", "web"):
            self._workspace_bench(options, machine)
            return
        from accalmie.bench import imports

        corpora = Path(options["corpora"]).expanduser()
        if not corpora.is_dir():
            raise CommandError(f"No corpora at {corpora}: give --corpora or ACCALMIE_EXTERNAL_DATA")
        self.stderr.write(f"Building a {options['size_mb']:.0f} MB mbox and measuring…")
        result = imports.run(corpora, options["size_mb"], options["keep"])
        result["machine"] = (
            f"{platform.machine()} · {os.cpu_count()} cores · Python {platform.python_version()}"
        )
        if options["json"]:
            write_json(self.stdout, result)
            return
        self.stdout.write(
            f"mbox: {result['mbox_mb']} MB, {result['messages']:,} messages ({result['machine']})"
        )
        self.stdout.write(f"{'run':<34}{'seconds':>9}{'MB/s':>8}{'msg/s':>9}{'peak MB':>9}")
        for r in result["runs"]:  # type: ignore[attr-defined]
            self.stdout.write(
                f"{r['name']:<34}{r['seconds']:>9.1f}{r['mb_per_s']:>8.2f}"
                f"{r['messages_per_s']:>9.0f}{r['peak_rss_mb']:>9.0f}"
            )
        self.stdout.write(f"importer / bare parse: {result['ratio_to_bare']:.0%} of the rate")

    def _analysis(self, options: dict[str, Any], machine: str) -> None:
        from accalmie.bench import analysis

        result = analysis.run(options["messages"])
        result["machine"] = machine
        if options["json"]:
            write_json(self.stdout, result)
            return
        self.stdout.write(
            f"{result['messages']:,} messages of {result['mean_words']} words "
            f"on average ({machine})"
        )
        for rate in result["rates"]:  # type: ignore[attr-defined]
            self.stdout.write(
                f"  {rate['name']:<36} {rate['seconds']:>7.2f} s  "
                f"{rate['messages_per_second_per_core']:>7,} messages/s per core"
            )
        if not result["vader_installed"]:
            self.stdout.write("  (vaderSentiment_fr is not installed: `make install` adds it)")

    def _workspace_bench(self, options: dict[str, Any], machine: str) -> None:
        from accalmie.bench import runner

        def say(message: str) -> None:
            self.stderr.write(message)

        what = options["what"]
        if os.environ.get(runner.IN_PLACE) != "1":
            runner.run_child(what, options, say)
            return
        workspace, generated = runner.prepare(options, say)
        result: dict[str, Any] = {"workspace": runner.describe(generated), "machine": machine}
        if what == "health":
            from accalmie.bench import health

            result["health"] = health.run(
                workspace, options["trials"], options["history_weeks"], say
            )
        elif what == "web":
            from accalmie.bench import web

            result["web"] = web.run(
                workspace, options["requests"], options["warmup"], options["history_weeks"], say
            )
        if options["json"]:
            write_json(self.stdout, result)
            return
        self._print_workspace(result["workspace"], machine)
        if "health" in result:
            self._print_health(result["health"])
        if "web" in result:
            self._print_web(result["web"])

    def _print_workspace(self, ws: dict[str, Any], machine: str) -> None:
        c = ws["counts"]
        how = (
            f"found in the bench database in {ws['generate_seconds']} s"
            if ws["reused"]
            else f"generated in {ws['generate_seconds']} s"
        )
        self.stdout.write(
            f"bench workspace: {c['clients']:,} clients, {c['interactions']:,} interactions, "
            f"{c['threads']:,} threads, {c['participants']:,} participants, "
            f"{c['signal_hits']:,} text hits, {c['invoices']:,} invoices "
            f"({c['late_invoices']:,} late), {c['team_pulses']:,} pulses, "
            f"{c['members']} members — {how}"
        )
        self.stdout.write(f"database: {ws['database']} {ws['database_name']} ({machine})")

    def _print_health(self, h: dict[str, Any]) -> None:
        if "history" in h:
            hist = h["history"]
            self.stdout.write(
                f"history (once): {hist['weeks']} weekly snapshots scored in "
                f"{hist['seconds']} s ({hist['snapshots']:,} snapshots, {hist['alerts']} alerts)"
            )
        f = h["full"]
        self.stdout.write(
            f"full recomputation: {f['clients']} clients in {f['seconds']:.2f} s "
            f"(CPU {f['cpu_seconds']:.2f} s) — "
            f"{f['clients_per_second']} clients/s, {f['queries']:,} queries, "
            f"{f['behaviour_hits']:,} behavioural hits, {f['alerts']} new alerts"
        )
        i = h["incremental"]
        self.stdout.write(
            f"incremental, one new message ({i['trials']} trials, clients of "
            f"~{i['client_interactions_median']} interactions): median "
            f"{i['total_ms']['median']} ms, p95 {i['total_ms']['p95']} ms, "
            f"max {i['total_ms']['max']} ms (CPU median {i['total_cpu_ms']['median']} ms), "
            f"{i['queries_median']} queries"
        )
        self.stdout.write(
            f"  medians: store {i['store_ms']['median']} ms · analyse "
            f"{i['analyse_ms']['median']} ms · recompute {i['recompute_ms']['median']} ms"
        )

    def _print_web(self, w: dict[str, Any]) -> None:
        if "history" in w:
            hist = w["history"]
            self.stdout.write(
                f"history (once): {hist['weeks']} weekly snapshots scored in {hist['seconds']} s"
            )
        self.stdout.write(
            f"{w['requests']} requests per page over HTTP, logged in as {w['user']} (director)"
        )
        self.stdout.write(
            f"{'page':<12}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}{'queries':>9}"
            f"{'SQL ms':>8}{'in-proc':>9}{'srv CPU':>9}{'KB':>6}  path"
        )
        for p in w["pages"]:
            self.stdout.write(
                f"{p['page']:<12}{p['p50']:>8.1f}{p['p95']:>8.1f}{p['max']:>8.1f}"
                f"{p['queries']:>9}{p['sql_ms']:>8.1f}{p['in_process_ms']:>9.1f}"
                f"{p['server_cpu_ms'] if p['server_cpu_ms'] is not None else '-':>9}"
                f"{p['bytes'] / 1024:>6.0f}  {p['path']}"
            )
        self.stdout.write(
            "(queries and in-proc ms: one request in this process; SQL ms: its reads run "
            "again, fetched whole; srv CPU: the server's CPU ms per request)"
        )
        for p in w["pages"]:
            slowest = p["slowest"][0] if p["slowest"] else None
            if slowest:
                self.stdout.write(
                    f"  {p['page']}: slowest query {slowest['ms']} ms: {slowest['sql'][:160]}"
                )
            for r in p["repeated"]:
                if r["times"] > 3:
                    self.stdout.write(
                        f"  {p['page']}: one query shape run {r['times']} times: {r['sql'][:160]}"
                    )
