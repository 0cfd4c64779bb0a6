"""The shared sections of a mixed-up documents flag, readable on the lot check page and on the
flag page, in the real browser against the real app (fixtures of tests/test_ui_e2e.py)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from credit.core.store import GraphStore
from credit.intake.pipeline import Intake
from credit.security.permissions import Role
from tests import factories as f
from tests.detect_fixtures import BUYER, buyer, load, lot_flags, suppliers, tender
from tests.test_detect_mixed_documents import fields
from tests.test_ui_e2e import app_url, browser, page, sign_in  # noqa: F401 - fixtures


def test_a_purchaser_reads_which_sections_two_bidders_share_on_the_lot_and_the_flag(
    intake: Intake,
    store: GraphStore,
    app_url: str,  # noqa: F811 - the fixture
    page: Page,  # noqa: F811 - the fixture
) -> None:
    prices = {1: "1000000", 2: "1043700", 3: "1097350"}
    bids = {1: fields(10, 12), 2: fields(20, 12), 3: fields(30)}
    load(intake, [*suppliers(1, 2, 3), buyer(), *tender("L1", prices, bids=bids)])
    (flag,) = lot_flags(store, "L1", "MIXED_DOCUMENTS")
    sign_in(page, app_url, store, Role.PURCHASER, "采购员李", f.make_uscc(BUYER))
    page.get_by_role("link", name=re.compile("标段审查")).click()
    page.get_by_label("标段编号").fill("L1")
    page.get_by_role("button", name="审查").click()

    shown = page.get_by_test_id("shared-sections")
    expect(shown).to_contain_text("共用的文件章节")
    expect(shown).to_contain_text("第2章 章节12")
    expect(shown).to_contain_text("测试供应商1有限公司")
    expect(shown).to_contain_text("测试供应商2有限公司")
    expect(shown).not_to_contain_text("测试供应商3有限公司")

    page.goto(f"{app_url}/ui/#/flags/{flag.uid}")
    expect(page.get_by_test_id("flag-status")).to_have_attribute("data-status", "OPEN")
    expect(page.get_by_test_id("shared-sections")).to_contain_text("第2章 章节12")
    expect(page.get_by_test_id("shared-sections")).to_contain_text("测试供应商2有限公司")
