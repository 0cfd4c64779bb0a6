"""The public pages under /public in a real headless Chromium (Debian's, through Playwright)
against the real app and graph, with no sign-in: the list, search, a record page at its stable
URL, and a record leaving the pages the day after its publication period ends. Screenshots go to
test-artifacts/public/ (git-ignored)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from credit.core.store import GraphStore
from credit.domain import periods
from credit.intake.pipeline import Intake
from tests import factories as f
from tests.browser import chromium, tab
from tests.conftest import ROOT, serving
from tests.detect_fixtures import load
from tests.test_public_api import BANNED, TODAY, market

ARTIFACTS = ROOT / "test-artifacts" / "public"
expect.set_options(timeout=30_000)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def site(
    store: GraphStore, intake: Intake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    monkeypatch.setenv("CREDIT_PUBLIC_VERSION_TTL_MS", "0")
    monkeypatch.setenv("CREDIT_PUBLIC_AUDIT_LOG", str(tmp_path / "public-audit.jsonl"))
    load(intake, market())
    with serving() as url:
        yield url


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    with tab(browser, ARTIFACTS, request.node.name) as opened:
        yield opened


def test_the_public_list_without_signing_in(site: str, page: Page) -> None:
    page.goto(site + "/public/")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(4)
    expect(page.get_by_test_id("updated")).to_contain_text("数据更新于")
    expect(page.get_by_test_id("updated")).to_contain_text(TODAY.isoformat())
    expect(page.locator("main")).to_contain_text("李专家")
    expect(page.locator("main")).not_to_contain_text(f.make_id_number(5))
    for gone in ("V-ENDED", "V-REPAIRED", "V-OVERTURNED", "L-RETRACTED", "L-COURT"):
        expect(page.locator(f'tr[data-record$="{gone}"]')).to_have_count(0)


def test_search_by_name_and_by_uscc(site: str, page: Page) -> None:
    page.goto(site + "/public/")
    expect(page.locator("tbody tr")).to_have_count(4)
    page.get_by_label("名称或统一社会信用代码 Name or USCC").fill(f"供应商{BANNED}有限")
    page.get_by_role("button", name="查询 Search").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page).to_have_url(
        f"{site}/public/records?q=%E4%BE%9B%E5%BA%94%E5%95%86{BANNED}%E6%9C%89%E9%99%90&list="
    )
    page.get_by_label("名称或统一社会信用代码 Name or USCC").fill(f.make_uscc(6))
    page.get_by_role("button", name="查询 Search").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody")).to_contain_text("财库〔2026〕9号")


def test_a_record_page_at_its_stable_url(site: str, page: Page) -> None:
    page.goto(site + "/public/")
    page.locator('tr[data-record="violation:V-BANNED"] a').click()
    expect(page).to_have_url(site + "/public/records/violation:V-BANNED")
    record = page.get_by_test_id("record")
    expect(record).to_contain_text("财库〔2025〕1号")
    expect(record).to_contain_text("禁止参加政府采购活动")
    expect(record).to_contain_text(f.make_uscc(BANNED))
    expect(page.locator("section.basis")).to_contain_text("行政处罚法")


def test_the_end_of_a_publication_period_removes_a_record(
    site: str, page: Page, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = site + "/public/records/violation:V-ENDS-TODAY"
    page.goto(url)
    expect(page.get_by_test_id("record")).to_contain_text("公示截止期")
    monkeypatch.setattr(periods, "today", lambda: TODAY + timedelta(days=1))  # the next day
    page.reload()
    expect(page.get_by_test_id("withdrawn")).to_contain_text("公示期已满")
    page.goto(site + "/public/")
    expect(page.locator("tbody tr")).to_have_count(3)
    expect(page.locator('tr[data-record="violation:V-ENDS-TODAY"]')).to_have_count(0)
