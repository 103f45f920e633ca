"""Playwright fixtures: one headless Debian chromium for the session, a fresh context (cookies, viewport,
language) for every test, pointed at pytest-django's live server.

Tests locate elements by role, label or test id, never by English text: the pages render in Chinese by
default, so the Chinese labels are part of what these tests check.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.signals import request_finished, request_started
from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser.actions import DESKTOP

# Playwright's sync API keeps an asyncio event loop running in the test thread, and Django refuses ORM
# calls from a thread with a running loop (SynchronousOnlyOperation). Only Playwright's own coroutines
# run on that loop; the tests' ORM calls (preparing data between browser steps) stay plain synchronous
# code, which is exactly what the guard exists to allow, so it is switched off for this process.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking switches chromium keeps trying to reach Google's services, which
# only floods a closed network with failed lookups.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Long enough for a slow CI machine, short enough that a missing element fails the test quickly.
TIMEOUT_MS = 10_000
# A failed test leaves a screenshot of its last page here (ignored by git).
RESULTS = Path("test-results")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.zj_call_failed = report.failed
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Browser tests need Debian's chromium at {CHROMIUM}: run `make chromium`, or leave them out "
                    "with -m 'not browser'.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def viewport() -> dict[str, int]:
    """The window size; a test overrides it with ``@pytest.mark.parametrize("viewport", [PHONE])``."""
    return DESKTOP


@pytest.fixture
def page(request, browser: Browser, live_server, viewport) -> Iterator[Page]:
    # A person in mainland China: the browser asks for Chinese, as the site's default language expects.
    context = browser.new_context(base_url=live_server.url, viewport=viewport, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    serving = _RequestsInServer()
    yield page
    if getattr(request.node, "zj_call_failed", False):
        RESULTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        page.screenshot(path=RESULTS / f"{name}.png", full_page=True)
    # Leaving the page makes the tracker send what it holds. The live server must have finished every
    # request (a streaming video, the last learning records, one the browser gave up on) before the test
    # database is emptied, or PostgreSQL's TRUNCATE deadlocks with a request still inside its transaction.
    page.goto("about:blank")
    context.close()
    serving.wait_until_idle()
    serving.disconnect()


class _RequestsInServer:
    """Counts requests the live server has started and not yet finished (Django's request signals)."""

    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()
        request_started.connect(self._started, dispatch_uid=id(self))
        request_finished.connect(self._finished, dispatch_uid=id(self))

    def _started(self, **kwargs):
        with self.lock:
            self.count += 1

    def _finished(self, **kwargs):
        with self.lock:
            self.count -= 1

    def wait_until_idle(self, seconds: float = 10, quiet: float = 0.3) -> None:
        """Until no request has been in the server for ``quiet`` seconds (a request the closing page sent
        may still be on its way), at most ``seconds``."""
        deadline = time.monotonic() + seconds
        idle_since = None
        while time.monotonic() < deadline:
            if self.count > 0:
                idle_since = None
            elif idle_since is None:
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since >= quiet:
                return
            time.sleep(0.05)

    def disconnect(self):
        request_started.disconnect(dispatch_uid=id(self))
        request_finished.disconnect(dispatch_uid=id(self))

