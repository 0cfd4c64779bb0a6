"""A supplier's own key (role SUPPLIER, --org USCC): its credit report, score explanation,
flags about it once confirmed and the dates from which it can apply for repair, and nothing
of any other organisation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from credit.core.store import GraphStore
from credit.domain.periods import period_end
from credit.intake.pipeline import Intake
from credit.security.auth import create_api_key
from credit.security.permissions import Role
from tests import factories as f
from tests.conftest import GraphQLClient, token_for
from tests.detect_fixtures import load
from tests.test_detect_api import LOT_FLAGS, REVIEW, bid_opening, flags_by_pattern
from tests.test_public_api import TODAY, day

OWN, OTHER = 1, 2


def key_for(store: GraphStore, n: int) -> str:
    _, key = create_api_key(store, f"供应商{n}", Role.SUPPLIER, None, organization=f.make_uscc(n))
    return key


def report(api_url: str, key: str) -> httpx.Response:
    return httpx.get(api_url + "/supplier/report", headers={"x-api-key": key}, timeout=30)


@pytest.fixture
def market(intake: Intake) -> None:
    bid_opening(intake)  # suppliers 1 and 2 pay their deposits from one account
    load(
        intake,
        [
            f.violation("V-OWN", OWN, decided_on=day(-30), ban_start=day(-30), ban_end=day(300)),
            f.violation(
                "V-OWN-OLD",
                OWN,
                severity="GENERAL",
                penalty_types=["WARNING"],
                fine=None,
                ban_start=None,
                ban_end=None,
                decided_on=day(-200),
            ),
            f.violation(
                "V-OTHER",
                OTHER,
                decision_number="财库〔2025〕777号",
                decided_on=day(-30),
                ban_start=day(-30),
                ban_end=day(300),
            ),
        ],
    )


def test_a_supplier_sees_its_own_report_and_repair_dates(
    api_url: str, store: GraphStore, market: None
) -> None:
    response = report(api_url, key_for(store, OWN))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["organization"]["uscc"] == f.make_uscc(OWN)
    recorded = {c["record_id"] for c in body["score"]["contributions"]}
    assert {"violation:V-OWN", "violation:V-OWN-OLD"} <= recorded
    windows = {r["record_id"]: r for r in body["repair"]["records"]}
    serious = period_end(TODAY - timedelta(days=30), 12) + timedelta(days=1)
    general = period_end(TODAY - timedelta(days=200), 3) + timedelta(days=1)
    assert windows["violation:V-OWN"]["possible_from"] == serious.isoformat()
    assert windows["violation:V-OWN"]["state"] == "not_yet"
    assert windows["violation:V-OWN-OLD"]["possible_from"] == general.isoformat()
    assert windows["violation:V-OWN-OLD"]["state"] == "possible"
    assert (
        body["repair"]["basis"][0]["id"] == "NDRC-58-REPAIR"
        and "第58号" in body["repair"]["basis"][0]["citation"]
    )
    assert body["repair"]["min_repair_months"] == {"GENERAL": 3, "SERIOUS": 12, "MAJOR": 12}
    for other in (f.make_uscc(OTHER), "V-OTHER", "777号", f"测试供应商{OTHER}"):
        assert other not in response.text


def test_flags_reach_the_supplier_only_once_confirmed(
    api_url: str, store: GraphStore, market: None
) -> None:
    key = key_for(store, OWN)
    assert report(api_url, key).json()["confirmed_flags"] == []
    supervisor = GraphQLClient(api_url, token_for(Role.SUPERVISOR, name="supervisor"))
    flag_id = flags_by_pattern(supervisor.ok(LOT_FLAGS, lot="L1"))["SAME_DEPOSIT_ACCOUNT"]["id"]
    supervisor.ok(REVIEW, id=flag_id, decision="CONFIRM", reason="银行流水证实", draft=False)
    response = report(api_url, key)
    (flag,) = response.json()["confirmed_flags"]
    assert flag["pattern"] == "SAME_DEPOSIT_ACCOUNT" and flag["basis"] and flag["confirmed_at"]
    assert f.make_uscc(OTHER) not in response.text and "银行流水证实" not in response.text


QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("query($u: String!) { organization(uscc: $u) { name } }", {"u": f.make_uscc(2)}),
    ("query($u: String!) { creditProfile(uscc: $u) { score } }", {"u": f.make_uscc(2)}),
    ("query($u: String!) { creditProfile(uscc: $u) { score } }", {"u": f.make_uscc(1)}),
    ("query($u: String!) { supplierEligibility(uscc: $u) { decision } }", {"u": f.make_uscc(2)}),
    ('{ search(query: "测试") { nodes { score } } }', {}),
    ("{ violations { nodes { id } } }", {}),
    ("{ flags { nodes { id } } }", {}),
    ("{ changes { items { id } } }", {}),
]


@pytest.mark.parametrize(("query", "variables"), QUERIES)
def test_a_supplier_key_reaches_no_one_elses_data(
    api_url: str, store: GraphStore, market: None, query: str, variables: dict[str, Any]
) -> None:
    client = GraphQLClient(api_url, key_for(store, OWN), header="x-api-key")
    body = client.raw(query, **variables)
    assert body.get("data") is None or all(v is None for v in body["data"].values())
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert f"测试供应商{OTHER}" not in str(body)


def test_only_a_supplier_key_has_a_supplier_report(
    api_url: str, store: GraphStore, market: None
) -> None:
    assert httpx.get(api_url + "/supplier/report", timeout=30).status_code == 401
    purchaser = token_for(Role.PURCHASER, org=f.make_uscc(OTHER))
    refused = httpx.get(
        api_url + "/supplier/report", headers={"authorization": f"Bearer {purchaser}"}, timeout=30
    )
    assert refused.status_code == 403
    assert (
        httpx.get(
            api_url + "/sync/changes", headers={"x-api-key": key_for(store, OWN)}, timeout=30
        ).status_code
        == 403
    )
    _, orphan = create_api_key(store, "没有单位", Role.SUPPLIER, None)
    assert report(api_url, orphan).status_code == 403
