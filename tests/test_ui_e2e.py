"""The pages under /ui in a real headless Chromium (Debian's, driven by Playwright) against the
real app and the real graph: a purchaser signs in, searches, opens a credit report and prints
it to an A4 PDF; a supervisor runs a lot check, explores the violation network and confirms a
flag. Each test leaves a screenshot in test-artifacts/ui/ (git-ignored)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from pypdf import PdfReader

from credit.intake.pipeline import Intake
from credit.periods import today
from credit.security.auth import create_api_key
from credit.security.permissions import Role
from credit.services import get_mapper
from credit.store import GraphStore
from tests import factories as f
from tests.conftest import ROOT, GraphQLClient, serving, token_for
from tests.detect_fixtures import BUYER, buyer, load, lot_flags, suppliers, tender

ARTIFACTS = ROOT / "test-artifacts" / "ui"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
A4_POINTS = (595.92, 842.88)
expect.set_options(timeout=30_000)  # a shared CI machine; waits end as soon as the page is ready
TODAY = today()  # the day in China, as the server counts it
BANNED, LINKED_A, LINKED_B = 3, 1, 2


def _day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def app_url(store: GraphStore) -> Iterator[str]:
    with serving() as url:
        yield url


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh 1366x768 tab; its screenshot is saved as the test's artifact."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    tab = context.new_page()
    yield tab
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def market(intake: Intake) -> None:
    """Lot L1 of purchaser 90: bidders 1 and 2 share a legal representative (Art. 18) and pay
    their deposits from one account; bidder 3 is under a procurement ban until next year."""
    boss = {"person": f.make_id_number(5)}
    deposit = {"deposit_account": "6228 0000 1111"}
    load(
        intake,
        [
            *suppliers(LINKED_A, LINKED_B, BANNED),
            buyer(),
            f.person(5, name="王老板"),
            f.tie("LEGAL_REP_OF", boss, {"org": f.make_uscc(LINKED_A)}),
            f.tie("LEGAL_REP_OF", boss, {"org": f.make_uscc(LINKED_B)}),
            # banned on the lot's bid deadline (2025-03-20), the day a lot check is as of
            f.violation(
                "V1", BANNED, decided_on="2025-03-01", ban_start="2025-03-01", ban_end=_day(300)
            ),
            *tender(
                "L1",
                {LINKED_A: "1000000", LINKED_B: "1043700", BANNED: "1097350"},
                bids={LINKED_A: deposit, LINKED_B: deposit},
            ),
        ],
    )


def sign_in(page: Page, url: str, store: GraphStore, role: Role, name: str) -> None:
    """Through the sign-in form, with an access key as an administrator issues it."""
    _, key = create_api_key(store, name, role, None)
    page.goto(f"{url}/ui/")
    page.get_by_label("访问密钥").fill(key)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("who")).to_contain_text(name)
    expect(page.get_by_test_id("who")).to_contain_text(role.value)


def click_node(page: Page, node_id: str) -> None:
    """A real mouse click where Cytoscape drew the node."""
    graph = page.get_by_test_id("graph")
    box = graph.bounding_box()
    assert box is not None
    at = page.evaluate(
        "(id) => document.querySelector('[data-testid=graph]').cy.getElementById(id)"
        ".renderedPosition()",
        node_id,
    )
    page.mouse.click(box["x"] + at["x"], box["y"] + at["y"])


def supervisor_api(url: str) -> GraphQLClient:
    return GraphQLClient(url, token_for(Role.SUPERVISOR, name="checker"))


def test_a_purchaser_finds_a_supplier_and_prints_its_credit_report_to_an_a4_pdf(
    intake: Intake, store: GraphStore, app_url: str, page: Page
) -> None:
    market(intake)
    sign_in(page, app_url, store, Role.PURCHASER, "采购员李")
    expect(page.get_by_role("link", name=re.compile("关系网络"))).to_have_count(0)  # supervisors'

    page.get_by_label("单位名称").fill("测试供应")  # partial Chinese name
    page.get_by_role("button", name="查询").click()
    row = page.get_by_role("row").filter(has_text=f.make_uscc(BANNED))
    row.get_by_role("link", name=re.compile("信用报告")).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(f"测试供应商{BANNED}有限公司")
    expect(page.get_by_test_id("eligibility")).to_contain_text("不合格")
    expect(page.get_by_role("cell", name=re.compile("第七十七条")).first).to_be_visible()
    expect(page.locator("ol.timeline li")).not_to_have_count(0)
    expect(page.locator("ol.timeline")).to_contain_text("violation:V1")
    check_id = page.get_by_test_id("check-id").inner_text()

    page.evaluate("window.print = () => { document.body.dataset.printed = 'yes'; }")
    page.get_by_test_id("download-pdf").click()  # opens the A4 print (here: stubbed)
    expect(page.locator("body")).to_have_attribute("data-printed", "yes")

    printed = page.pdf(format="A4", print_background=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "credit-report.pdf").write_bytes(printed)
    pdf = PdfReader(io.BytesIO(printed))
    box = pdf.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(A4_POINTS, abs=1)
    text = "".join(p.extract_text() for p in pdf.pages)
    assert check_id in text.replace("\n", "")
    stored = supervisor_api(app_url).ok(
        "query($id: ID!) { checkRecord(id: $id) { verified kind signature keyId } }",
        id=check_id,
    )
    assert stored["checkRecord"]["verified"] is True
    flat = re.sub(r"\s+", "", text)  # the signature's hex is wrapped on the page
    assert stored["checkRecord"]["signature"] in flat
    assert stored["checkRecord"]["keyId"] in flat


def test_a_lot_check_shows_each_bidder_the_art18_conflict_the_flags_and_the_record(
    intake: Intake, store: GraphStore, app_url: str, page: Page
) -> None:
    market(intake)
    sign_in(page, app_url, store, Role.SUPERVISOR, "监管员王")
    page.get_by_role("link", name=re.compile("标段审查")).click()
    page.get_by_label("标段编号").fill("L1")
    page.get_by_role("button", name="审查").click()

    bidders = page.get_by_test_id("bidder")
    expect(bidders).to_have_count(3)
    expect(bidders.filter(has_text=f"测试供应商{BANNED}有限公司")).to_contain_text("不合格")
    check = page.get_by_test_id("lot-check")
    expect(check).to_contain_text("第十八条")
    expect(check.get_by_test_id("check-id")).to_contain_text(re.compile(r"\S+"))
    expect(check.get_by_test_id("check-signature")).to_contain_text(re.compile(r"^[0-9a-f]{100,}$"))
    expect(page.get_by_role("link", name=re.compile("same account")).first).to_be_visible()
    expect(page.get_by_text("变异系数")).to_be_visible()


def test_a_supervisor_explores_and_expands_the_network_by_mouse_and_keyboard(
    intake: Intake, store: GraphStore, app_url: str, page: Page
) -> None:
    market(intake)
    lot_flags(store, "L1")
    sign_in(page, app_url, store, Role.SUPERVISOR, "监管员王")
    page.goto(f"{app_url}/ui/#/network/org:{f.make_uscc(LINKED_A)}@1")
    expect(page.locator("body")).to_have_attribute(
        "data-network-first-render-ms", re.compile(r"\d")
    )
    nodes = page.get_by_test_id("node-list").get_by_role("button")
    before = nodes.count()
    assert page.locator("[data-testid=graph] canvas").count() > 0

    click_node(
        page, get_mapper().person_uid_for(f.make_id_number(5))
    )  # expand by mouse: the boss's other company
    expect(page.get_by_test_id("details-title")).to_contain_text("王老板")
    expect(nodes.filter(has_text=f"测试供应商{LINKED_B}有限公司")).to_have_count(1)
    assert nodes.count() > before
    expect(nodes.filter(has_text=f"测试供应商{LINKED_A}有限公司")).to_contain_text("flagged")

    nodes.filter(has_text=f"测试供应商{LINKED_B}有限公司").focus()
    page.keyboard.press("Enter")  # expand by keyboard: its bid appears
    expect(nodes.filter(has_text=f"L1-B{LINKED_B}")).to_have_count(1)

    page.get_by_label("LEGAL_REP_OF").uncheck()  # filter by relationship type
    expect(nodes.filter(has_text="王老板")).to_have_count(0)
    page.get_by_label("LEGAL_REP_OF").check()
    page.get_by_label("至").fill("2020-01-01")  # time window: the bids of 2025 leave
    expect(nodes.filter(has_text=f"L1-B{LINKED_B}")).to_have_count(0)
    page.get_by_label("至").fill("")
    expect(nodes.filter(has_text=f"L1-B{LINKED_B}")).to_have_count(1)

    page.get_by_label("起点").fill(f.make_uscc(BANNED))
    page.get_by_role("button", name="打开").click()
    expect(nodes.filter(has_text=f"测试供应商{BANNED}有限公司")).to_contain_text("banned")


def test_a_supervisor_confirms_a_flag_with_a_reason_and_the_review_is_on_record(
    intake: Intake, store: GraphStore, app_url: str, page: Page
) -> None:
    market(intake)
    (flag,) = lot_flags(store, "L1", "SAME_DEPOSIT_ACCOUNT")
    sign_in(page, app_url, store, Role.SUPERVISOR, "监管员王")
    page.get_by_role("link", name=re.compile("预警复核")).click()
    page.get_by_label("模式").select_option("SAME_DEPOSIT_ACCOUNT")
    page.get_by_role("button", name="筛选").click()
    page.get_by_test_id("flag-link").filter(has_text="same account").click()

    expect(page.get_by_test_id("flag-status")).to_have_attribute("data-status", "OPEN")
    expect(page.locator("[data-testid=evidence-graph] canvas").first).to_be_attached()
    expect(page.locator(".chart canvas")).to_have_count(1)
    page.get_by_role("radio", name="确认").check()
    page.get_by_label("理由").fill("两家投标保证金从同一账户转出，与供应商核实属实。")
    page.get_by_role("button", name="提交复核").click()
    expect(page.get_by_test_id("flag-status")).to_have_attribute("data-status", "CONFIRMED")

    found: dict[str, Any] = supervisor_api(app_url).ok(
        "query($id: ID!) { flag(id: $id) { status reviews { decision reason reviewerName } } }",
        id=flag.uid,
    )["flag"]
    assert found["status"] == "CONFIRMED"
    (review,) = found["reviews"]
    assert review["decision"] == "CONFIRM" and review["reviewerName"] == "监管员王"
    assert review["reason"].startswith("两家投标保证金")


def test_the_network_explorer_first_render_for_a_200_node_neighbourhood_is_measured(
    intake: Intake, store: GraphStore, app_url: str, page: Page
) -> None:
    """Supplier 1 bid on 120 lots: at depth 2 its neighbourhood is cut at 200 nodes. The time
    from navigation to Cytoscape's first render is written next to the screenshot (no
    threshold: speed is reported, not asserted)."""
    lots = [f"L{k:03d}" for k in range(120)]
    records: list[dict[str, Any]] = [*suppliers(1), buyer(), f.project("P-BIG", BUYER)]
    for lid in lots:
        records += [f.lot(lid, "P-BIG"), f.bid(f"{lid}-B1", lid, 1, "1000000")]
    load(intake, records)
    sign_in(page, app_url, store, Role.SUPERVISOR, "监管员王")
    runs = []
    for _ in range(3):  # fresh navigations: load, query, layout, first frame
        page.goto("about:blank")
        page.goto(f"{app_url}/ui/#/network/org:{f.make_uscc(1)}@2")
        body = page.locator("body")
        expect(body).to_have_attribute("data-network-first-render-ms", re.compile(r"\d"))
        assert body.get_attribute("data-network-nodes") == "200"
        runs.append(
            (
                int(body.get_attribute("data-network-first-render-ms") or 0),
                body.get_attribute("data-network-timings"),
            )
        )
    expect(page.get_by_test_id("network-status")).to_contain_text("200")
    median = sorted(ms for ms, _ in runs)[1]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    Path(ARTIFACTS / "network-200-first-render.txt").write_text(
        f"first render of a 200-node neighbourhood, median of 3: {median} ms from navigation\n"
        + "".join(f"  {ms} ms ({timings})\n" for ms, timings in runs)
    )


def test_a_purchaser_signs_in_and_checks_a_lot_with_the_keyboard_alone(
    intake: Intake, store: GraphStore, app_url: str, page: Page
) -> None:
    market(intake)
    _, key = create_api_key(store, "采购员李", Role.PURCHASER, None, f.make_uscc(BUYER))
    page.goto(f"{app_url}/ui/")
    page.keyboard.type(key)  # the access-key field has the focus
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("who")).to_contain_text("采购员李")
    for _ in range(15):  # tab order: the search field, out, skip link, brand, navigation
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href')") == "#/lot":
            break
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # focus is visible
    page.keyboard.press("Enter")
    expect(page.get_by_label("标段编号")).to_be_focused()
    page.keyboard.type("L1")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("bidder")).to_have_count(3)
    page.get_by_role("link", name=re.compile("测试供应商1有限公司")).first.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("eligibility")).to_be_visible()
