"""Searching in the browser: suggestions while typing in pinyin initials, a highlighted result, a facet
filter, and the helpful page when nothing matches."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.actions import PHONE
from zhijiao.core import search
from zhijiao.core.search import Document

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def indexed():
    search.index([
        Document("resource", 101, "《勾股定理》第1课时 微课", body="用面积法证明勾股定理。",
                 facets={"type": "video"}, popularity=20, suggest=["勾股定理"]),
        Document("resource", 102, "勾股定理 教学设计", body="勾股定理的教学设计。",
                 facets={"type": "document"}, popularity=5, suggest=["勾股定理"]),
        Document("resource", 103, "光合作用实验视频", facets={"type": "video"}, suggest=["光合作用"]),
    ])


def _search_page(page: Page) -> None:
    page.goto("/resources/search/")
    box = page.get_by_test_id("search-q")
    box.press_sequentially("gg", delay=30)
    suggestions = page.get_by_test_id("search-suggestions")
    expect(suggestions.get_by_role("option", name="勾股定理")).to_be_visible()
    box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_url(re.compile(r"q=%E5%8B%BE"))


def test_learner_types_initials_picks_a_suggestion_and_filters_by_type(page: Page, indexed):
    _search_page(page)
    results = page.get_by_test_id("search-result")
    expect(results).to_have_count(2)
    expect(results.first.locator("mark").first).to_have_text("勾股定理")
    page.locator('a[data-facet="type"][data-value="video"]').click()
    expect(page.get_by_test_id("search-result")).to_have_count(1)
    expect(page.get_by_test_id("search-result").first).to_have_attribute("data-resource", "101")


@pytest.mark.parametrize("viewport", [PHONE])
def test_on_a_phone_nothing_found_shows_help(page: Page, indexed):
    page.goto("/resources/search/?q=zzqq火山")
    expect(page.get_by_test_id("search-empty")).to_be_visible()
    expect(page.get_by_test_id("search-empty").locator('a[href="/resources/browse/"]')).to_be_visible()
