"""The pages under /ui in a real headless Chromium (Debian's, driven by Playwright) against the
real app and the real graph: a purchaser signs in, searches, opens a credit report and prints
it to an A4 PDF; a supervisor runs a lot check, explores the violation network and confirms a
flag. Each test leaves a screenshot in test-artifacts/ui/ (git-ignored)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from credit.core.store import GraphStore
from credit.core.wiring import get_mapper
from credit.domain.periods import today
from credit.intake.pipeline import Intake
from credit.security.auth import create_api_key
from credit.security.permissions import Role
from tests import factories as f
from tests.browser import chromium, tab
from tests.conftest import ROOT, GraphQLClient, serving, token_for
from tests.detect_fixtures import BUYER, buyer, load, lot_flags, suppliers, tender

ARTIFACTS = ROOT / "test-artifacts" / "ui"
A4_POINTS = (595.92, 842.88)
expect.set_options(timeout=30_000)  # a shared CI machine; waits end as soon as the page is ready
TODAY = today()  # the day in China, as the server counts it
BANNED, LINKED_A, LINKED_B = 3, 1, 2


def _day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def app_url(store: GraphStore) -> Iterator[str]:
    with serving() as url:
        yield url


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh 1366x768 tab; its screenshot is saved as the test's artifact."""
    with tab(browser, ARTIFACTS, request.node.name) as opened:
        yield opened


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


def sign_in(
    page: Page, url: str, store: GraphStore, role: Role, name: str, org: str | None = None
) -> str:
    """Through the sign-in form, with an access key as an administrator issues it (a
    purchaser's or agency's names its unit); returns the key."""
    _, key = create_api_key(store, name, role, None, org)
    page.goto(f"{url}/ui/")
    page.get_by_label("访问密钥").fill(key)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("who")).to_contain_text(name)
    expect(page.get_by_test_id("who")).to_contain_text(role.value)
    return key


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

    page.get_by_role("link", name=re.compile("^查询")).click()
    page.get_by_label("单位名称").fill("测试供应")  # partial Chinese name
    page.get_by_role("button", name="查询").click()
    row = page.get_by_role("row").filter(has_text=f.make_uscc(BANNED))
    row.get_by_role("link", name=re.compile("信用报告")).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(f"测试供应商{BANNED}有限公司")
    page.get_by_test_id("run-check").click()  # the check is filed when asked for
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
    # the reasons and the Art. 18 finding read in Chinese first, the API's English beside
    expect(check).to_contain_text("单位负责人或法定代表人为同一人")
    expect(check).to_contain_text("has the same responsible person")
    expect(bidders.filter(has_text=f"测试供应商{BANNED}有限公司")).to_contain_text("含首尾两日")
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

    page.get_by_label("法定代表人").uncheck()  # filter by relationship type (LEGAL_REP_OF)
    expect(nodes.filter(has_text="王老板")).to_have_count(0)
    page.get_by_label("法定代表人").check()
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
    page.get_by_label("确认时生成违法记录草稿").check()
    page.get_by_role("button", name="提交复核").click()
    expect(page.get_by_test_id("flag-status")).to_have_attribute("data-status", "CONFIRMED")
    done = page.get_by_test_id("review-done")  # says what happened, links the draft
    expect(done).to_contain_text("已提交复核：确认")
    expect(done).to_contain_text("已确认")
    expect(done).to_contain_text("违法记录草稿")
    expect(done.get_by_test_id("draft-link").first).to_have_attribute(
        "href", re.compile(r"^#/report/\w{18}$")
    )

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
    page.get_by_test_id("run-check").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("eligibility")).to_be_visible()


# --- issue 17: pages a purchaser can work with -------------------------------------------------

OTHER_BUYER = 91
MM = 72 / 25.4  # points per millimetre
FOOTER_MARGIN_MM = 22  # the A4 page's bottom margin in web/src/style.css, where the footer sits


def flagged_market(intake: Intake, **supplier: Any) -> None:
    """Lot L2 of purchaser 90: bidders 11 and 12 pay their deposits from one account (a flag,
    no Art. 18 tie); bidder 13 is banned; bidder 14 is clean."""
    deposit = {"deposit_account": "6228 0000 2222"}
    load(
        intake,
        [
            *suppliers(11, 12, 13, 14, **supplier),
            buyer(),
            f.violation(
                "V13", 13, decided_on="2025-03-01", ban_start="2025-03-01", ban_end=_day(300)
            ),
            *tender(
                "L2",
                {11: "1000000", 12: "1043700", 13: "1097350", 14: "1120000"},
                bids={11: deposit, 12: deposit},
            ),
        ],
    )


def lot_checks_requested(page: Page) -> list[str]:
    """Every lotEligibility request the page sends (each one files a check record)."""
    sent: list[str] = []
    page.on(
        "request",
        lambda r: (
            sent.append(r.url)
            if r.url.endswith("/graphql") and "lotEligibility" in (r.post_data or "")
            else None
        ),
    )
    return sent


def test_each_bidder_row_carries_its_flags_and_the_lot_has_one_verdict(
    intake: Intake, store: GraphStore, app_url: str, page: Page
) -> None:
    flagged_market(intake)
    sign_in(page, app_url, store, Role.PURCHASER, "采购员李", f.make_uscc(BUYER))
    page.goto(f"{app_url}/ui/#/lot/L2/check")

    verdict = page.get_by_test_id("lot-verdict")
    expect(verdict).to_contain_text("1 家不得参加，2 家需复核，1 家可参加")
    expect(verdict.locator(".verdict-group-exclude")).to_contain_text("测试供应商13有限公司")
    expect(verdict.locator(".verdict-group-review")).to_contain_text("保证金从同一账户转出")
    bidders = page.get_by_test_id("bidder")
    expect(bidders).to_have_count(4)
    # ineligible first, then the flagged ones, then the clean one
    order = [bidders.nth(i).get_attribute("data-verdict") for i in range(4)]
    assert order == ["EXCLUDE", "REVIEW", "REVIEW", "CLEAR"]
    expect(bidders.nth(0)).to_contain_text("测试供应商13有限公司")
    expect(bidders.nth(3)).to_contain_text("测试供应商14有限公司")
    for i in (1, 2):  # the flag sits next to the (eligible) decision: pattern, confidence, basis
        row = bidders.nth(i)
        expect(row).to_contain_text("合格")
        expect(row.get_by_test_id("bidder-flag")).to_contain_text("保证金从同一账户转出")
        expect(row).to_contain_text(re.compile(r"\d+%"))
        expect(row).to_contain_text("财政部令第87号")
    expect(bidders.nth(3)).to_contain_text("无不利记录、无预警")
    # the lot's flags table names the suppliers it is about
    flags_table = page.get_by_role("table").filter(has_text="本标段预警")
    expect(flags_table).to_contain_text("测试供应商11有限公司")


def test_a_purchaser_home_lists_its_lots_upcoming_first_and_search_finds_numbers(
    intake: Intake, store: GraphStore, app_url: str, page: Page
) -> None:
    soon, later, past = _day(5), _day(30), "2025-03-20"
    load(
        intake,
        [
            *suppliers(1, 2),
            buyer(),
            buyer(OTHER_BUYER),
            *tender("L-PAST", {1: "100000"}, day=past),
            *tender("L-LATER", {1: "100000", 2: "110000"}, day=later, awarded=False),
            *tender("L-SOON", {2: "100000"}, day=soon, awarded=False),
            *tender("L-OTHER", {1: "100000"}, day=soon, purchaser=OTHER_BUYER, awarded=False),
        ],
    )
    sign_in(page, app_url, store, Role.PURCHASER, "采购员李", f.make_uscc(BUYER))
    expect(page.get_by_test_id("unit")).to_contain_text(f"采购人{BUYER}")  # the header's unit
    lots = page.get_by_test_id("my-lots").get_by_role("row")
    expect(lots).to_have_count(4)  # the header row and this unit's three lots
    assert [lots.nth(i).locator("code").first.inner_text() for i in (1, 2, 3)] == [
        "L-SOON",
        "L-LATER",
        "L-PAST",
    ]
    expect(lots.nth(1)).to_contain_text("北京时间")
    lots.nth(1).get_by_test_id("check-lot").click()  # one click: the check runs
    expect(page.get_by_test_id("lot-verdict")).to_contain_text("可参加")
    expect(page.get_by_test_id("check-id")).to_contain_text("check:")

    page.get_by_role("link", name=re.compile("^查询")).click()
    page.get_by_label("项目编号").fill("P-L-LATER")  # a project number
    page.get_by_role("button", name="查询").click()
    project = page.get_by_test_id("project-details")
    expect(project).to_contain_text("P-L-LATER")
    expect(project.get_by_test_id("check-lot")).to_have_count(1)
    page.get_by_label("项目编号").fill("L-SOON")  # a lot id
    page.get_by_role("button", name="查询").click()
    lot = page.get_by_test_id("lot-details").first
    expect(lot).to_contain_text("L-SOON")
    expect(lot).to_contain_text("项目P-L-SOON")
    expect(lot).to_contain_text(f"采购人{BUYER}")
    expect(lot).to_contain_text("北京时间")


def test_my_lots_are_the_units_own_as_purchaser_or_agency(
    intake: Intake, store: GraphStore, api_url: str
) -> None:
    load(
        intake,
        [
            *suppliers(1),
            buyer(),
            buyer(OTHER_BUYER),
            buyer(92),
            *tender("L-A", {1: "100000"}, project={"agency": f.make_uscc(92)}),
            *tender("L-B", {1: "100000"}, purchaser=OTHER_BUYER),
        ],
    )
    query = "{ myLots(first: 10) { nodes { lotId } } }"

    def mine(role: Role, org: str | None) -> list[str]:
        client = GraphQLClient(api_url, token_for(role, org=org))
        return [n["lotId"] for n in client.ok(query)["myLots"]["nodes"]]

    assert mine(Role.PURCHASER, f.make_uscc(BUYER)) == ["L-A"]
    assert mine(Role.PURCHASER, f.make_uscc(OTHER_BUYER)) == ["L-B"]
    assert mine(Role.AGENCY, f.make_uscc(92)) == ["L-A"]
    assert mine(Role.AGENCY, f.make_uscc(BUYER)) == []  # buying is not running
    assert mine(Role.SUPERVISOR, None) == []  # no unit: supervisors search instead


def test_going_back_keeps_the_lot_check_and_files_no_new_record(
    intake: Intake, store: GraphStore, app_url: str, page: Page
) -> None:
    market(intake)
    sign_in(page, app_url, store, Role.SUPERVISOR, "监管员王")
    sent = lot_checks_requested(page)
    page.get_by_role("link", name=re.compile("标段审查")).click()
    page.get_by_label("标段编号").fill("L1")
    page.get_by_role("button", name="审查").click()
    expect(page.get_by_test_id("check-filed")).to_contain_text("已归档")
    filed = page.get_by_test_id("check-id").inner_text()
    assert len(sent) == 1

    page.get_by_role("link", name=f"测试供应商{BANNED}有限公司").first.click()
    expect(page.get_by_test_id("check-not-run")).to_be_visible()  # opening a report files nothing
    page.go_back()
    expect(page.get_by_test_id("check-filed")).to_contain_text("未重新归档")
    assert page.get_by_test_id("check-id").inner_text() == filed
    expect(page.get_by_test_id("bidder")).to_have_count(3)
    page.reload()  # a reload is a return too
    expect(page.get_by_test_id("check-filed")).to_contain_text("未重新归档")
    assert len(sent) == 1  # nothing new was filed

    page.get_by_test_id("run-again").click()  # asked for: filed
    expect(page.get_by_test_id("check-filed")).to_contain_text("本次审查已归档")
    expect(page.get_by_test_id("check-id")).not_to_have_text(filed)
    assert len(sent) == 2
    page.goto(f"{app_url}/ui/#/lot/L1@2025-03-01")  # other dates: not filed until asked
    expect(page.get_by_test_id("check-not-run")).to_be_visible()
    assert len(sent) == 2


def _page_text_positions(pdf_page: Any) -> list[tuple[float, str]]:
    """Each text run of a page with its baseline's height above the bottom edge, in points."""
    found: list[tuple[float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: Any) -> None:
        if text.strip():
            # NFKC: the PDF's font maps some characters to look-alike radicals (⽤ for 用)
            found.append(
                (tm[4] * cm[1] + tm[5] * cm[3] + cm[5], unicodedata.normalize("NFKC", text))
            )

    pdf_page.extract_text(visitor_text=visit)
    return found


def _text_positions(pdf: PdfReader) -> list[list[tuple[float, str]]]:
    return [_page_text_positions(p) for p in pdf.pages]


def test_the_a4_printout_leads_with_the_verdict_and_its_footer_never_overlaps(
    intake: Intake, store: GraphStore, app_url: str, page: Page
) -> None:
    """A supplier with a long score timeline: the printout runs over several pages. Every
    page carries the check record's id in its bottom margin, below all content; page 1 leads
    with the subject, the verdict, the reasons and basis and the check record."""
    market(intake)
    load(
        intake,
        [
            {
                k: v
                for k, v in f.violation(
                    f"VX{n}",
                    BANNED,
                    decided_on=f"2024-{n:02d}-01",
                    decision_number=f"财库〔2024〕{n}号",
                    category="BREACH_OF_CONTRACT",
                    severity="GENERAL",
                    penalty_types=["FINE"],
                ).items()
                if k not in ("ban_start", "ban_end")
            }
            for n in range(1, 13)
        ],
    )
    sign_in(page, app_url, store, Role.PURCHASER, "采购员李")
    page.goto(f"{app_url}/ui/#/report/{f.make_uscc(BANNED)}/check")
    expect(page.get_by_test_id("eligibility")).to_contain_text("不合格")
    expect(page.locator("ol.timeline li")).not_to_have_count(0)
    check_id = page.get_by_test_id("check-id").inner_text()

    rule = page.evaluate("document.getElementById('print-footer').textContent")
    expected = re.sub(r"\s", "", re.search(r'content: "(.*)"', rule).group(1))  # type: ignore[union-attr]
    printed = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "printout.pdf").write_bytes(printed)
    pdf = PdfReader(io.BytesIO(printed))
    assert len(pdf.pages) >= 2, "the timeline runs over more than one page"
    positions = _text_positions(pdf)
    margin = FOOTER_MARGIN_MM * MM
    for number, runs in enumerate(positions, start=1):
        footer = "".join(t for y, t in runs if y < margin).replace("\n", "")
        body = [t for y, t in runs if y >= margin]
        # the footer is in the bottom margin of every page: the record id and the page number
        assert check_id in footer, f"page {number} has no footer"
        assert f"{number} / {len(pdf.pages)}" in footer
        # and nothing else is: the margin holds the footer alone, the content stays above it
        rest = re.sub(r"\s", "", footer).replace(expected, "")
        assert re.fullmatch(r"第\d+/\d+[页⻚]", rest), f"page {number}: {rest!r} in the margin"
        assert not any("· SHA-256" in t for t in body), f"page {number}: footer over content"
    first = "".join(t for _, t in sorted(positions[0], key=lambda r: -r[0]))
    for lead in ("信用报告", f"测试供应商{BANNED}有限公司", "当前参与资格", "不合格", "第七十七条"):
        assert lead in first, f"page 1 leads with {lead}"
    assert check_id in first.replace("\n", "")
    assert first.index("当前参与资格") < first.index("评分说明") if "评分说明" in first else True
    # pictures of every page, to look at (pdftoppm: Debian's poppler-utils, make test-deps)
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm is missing: run make test-deps"
    subprocess.run(
        [
            pdftoppm,
            "-r",
            "60",
            "-png",
            str(ARTIFACTS / "printout.pdf"),
            str(ARTIFACTS / "printout"),
        ],
        check=True,
        timeout=120,
    )
    assert len(list(ARTIFACTS.glob("printout-*.png"))) >= len(pdf.pages)


def test_errors_read_as_one_message_and_an_expired_session_keeps_the_typed_reason(
    intake: Intake, store: GraphStore, app_url: str, page: Page
) -> None:
    market(intake)
    (flag,) = lot_flags(store, "L1", "SAME_DEPOSIT_ACCOUNT")
    key = sign_in(page, app_url, store, Role.SUPERVISOR, "监管员王")
    page.goto(f"{app_url}/ui/#/lot/NOPE-1234")
    expect(page.get_by_role("alert")).to_have_count(1)
    expect(page.get_by_role("alert")).to_contain_text("未找到该标段 No such lot")

    page.goto(f"{app_url}/ui/#/report/12345")  # not a USCC
    expect(page.get_by_role("alert")).to_have_count(1)
    expect(page.get_by_role("alert")).to_contain_text("统一社会信用代码无效")
    expect(page.get_by_test_id("download-pdf")).to_have_count(0)

    page.goto(f"{app_url}/ui/#/search")
    assert page.get_by_label("单位名称").get_attribute("maxlength") == "100"  # the API's limit

    page.goto(f"{app_url}/ui/#/flags/{flag.uid}")
    page.get_by_role("radio", name="确认").check()
    reason = "两家投标保证金从同一账户转出，已与开户行核实。"
    page.get_by_label("理由").fill(reason)
    page.evaluate(  # the working day is over
        "() => { const k = 'credit.session'; const s = JSON.parse(sessionStorage.getItem(k));"
        " s.expiresAt = '2000-01-01T00:00:00Z'; sessionStorage.setItem(k, JSON.stringify(s)); }"
    )
    page.get_by_role("button", name="提交复核").click()
    expect(page.get_by_test_id("expired")).to_contain_text("登录已过期")
    page.get_by_label("访问密钥").fill(key)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_label("理由")).to_have_value(reason)


def test_skip_link_small_screens_icon_and_a_purchasers_header(
    intake: Intake, store: GraphStore, app_url: str, browser: Browser
) -> None:
    flagged_market(intake)
    assert httpx.get(f"{app_url}/favicon.ico").status_code == 200
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        sign_in(page, app_url, store, Role.PURCHASER, "采购员李", f.make_uscc(BUYER))
        expect(page.get_by_test_id("unit")).to_contain_text(f"采购人{BUYER}")
        expect(page.get_by_role("link", name=re.compile("预警复核"))).to_have_count(0)
        page.get_by_role("link", name=re.compile("^查询")).click()
        expect(page.get_by_label("单位名称")).to_be_focused()
        heading = page.get_by_role("heading", level=1)
        page.locator("[data-skip]").focus()
        page.keyboard.press("Enter")
        expect(heading).to_be_focused()
        assert page.evaluate("location.hash") == "#/search"  # the skip link is no route
        assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "none"
        button = page.get_by_role("button", name="查询").bounding_box()
        assert button is not None and button["x"] + button["width"] <= 390
        page.goto(f"{app_url}/ui/#/lot/L2/check")
        expect(page.get_by_test_id("bidder")).to_have_count(4)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the lot check is {width} px wide at 390"
        page.screenshot(path=str(ARTIFACTS / "lot-check-390px.png"), full_page=True)
        assert not errors, errors
    finally:
        context.close()


def test_the_pages_show_labels_and_beijing_time_not_codes(
    intake: Intake, store: GraphStore, app_url: str, page: Page
) -> None:
    flagged_market(intake)
    sign_in(page, app_url, store, Role.SUPERVISOR, "监管员王")
    page.goto(f"{app_url}/ui/#/lot/L2/check")
    expect(page.get_by_test_id("bidder")).to_have_count(4)
    text = page.locator("main").inner_text()
    assert "有效 Valid" in text and "\nVALID" not in text  # bid status
    assert "2025-03-20 09:30:00 北京时间 (UTC+8)" in text  # the deadline, with its zone
    assert "T09:30:00" not in text
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d", text), "no fractions of a second"
    assert "保证金从同一账户转出" in text  # the pattern, not SAME_DEPOSIT_ACCOUNT
    assert "禁止参加政府采购期间" in text  # the reason's label
    page.goto(f"{app_url}/ui/#/report/{f.make_uscc(13)}")
    expect(page.get_by_role("table").filter(has_text="违法记录")).to_contain_text("有效 Active")


def test_the_explorer_puts_hubs_shared_by_several_organisations_first(
    intake: Intake, store: GraphStore, app_url: str, page: Page
) -> None:
    """Supplier 21 gives its own phone on its three bids (one organisation: no lead);
    suppliers 22 and 23 give one phone on theirs (two organisations: what a supervisor looks
    for). Expanding the shared phone adds nothing new, and the page says so."""
    own, shared = {"contact_phone": "0571-0021"}, {"contact_phone": "0571-9999"}
    load(
        intake,
        [
            *suppliers(21, 22, 23),
            buyer(),
            *tender(
                "LX",
                {21: "100000", 22: "101000", 23: "102000"},
                bids={21: own, 22: shared, 23: shared},
            ),
            *tender("LY", {21: "100000"}, bids={21: own}),
            *tender("LZ", {21: "100000"}, bids={21: own}),
        ],
    )
    sign_in(page, app_url, store, Role.SUPERVISOR, "监管员王")
    page.goto(f"{app_url}/ui/#/network/lot:LX@3")
    nodes = page.get_by_test_id("node-list").get_by_role("button")
    expect(nodes.filter(has_text="9999")).to_have_count(1)
    expect(nodes.first).to_contain_text("9999")
    expect(nodes.first).to_contain_text("2 家共用")
    expect(nodes.filter(has_text="0021")).not_to_contain_text("家共用")
    expect(nodes.last).to_contain_text("0021")  # one organisation's own phone comes last
    own = page.evaluate(
        "() => document.querySelector('[data-testid=graph]').cy.nodes('.hub.own').map(n => n.id())"
    )
    assert len(own) == 1 and "9999" not in own[0], own  # drawn small, not as a shared hub
    expect(page.get_by_label("法定代表人")).to_have_count(0)  # only the types present
    expect(page.locator(".types")).to_contain_text("联系电话")  # relationship types in Chinese

    nodes.filter(has_text="9999").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("details-title")).to_contain_text("9999")
    expect(page.get_by_test_id("details-title").locator("..")).to_contain_text("2 家单位共用")
    expect(page.get_by_test_id("nothing-new")).to_contain_text("没有新的节点")
    expect(nodes.filter(has_text="9999")).to_be_focused()  # Enter keeps the focus on the node

    expect(page.get_by_test_id("folded")).to_contain_text("已并入所属标段")  # bids fold into LX
    expect(nodes.filter(has_text="LX-B22")).to_have_count(0)
    page.get_by_label("单独显示").check()  # asked for: the bids are nodes again
    expect(nodes.filter(has_text="LX-B22")).to_have_count(1)
    expect(page.get_by_test_id("folded")).to_have_text("")


def test_the_explorer_folds_bids_awards_and_contracts_into_their_lot_unless_asked(
    intake: Intake, store: GraphStore, app_url: str, page: Page
) -> None:
    """From lot L1 at depth 2 a supervisor sees the bidders, the shared deposit account and
    the winner tied to the lot, not one node per bid and award; the account hangs on both
    bidders that paid from it. Expanding a bid-only neighbour says what was folded."""
    market(intake)
    sign_in(page, app_url, store, Role.SUPERVISOR, "监管员王")
    page.goto(f"{app_url}/ui/#/network/lot:L1@2")
    nodes = page.get_by_test_id("node-list").get_by_role("button")
    expect(nodes.filter(has_text="1111")).to_have_count(1)  # the shared deposit account
    expect(nodes.first).to_contain_text("2 家共用")
    for n in (LINKED_A, LINKED_B, BANNED):
        expect(nodes.filter(has_text=f"测试供应商{n}有限公司")).to_have_count(1)
    expect(nodes.filter(has_text="L1-B")).to_have_count(0)  # no bid nodes
    expect(page.get_by_test_id("folded")).to_contain_text("已并入所属标段")
    edges = page.evaluate(
        "() => document.querySelector('[data-testid=graph]').cy.edges('.folded:visible')"
        ".map(e => [e.data('type'), e.source().id(), e.target().id()])"
    )
    payers = {s for kind, s, _ in edges if kind == "DEPOSIT_FROM"}  # the account hangs on both
    assert payers == {f"org:{f.make_uscc(LINKED_A)}", f"org:{f.make_uscc(LINKED_B)}"}, edges
    assert ("SUBMITTED", f"org:{f.make_uscc(BANNED)}", "lot:L1") in [tuple(e) for e in edges]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "explorer-folded.png"), full_page=True)

    page.get_by_label("单独显示").check()
    expect(nodes.filter(has_text="L1-B")).not_to_have_count(0)
    page.get_by_label("单独显示").uncheck()
    expect(nodes.filter(has_text="L1-B")).to_have_count(0)


def test_a_credit_report_files_a_check_only_when_asked_and_keeps_it_on_return(
    intake: Intake, store: GraphStore, app_url: str, page: Page
) -> None:
    market(intake)
    sign_in(page, app_url, store, Role.PURCHASER, "采购员李")
    sent: list[str] = []
    page.on(
        "request",
        lambda r: (
            sent.append(r.url)
            if r.url.endswith("/graphql") and "supplierEligibility" in (r.post_data or "")
            else None
        ),
    )
    page.goto(f"{app_url}/ui/#/report/{f.make_uscc(BANNED)}")
    expect(page.get_by_test_id("check-not-run")).to_be_visible()
    expect(page.get_by_test_id("download-pdf")).to_be_disabled()  # no check, nothing to file
    expect(page.get_by_test_id("grade")).to_be_visible()  # the rest of the report is there
    assert sent == []

    page.get_by_test_id("run-check").click()
    expect(page.get_by_test_id("check-filed")).to_contain_text("本次查询已归档")
    filed = page.get_by_test_id("check-id").inner_text()
    expect(page.get_by_test_id("download-pdf")).to_be_enabled()
    assert len(sent) == 1

    page.get_by_role("link", name=re.compile("^查询")).click()
    expect(page.get_by_label("单位名称")).to_be_visible()
    page.go_back()  # returning keeps the result
    expect(page.get_by_test_id("check-filed")).to_contain_text("未重新归档")
    assert page.get_by_test_id("check-id").inner_text() == filed
    page.reload()
    expect(page.get_by_test_id("check-filed")).to_contain_text("未重新归档")
    assert len(sent) == 1

    page.get_by_test_id("run-again").click()  # asked for again: a new record
    expect(page.get_by_test_id("check-filed")).to_contain_text("本次查询已归档")
    expect(page.get_by_test_id("check-id")).not_to_have_text(filed)
    assert len(sent) == 2


def test_the_flag_queue_shows_the_total_and_a_purchaser_counts_only_its_own(
    intake: Intake, store: GraphStore, app_url: str, page: Page
) -> None:
    market(intake)
    flagged_market(intake)
    found = [*lot_flags(store, "L1"), *lot_flags(store, "L2")]
    assert len(found) >= 3
    api = supervisor_api(app_url)
    one = api.ok("{ flags(first: 1) { totalCount nodes { id } pageInfo { hasNextPage } } }")
    assert one["flags"]["totalCount"] == len(found)  # all of them, not the page of one
    assert len(one["flags"]["nodes"]) == 1 and one["flags"]["pageInfo"]["hasNextPage"]
    deposit = api.ok(
        '{ flags(first: 1, filter: { pattern: "SAME_DEPOSIT_ACCOUNT" }) { totalCount } }'
    )
    assert deposit["flags"]["totalCount"] == sum(x.pattern == "SAME_DEPOSIT_ACCOUNT" for x in found)
    stranger = GraphQLClient(app_url, token_for(Role.PURCHASER, org=f.make_uscc(OTHER_BUYER)))
    assert stranger.ok("{ flags { totalCount } }")["flags"]["totalCount"] == 0

    sign_in(page, app_url, store, Role.SUPERVISOR, "监管员王")
    page.get_by_role("link", name=re.compile("预警复核")).click()
    expect(page.get_by_test_id("flag-count")).to_contain_text(f"共 {len(found)} 条")
    page.get_by_label("模式").select_option("SAME_DEPOSIT_ACCOUNT")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_test_id("flag-count")).to_contain_text(
        f"共 {deposit['flags']['totalCount']} 条"
    )
    # the finding reads in Chinese first, the API's English beside
    expect(page.get_by_role("table")).to_contain_text("待复核 Open")
    page.get_by_test_id("flag-link").first.click()
    expect(page.get_by_test_id("flag-status")).to_contain_text("共用：同一保证金账户")
    expect(page.get_by_test_id("flag-status")).to_contain_text("share the same deposit account")


def test_the_report_reads_in_chinese_regions_reasons_and_caps(
    intake: Intake, store: GraphStore, app_url: str, page: Page
) -> None:
    """A region as its GB/T 2260 names, score reasons and findings in Chinese with the API's
    English beside, and no raw codes in the report's text."""
    flagged_market(intake, region="330106")
    lot_flags(store, "L2")
    sign_in(page, app_url, store, Role.SUPERVISOR, "监管员王")
    page.goto(f"{app_url}/ui/#/report/{f.make_uscc(13)}/check")
    expect(page.get_by_test_id("eligibility")).to_contain_text("不合格")
    expect(page.get_by_test_id("region")).to_contain_text("浙江省杭州市西湖区")
    expect(page.get_by_test_id("region")).to_contain_text("Xihu District, Hangzhou, Zhejiang")
    timeline = page.locator("ol.timeline")
    expect(timeline).to_contain_text("违法行为：")
    expect(timeline).to_contain_text(re.compile("全额计分|线性衰减"))
    expect(
        page.get_by_role("definition").filter(has_text="禁止参加或名单期间等级封顶")
    ).to_be_visible()
    text = page.locator("main").inner_text()
    assert "330106" not in text.replace(f.make_uscc(13), "")  # the region is named, not coded
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d", text), "no fractions of a second"

    page.goto(f"{app_url}/ui/#/lot/L2/check")
    flags_table = page.get_by_role("table").filter(has_text="本标段预警")
    expect(flags_table).to_contain_text("标段 L2 的 2 家投标人共用")

    page.goto(f"{app_url}/ui/#/network/org:{f.make_uscc(13)}@1")
    page.get_by_test_id("node-list").get_by_role("button").filter(has_text="违法记录").first.click()
    details = page.locator(".details")
    expect(details).to_contain_text("有效 Active")  # the record's status from the catalogue
    expect(details).to_contain_text("严重程度")  # property keys in Chinese
    assert "ban_end" not in details.inner_text()


def test_at_390_px_the_flag_filter_and_the_reasons_table_fit_the_screen(
    intake: Intake, store: GraphStore, app_url: str, browser: Browser
) -> None:
    flagged_market(intake)
    lot_flags(store, "L2")
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    try:
        sign_in(page, app_url, store, Role.SUPERVISOR, "监管员王")
        page.goto(f"{app_url}/ui/#/flags")
        expect(page.get_by_test_id("flag-count")).to_be_visible()
        for control in (page.get_by_label("模式"), page.get_by_role("button", name="筛选")):
            box = control.bounding_box()
            assert box is not None and box["x"] + box["width"] <= 390, box
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the flag queue is {width} px wide at 390"
        page.screenshot(path=str(ARTIFACTS / "flags-390px.png"), full_page=True)

        page.goto(f"{app_url}/ui/#/report/{f.make_uscc(13)}/check")
        expect(page.get_by_test_id("eligibility")).to_contain_text("不合格")
        reasons = page.get_by_role("table").filter(has_text="理由").first
        box = reasons.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390, box
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the credit report is {width} px wide at 390"
        page.screenshot(path=str(ARTIFACTS / "report-390px.png"), full_page=True)
    finally:
        context.close()
