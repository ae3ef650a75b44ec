"""Real-browser tests: Playwright driving Debian's Chromium against a live server.

- `live_server` (pytest-django) serves the app on a free port of 127.0.0.1 against the test
  database: a SQLite *file* (settings' TEST NAME) or the PostgreSQL test database. A test that
  uses it runs in `transactional_db`, so the rows it creates are committed and the server's
  threads see them; the tables are emptied after each test.
- One Chromium for the whole session (`browser`), a fresh context per test (`new_page`,
  `page`): French by default, no request may leave the live server (any other address is
  aborted and fails the test), and a JavaScript error in a page fails the test too.
- `login_as(user)`: a page already logged in as that user (a real session cookie, no form).
- Every page a test opened is saved as a PNG in `test-artifacts/`, named after the test.

Playwright's sync API keeps an asyncio loop running in the main thread, which Django's ORM
takes for an async context; DJANGO_ALLOW_ASYNC_UNSAFE lifts that check while Playwright runs
(the test code and the ORM still run in one thread, one at a time). Browser tests are run last
so that no other test runs beside that loop.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.test import Client as HttpClient
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

CHROMIUM = os.environ.get("ACCALMIE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Short waits: a page of this app answers in milliseconds, and a failure should say so quickly.
TIMEOUT_MS = 5_000


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the browser tests last (after pytest-django's own ordering)."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    engine = sync_playwright().start()
    try:
        yield engine
    finally:
        engine.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} not found: install Debian's chromium (`make browser`, run by `make test`)"
        )
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
    )
    yield chromium
    chromium.close()


def _artifact_name(request: pytest.FixtureRequest) -> str:
    module = Path(str(request.node.path)).stem
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{module}__{request.node.name}").strip("-")


@pytest.fixture
def new_page(
    browser: Browser, live_server, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Page]]:
    """Open pages in fresh browser contexts; screenshot each one when the test ends.

    `new_page(javascript=False)` gives a page with JavaScript off; other keyword arguments go
    to `browser.new_context` (`locale="en-GB"`, `viewport={...}`).
    """
    origin = live_server.url.rstrip("/")
    contexts: list[BrowserContext] = []
    pages: list[Page] = []
    outside: list[str] = []
    js_errors: list[str] = []

    def keep_local(route, req) -> None:
        if req.url.startswith(origin + "/") or req.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            outside.append(req.url)
            route.abort()

    def open_page(*, javascript: bool = True, **options) -> Page:
        options.setdefault("locale", "fr-FR")
        options.setdefault("viewport", {"width": 1280, "height": 800})
        context = browser.new_context(base_url=origin, java_script_enabled=javascript, **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.route("**/*", keep_local)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: js_errors.append(str(error)))
        pages.append(page)
        return page

    yield open_page

    ARTIFACTS.mkdir(exist_ok=True)
    name = _artifact_name(request)
    for number, page in enumerate(pages, start=1):
        suffix = "" if number == 1 else f"-{number}"
        try:
            page.screenshot(path=ARTIFACTS / f"{name}{suffix}.png", full_page=True)
        except Exception as exc:  # a closed or crashed page must not hide the test's own result
            print(f"no screenshot of page {number}: {exc}")
    for context in contexts:
        context.close()
    assert not outside, f"requests left the live server: {outside}"
    assert not js_errors, f"JavaScript errors: {js_errors}"


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """A blank page of a fresh French-speaking context, its base URL the live server's."""
    return new_page()


@pytest.fixture
def login_as(new_page: Callable[..., Page], live_server) -> Callable[..., Page]:
    """Return a page of a fresh context already logged in as the given user."""

    def logged_in(user: AbstractUser, **options) -> Page:
        http = HttpClient()
        http.force_login(user)
        session = http.cookies[settings.SESSION_COOKIE_NAME].value
        page = new_page(**options)
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
        return page

    return logged_in
