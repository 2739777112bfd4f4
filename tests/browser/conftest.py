import os
from urllib.parse import urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's sync API runs an event loop in this thread; the live server's database
# access happens in its own thread, and fixtures only load data before the page opens.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def atlas(live_server, demo_data):
    """A live server with the demo data (transactional tests leave the tables empty)."""
    return live_server


def track_requests(page) -> set:
    """The page's requests that have not finished yet (kept up to date by the page)."""
    pending = set()
    page.on("request", lambda request: pending.add(request))
    page.on("requestfinished", lambda request: pending.discard(request))
    page.on("requestfailed", lambda request: pending.discard(request))
    return pending


def settle(page, pending: set, timeout_s: float = 10.0) -> None:
    """Let requests the page still makes (the map fetches years ahead) end before the live
    server's tables are emptied for the next test; a page that never settles is left as is."""
    for _ in range(int(timeout_s / 0.05)):
        if not pending:
            return
        page.wait_for_timeout(50)


@pytest.fixture(scope="session")
def visitor(browser):
    """One browser context per worker for the pages of the tests, as one visitor's browser
    keeps scripts and styles from page to page: Leaflet, Plotly and the atlas's modules are
    fetched and compiled once, not once a test. What a test could leave behind for the next
    (cookies, stored preferences, its pages) is cleared after it (``page``)."""
    # Playwright's wait_for_function evaluates its predicate as a string, which the atlas's
    # content security policy forbids; tests/browser/test_csp.py checks the policy unbypassed.
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="de-DE", bypass_csp=True
    )
    yield context
    context.close()


# What a page keeps for its origin beyond its own life; the HTTP cache stays, as it does for a
# visitor (the data files' addresses name the data state, so a kept one is never stale).
KEPT_BY_PAGES = "cookies,local_storage,indexeddb,service_workers,cache_storage"


def forget_visit(context) -> None:
    """Closes the context's pages and clears what pages keep beyond their own life."""
    origins = {urlsplit(page.url)._replace(path="", query="", fragment="").geturl()
               for page in context.pages if page.url.startswith("http")}  # fmt: skip
    if context.pages and origins:
        cdp = context.new_cdp_session(context.pages[0])
        for origin in origins:
            cdp.send(
                "Storage.clearDataForOrigin", {"origin": origin, "storageTypes": KEPT_BY_PAGES}
            )
        cdp.detach()
    for page in context.pages:
        page.close()
    context.clear_cookies()


@pytest.fixture
def page(visitor):
    page = visitor.new_page()
    pending = track_requests(page)
    yield page
    settle(page, pending)
    forget_visit(visitor)


@pytest.fixture
def strict_page(browser):
    """A page under the site's content security policy, as a visitor's browser applies it."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE")
    page = context.new_page()
    pending = track_requests(page)
    yield page
    settle(page, pending)
    context.close()
