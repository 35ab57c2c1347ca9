"""The search page in a real Chromium (Debian's, driven by Playwright), with screenshots."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from newsearch.webui import core
from newsearch.webui.app import create_app

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 15_000


def _need_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def base_url(built_index: Path) -> Iterator[str]:
    """The app on 127.0.0.1 in a thread, for the module's tests."""
    app = create_app({"INDEX_DIR": str(built_index)})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        core.close(app)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    _need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Problems:
    """Console errors (CSP violations among them), script errors and failed subresources.

    A page's own status is left to the tests: a bad query is meant to answer 400.
    """

    def __init__(self) -> None:
        self.seen: list[str] = []

    def watch(self, page: Any) -> None:
        page.on("console", self.console)
        page.on("pageerror", lambda e: self.seen.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: self.seen.append(f"request failed: {r.url}"))
        page.on("response", self.response)

    def console(self, message: Any) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.seen.append(f"console error: {message.text}")

    def response(self, response: Any) -> None:
        if response.status >= 400 and not response.request.is_navigation_request():
            self.seen.append(f"{response.status} for {response.url}")


def _page(browser: Any, **options: Any) -> Iterator[Any]:
    context = browser.new_context(**options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems = Problems()
    problems.watch(page)
    try:
        yield page
    finally:
        context.close()
    assert problems.seen == []


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    yield from _page(browser, viewport=DESKTOP)


@pytest.fixture()
def phone(browser: Any) -> Iterator[Any]:
    yield from _page(browser, viewport=PHONE, is_mobile=True, has_touch=True)


@pytest.fixture()
def no_js(browser: Any) -> Iterator[Any]:
    yield from _page(browser, viewport=DESKTOP, java_script_enabled=False)


def shot(page: Any, name: str, full: bool = True) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full)
    assert path.stat().st_size > 1000
    return path


def no_overflow(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page is {width}px wide"


def test_search_facet_chip_page_and_item(page: Any, base_url: str) -> None:
    from playwright.sync_api import expect

    page.goto(base_url + "/")
    expect(page.locator("h1#summary")).to_contain_text("All ")
    expect(page.locator("a.jump")).to_be_hidden()  # the filters are beside the results
    shot(page, "01-home")

    page.fill("#q", "forced labour")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"\?q=forced\+labour$"))
    expect(page.locator("h1#summary")).to_contain_text("matches for forced labour")
    expect(page.locator("#q")).to_have_value("forced labour")
    assert page.locator(".snippet mark").count() > 0
    total = int(page.locator("h1#summary").inner_text().split()[0])
    shot(page, "02-search")

    topics = page.locator("section[aria-labelledby='facet-topic'] a.facet-option")
    first = topics.first
    first_label = first.locator(".facet-label").inner_text()
    first.click()
    page.wait_for_url(re.compile(r"topic="))
    expect(page.locator("a.chip")).to_have_count(1)
    expect(page.locator("a.chip")).to_contain_text(first_label)
    expect(page.locator("a.facet-option.is-selected")).to_have_count(1)
    narrowed = int(page.locator("h1#summary").inner_text().split()[0])
    assert narrowed <= total

    page.locator("section[aria-labelledby='facet-country'] a.facet-option").first.click()
    page.wait_for_url(re.compile(r"country="))
    expect(page.locator("a.chip")).to_have_count(2)
    shot(page, "03-facets-chosen")

    page.locator("a.chip", has_text=first_label).click()
    page.wait_for_url(lambda url: "topic=" not in url)
    expect(page.locator("a.chip")).to_have_count(1)
    expect(page.locator("#q")).to_have_value("forced labour")
    shot(page, "04-chip-removed")

    page.goto(base_url + "/")
    page.get_by_role("link", name=re.compile("^Next")).click()
    page.wait_for_url(re.compile(r"\?page=2$"))
    expect(page.locator("ol.hits")).to_have_attribute("start", "11")
    expect(page.locator(".pagination [aria-current='page']")).to_contain_text("2")
    shot(page, "05-page-2")

    link = page.locator(".hit-title a").first
    title = link.inner_text()
    link.click()
    page.wait_for_url(re.compile(r"/items/[0-9a-f]+$"))
    expect(page.locator("h1#item-title")).to_have_text(title)
    expect(page.get_by_role("heading", name="Why it has these tags")).to_be_visible()
    expect(page.locator(".similar .hit")).not_to_have_count(0)
    shot(page, "06-item")
    page.get_by_role("link", name=re.compile("Back to the results")).click()
    page.wait_for_url(re.compile(r"\?page=2$"))


def test_did_you_mean_and_timeline(page: Any, base_url: str) -> None:
    from playwright.sync_api import expect

    page.goto(base_url + "/?q=fishrs")
    expect(page.locator(".suggestion.corrected")).to_contain_text("Showing results for fishers")
    expect(page.locator("h1#summary")).not_to_contain_text("0 matches")
    page.locator(".suggestion.corrected a").click()
    page.wait_for_url(re.compile(r"\?q=fishrs&correct=0$"))
    page.locator(".suggestion a").click()
    page.wait_for_url(re.compile(r"\?q=fishers&correct=0$"))
    expect(page.locator("h1#summary")).not_to_contain_text("0 matches")

    page.goto(base_url + "/?year=2016")
    bars = page.locator("svg.timeline-chart a.bar")
    assert bars.count() > 0
    label = bars.last.get_attribute("aria-label")
    shot(page, "07-timeline")
    bars.last.click()
    page.wait_for_url(re.compile(r"from=2016-\d\d&to=2016-\d\d"))
    assert label is not None
    count = int(label.split(": ")[1].split()[0])
    expect(page.locator("h1#summary")).to_contain_text(f"{count} match")


def test_bad_query_shows_a_message(page: Any, base_url: str) -> None:
    from playwright.sync_api import expect

    response = page.goto(base_url + "/?q=%22unclosed")
    assert response is not None and response.status == 400
    expect(page.get_by_role("alert")).to_contain_text("closing quote")
    shot(page, "08-bad-query")


def test_phone_width(phone: Any, base_url: str) -> None:
    from playwright.sync_api import expect

    phone.goto(base_url + "/?q=labour&country=IDN")
    expect(phone.locator("h1#summary")).to_be_visible()
    no_overflow(phone)
    results = phone.locator("#results").bounding_box()
    filters = phone.locator("#filters").bounding_box()
    assert results["y"] < filters["y"], "results come before the filters on a phone"
    assert filters["width"] <= 390
    jump = phone.get_by_role("link", name="Filters", exact=True)
    expect(jump).to_be_visible()
    shot(phone, "09-phone-search")
    shot(phone, "10-phone-search-top", full=False)
    phone.locator(".hit-title a").first.click()
    phone.wait_for_url(re.compile(r"/items/"))
    no_overflow(phone)
    shot(phone, "11-phone-item")
    shot(phone, "12-phone-item-top", full=False)


def test_keyboard(page: Any, base_url: str) -> None:
    from playwright.sync_api import expect

    page.goto(base_url + "/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link").first
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, "the skip link shows when focused"
    shot(page, "13-skip-link", full=False)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("/")
    expect(page.locator("#q")).to_be_focused()
    page.keyboard.type("child labour")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=child\+labour"))
    option = page.locator("a.facet-option").first
    option.focus()
    outline = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.backgroundColor, s.boxShadow]; }"
    )
    assert outline[0] == "rgb(255, 221, 0)" and outline[1] != "none", "focus is visible"
    shot(page, "14-focus", full=False)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"topic="))


def test_works_without_javascript(no_js: Any, base_url: str) -> None:
    from playwright.sync_api import expect

    page = no_js
    page.goto(base_url + "/")
    expect(page.locator("button.copy-link")).to_have_count(0)
    page.fill("#q", "labour")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"q=labour$"))
    page.locator("a.facet-option").first.click()
    page.wait_for_url(re.compile(r"topic="))
    page.fill("#from", "2016-10")
    page.fill("#to", "2017")
    page.get_by_role("button", name="Apply dates").click()
    page.wait_for_url(re.compile(r"from=2016-10&to=2017$"))
    assert "topic=" in page.url and "q=labour" in page.url
    expect(page.locator("a.chip")).to_have_count(3)
    assert page.locator(".hit").count() > 0
    expect(page.locator("#from")).to_have_value("2016-10")
    shot(page, "15-no-javascript")
