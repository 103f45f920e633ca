"""A graduate searches for jobs on a phone and narrows the list with filters."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.actions import PHONE, sign_in
from tests.conftest import PASSWORD
from tests.employment.test_matching_helpers import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_graduate_searches_and_filters_jobs_on_a_phone(page: Page, tree):
    world = World(tree)
    world.job("Java开发工程师", region="330106", salary=(8000, 12000), majors=[world.cs])
    world.job("Java实习生", region="330203", salary=(3000, 4000))
    world.job("会计", region="330106")
    graduate = world.graduate("phone_grad", major=world.cs)

    sign_in(page, graduate.username, PASSWORD)
    page.goto("/employment/find/")
    page.get_by_test_id("job-q").fill("Java")
    page.get_by_test_id("job-search").click()
    expect(page).to_have_url(re.compile(r"q=Java"))
    items = page.get_by_test_id("job-item")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("Java")

    # The filters fold away on a phone; open them, narrow to 杭州市 and a salary of at least 5,000.
    page.get_by_test_id("job-filters").click()
    page.get_by_test_id("job-region").fill("330100")
    page.get_by_test_id("job-salary-min").fill("5000")
    page.get_by_test_id("job-search").click()
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("Java开发工程师")
    expect(items.first).to_contain_text("杭州市")

    # A bad salary is refused with a message, and the search does not guess.
    page.get_by_test_id("job-salary-min").fill("很多")
    page.get_by_test_id("job-search").click()
    expect(page.get_by_role("alert")).to_be_visible()

    page.get_by_role("link", name="Java开发工程师").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Java开发工程师")
