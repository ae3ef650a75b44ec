"""`accalmie bench web`: the three pages people open most, served for real, timed over HTTP.

1. The workspace is scored weekly back 13 weeks (once), so the dashboard's 90-day
   sparklines and the client page's charts have their data.
2. In this process, Django's test client (logged in as a director) opens each page once
   with every SQL query recorded (`connection.execute_wrapper`): the number of queries, the
   most repeated query shapes (an N+1 shows as one shape repeated per row), and each read
   run again on its own, executed and fetched whole, for its time (SQLite computes rows
   while they are fetched, so timing `execute` alone would miss most of it).
3. `accalmie serve --no-worker` (waitress) is started on a free port of 127.0.0.1 against the
   same database, with a real session of that director; after a warm-up, the pages are
   requested in turn over one keep-alive connection and each response is read whole.

Pages: the dashboard (`client-list`), the page of the client with the most exchanges
(`client-detail`) and its latest e-mail that has text hits (`interaction-detail`).
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.test import Client as TestClient
from django.urls import reverse

from accalmie.accounts.models import Membership, Role, Workspace
from accalmie.bench.health import ensure_history, spread_ms
from accalmie.clients.models import Client
from accalmie.comms.models import Direction, Interaction

SERVER_START_SECONDS = 90


def _pages(workspace: Workspace) -> list[tuple[str, str]]:
    slug = workspace.slug
    biggest = (
        Client.objects.filter(workspace=workspace)
        .annotate(n=Count("interactions"))
        .order_by("-n", "pk")
        .first()
    )
    if biggest is None:
        raise ValueError(f"Workspace « {slug} » has no client")
    interaction = (
        Interaction.objects.filter(
            client=biggest, direction=Direction.FROM_CLIENT, hits__isnull=False
        )
        .order_by("-occurred_at", "-pk")
        .first()
    ) or Interaction.objects.filter(client=biggest).order_by("-occurred_at", "-pk").first()
    pages = [
        ("dashboard", reverse("client-list", kwargs={"workspace": slug})),
        (
            "client",
            reverse("client-detail", kwargs={"workspace": slug, "client_id": biggest.pk}),
        ),
    ]
    if interaction is not None:
        pages.append(
            (
                "interaction",
                reverse(
                    "interaction-detail",
                    kwargs={"workspace": slug, "interaction_id": interaction.pk},
                ),
            )
        )
    return pages


def director_of(workspace: Workspace) -> Any:
    membership = (
        Membership.objects.filter(workspace=workspace, role=Role.DIRECTOR)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if membership is None:
        raise ValueError(f"Workspace « {workspace.slug} » has no director")
    return membership.user


_NUMBERS = re.compile(r"\b\d+\b|'[^']*'|%s")


def _shape(sql: str) -> str:
    return _NUMBERS.sub("?", sql)


def count_queries(path: str, user: Any) -> dict[str, Any]:
    """Open one page in this process; return its queries: count, time, slowest, repeated."""
    browser = TestClient(SERVER_NAME="127.0.0.1")
    browser.force_login(user)
    browser.get(path)  # warm: templates compiled, caches filled
    seen: list[tuple[str, Any]] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        started = time.perf_counter()
        response = browser.get(path)
        seconds = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    # SQLite computes rows as they are fetched: time each read again, execute and fetch all.
    queries: list[tuple[float, str]] = []
    for sql, params in seen:
        if not sql.lstrip().upper().startswith("SELECT"):
            queries.append((0.0, sql))
            continue
        with connection.cursor() as cursor:
            began = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            queries.append((time.perf_counter() - began, sql))
    shapes = Counter(_shape(sql) for _t, sql in queries)
    return {
        "queries": len(queries),
        "sql_ms": round(sum(t for t, _s in queries) * 1000, 1),
        "in_process_ms": round(seconds * 1000, 1),
        "bytes": len(response.content),
        "slowest": [
            {"ms": round(t * 1000, 1), "sql": sql[:400]}
            for t, sql in sorted(queries, key=lambda q: -q[0])[:5]
        ],
        "repeated": [
            {"times": n, "sql": shape[:300]} for shape, n in shapes.most_common(3) if n > 1
        ],
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env() -> dict[str, str]:
    """The environment of a server reading this process's database."""
    env = dict(os.environ)
    env["ACCALMIE_SECRET_KEY"] = settings.SECRET_KEY
    if env.get("ACCALMIE_BENCH_CHILD") == "1":
        return env  # the same settings as this process: nothing to add
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    else:
        user = db.get("USER") or ""
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        auth = f"{user}{password}@" if user else ""
        env["DATABASE_URL"] = (
            f"postgres://{auth}{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}"
            f"/{db['NAME']}"
        )
    return env


class Server:
    """`accalmie serve` in a subprocess on a free port; stopped on exit."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = _free_port()
        self.proc = subprocess.Popen(  # noqa: S603 - our own command
            [
                sys.executable,
                "-m",
                "accalmie",
                "serve",
                "--no-worker",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def __enter__(self) -> Server:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else ""
                raise RuntimeError(f"accalmie serve stopped at once: {err[-2000:]}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError(f"accalmie serve did not answer within {SERVER_START_SECONDS} s")

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _session_cookie(user: Any) -> str:
    browser = TestClient()
    browser.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"


def _ms(values: list[float]) -> dict[str, float]:
    spread = spread_ms(values)
    return {"p50": spread["median"], "p95": spread["p95"], "max": spread["max"]}


def _cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) a process has used so far, from /proc; None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def time_pages(
    server: Server, pages: list[tuple[str, str]], cookie: str, requests: int, warmup: int
) -> dict[str, dict[str, Any]]:
    """Request each page `warmup` then `requests` times; return its times.

    Besides the wall-clock times seen by the client, the server's CPU time per request
    (from /proc, over the timed requests of the page) says what a page costs on a machine
    busy with other work.
    """
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    headers = {"Cookie": cookie, "Accept-Language": "fr", "Connection": "keep-alive"}
    result: dict[str, dict[str, Any]] = {}
    for name, path in pages:
        times: list[float] = []
        size = 0
        cpu_before = None
        for n in range(warmup + requests):
            if n == warmup:
                cpu_before = _cpu_seconds(server.proc.pid)
            started = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            elapsed = time.perf_counter() - started
            if response.status != 200:
                raise RuntimeError(f"{path} answered {response.status} over HTTP")
            if n >= warmup:
                times.append(elapsed)
                size = len(body)
        cpu_after = _cpu_seconds(server.proc.pid)
        cpu_ms = (
            round((cpu_after - cpu_before) * 1000 / requests, 1)
            if cpu_before is not None and cpu_after is not None and requests
            else None
        )
        result[name] = {**_ms(times), "bytes": size, "server_cpu_ms": cpu_ms}
    conn.close()
    return result


def run(
    workspace: Workspace,
    requests: int = 100,
    warmup: int = 10,
    history_weeks: int = 13,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Measure the three pages on this workspace; return the figures."""
    history = ensure_history(workspace, history_weeks, progress) if history_weeks else None
    user = director_of(workspace)
    pages = _pages(workspace)
    if progress:
        progress("counting each page's queries…")
    queries = {name: count_queries(path, user) for name, path in pages}
    if progress:
        progress(f"serving, then {requests} requests per page after {warmup} to warm up…")
    with Server(server_env()) as server:
        timed = time_pages(server, pages, _session_cookie(user), requests, warmup)
    result: dict[str, Any] = {
        "user": user.get_username(),
        "requests": requests,
        "pages": [
            {"page": name, "path": path, **timed[name], **queries[name]} for name, path in pages
        ],
    }
    if history is not None:
        result["history"] = history
    return result
