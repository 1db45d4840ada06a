"""The web playground in a real headless browser (Debian's chromium, driven by
Playwright): load the page, chat, watch the cards stream in, click one for similar
items, follow up; and the eval page draws the latest report."""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from service.api.app import create_app
from tests.integration.api_server import serve
from tests.integration.datasets import make_data

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if not CHROMIUM and os.environ.get("CI") != "true":  # .ci/run installs it; elsewhere it is optional
    pytest.skip("no chromium on this machine (apt-get install chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    settings = make_data(tmp_path_factory.mktemp("play"))
    settings.latest_eval_path.parent.mkdir(parents=True, exist_ok=True)
    settings.latest_eval_path.write_text((ROOT / "results" / "eval_ml.json").read_text())  # a real report
    with serve(create_app(settings)) as url:
        yield url


@pytest.fixture(scope="module")
def page(site):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        yield page
        browser.close()


def test_a_conversation_in_the_browser(site, page):
    page.goto(site + "/")
    page.fill("#message", "an animated film for kids")
    page.click("#send")
    page.wait_for_selector(".turn.assistant[data-done='1']", timeout=60_000)
    cards = page.locator(".turn.assistant").last.locator(".card")
    assert cards.count() == 5
    ids = [cards.nth(i).get_attribute("data-item-id") for i in range(cards.count())]
    assert all(i.startswith("k") for i in ids)  # the kids' films
    assert cards.first.locator(".blurb").inner_text().strip()  # the blurb arrived
    assert "facts" in cards.first.locator(".meta").inner_text()  # no model here: the blurb says facts
    assert "understood (en)" in page.locator(".understood").last.inner_text()

    cards.first.click()  # similar items under the card
    page.wait_for_selector(".card .similar li:nth-child(2)", timeout=30_000)
    assert page.locator(".card .similar li").count() >= 2

    page.fill("#message", "more like the second one")
    page.click("#send")
    page.wait_for_selector(".turn.assistant:nth-of-type(4)[data-done='1']", timeout=60_000)
    follow = page.locator(".turn.assistant").last
    assert f"like {ids[1]}" in follow.locator(".understood").inner_text()
    if os.environ.get("RECS_SCREENSHOT"):
        page.screenshot(path=str(ROOT / "docs" / "playground.png"), full_page=True)


def test_the_eval_page_draws_the_latest_report(site, page):
    page.goto(site + "/playground/eval")
    page.wait_for_selector("#eval-chart svg rect.bar", timeout=30_000)
    names = page.locator("#eval-chart rect.bar").evaluate_all("els => els.map(e => e.dataset.name)")
    assert {"popularity", "cf", "adapted"} <= set(names)
    page.wait_for_selector("#prompts tbody tr")
    assert "rank_listwise" in page.locator("#prompts").inner_text()
