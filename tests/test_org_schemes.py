"""Organisations from other countries: kept under their org-id.guide scheme (UA-EDR, AM-TIN,
GB-COH ...) with the USCC still the key of Chinese ones; refused with field, rule and message
when the scheme or the identifier is wrong; found by the API under SCHEME-id; and the rule that
needs a USCC (the three lists of Caiku [2016] No. 125) says so for them instead of passing them.
A real ProZorro sample loads with its parties under UA-EDR and its bids attached."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from credit.core.store import GraphStore
from credit.domain.identifiers import IdentifierError, validate_org_key
from credit.formats import ocds
from credit.intake.pipeline import Intake
from tests import factories as f
from tests.conftest import GraphQLClient, ingest
from tests.detect_fixtures import buyer, load, lot_flags, scanned, suppliers, tender
from tests.formats_support import counts, land

PROZORRO = Path(__file__).resolve().parent / "fixtures" / "ocds" / "prozorro-sample-releases.jsonl"
EDR, TIN = "UA-EDR-00032945", "AM-TIN-02500052"

CHECK = """query($u: String!, $lot: ID) {
  supplierEligibility(uscc: $u, lotId: $lot) {
    decision reasons { code decision legalBasis message recordIds } } }"""


def _foreign(key: str, **over: Any) -> dict[str, Any]:
    scheme, _, ident = key.partition("-")[2].partition("-")
    scheme = f"{key[:2]}-{scheme}"
    return {
        "type": "organization",
        "identifier": {"scheme": scheme, "id": ident},
        "name": f"Organisation {key}",
        "roles": ["SUPPLIER"],
    } | over


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("UA-EDR-00032945", "UA-EDR-00032945"),
        ("ua-edr-1992916539", "UA-EDR-1992916539"),  # a sole trader's 10-digit number
        ("AM-TIN-02500052", "AM-TIN-02500052"),
        ("GB-COH-sc123456", "GB-COH-SC123456"),
        ("MX-RFC-CPL211105123", "MX-RFC-CPL211105123"),  # no rule of its own: the code form
        (f"CN-USCC-{f.make_uscc(1)}", f.make_uscc(1)),  # a Chinese key is the bare USCC
        (f.make_uscc(2), f.make_uscc(2)),
    ],
)
def test_keys_are_canonical_per_scheme(value: str, key: str) -> None:
    assert validate_org_key(value) == key


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("UA-EDR-1234567", "org_key.id"),
        ("AM-TIN-0250005", "org_key.id"),
        ("GB-COH-XE-08-A", "org_key.id"),
        ("IRL-BAU-434151", "org_key.scheme"),  # not an org-id.guide code (that is IE-CRO)
        ("EDRPOU-00032945", "org_key.scheme"),
        ("00032945-X", "org_key.scheme"),
        ("CN-USCC-91350100M000100Y4X", "uscc.check_character"),
        ("91350100M000100Y4X", "uscc.check_character"),
    ],
)
def test_wrong_keys_are_refused_with_their_rule(value: str, rule: str) -> None:
    with pytest.raises(IdentifierError) as refused:
        validate_org_key(value)
    assert refused.value.rule == rule


def test_organisations_land_under_their_scheme_and_bad_ones_are_refused(
    intake: Intake, store: GraphStore
) -> None:
    report = intake.run(
        enumerate(
            [
                _foreign(EDR),
                _foreign(TIN),
                {**_foreign(EDR), "identifier": {"scheme": "UA-EDR", "id": "12"}},
                {**_foreign(EDR), "identifier": {"scheme": "", "id": "00032945"}},
                {**_foreign(EDR), "uscc": f.make_uscc(3)},
                f.organization(4),
            ],
            start=1,
        )
    )
    assert report.changed == 3
    refused = {(e.line, e.field, e.rule) for e in report.errors}
    assert refused == {
        (3, "identifier", "org_key.id"),
        (4, "identifier", "org_key.scheme"),
        (5, "(record)", "organization.key"),
    }
    node = store.node(f"org:{EDR}")
    assert node is not None
    assert (node.props["key"], node.props["scheme"], node.props.get("uscc")) == (
        EDR,
        "UA-EDR",
        None,
    )
    chinese = store.node(f"org:{f.make_uscc(4)}")
    assert chinese is not None and "scheme" not in chinese.props  # unchanged for the USCC


def test_a_foreign_supplier_needs_review_for_the_three_lists_and_keeps_other_rules(
    intake: Intake, gql: GraphQLClient
) -> None:
    ingest(
        intake,
        [
            _foreign(EDR),
            _foreign(TIN),
            f.organization(1),
            f.organization(9, roles=["PURCHASER"]),
            f.project("P1", 9),
            f.lot("L1", "P1"),
            f.bid("B1", "L1", 1, "100000.00"),
            f.bid("B2", "L1", 1, "101000.00") | {"supplier": EDR},
            f.violation("V1", {"org": TIN}, decided_on="2025-01-10", ban_end="2099-01-09"),
        ],
    )
    edr = gql.ok(CHECK, u=EDR)["supplierEligibility"]
    assert edr["decision"] == "REVIEW"
    (reason,) = edr["reasons"]
    assert reason["code"] == "LIST_CHECK_NEEDS_USCC"
    assert "needs a USCC" in reason["message"] and "UA-EDR" in reason["message"]
    assert "财库〔2016〕125号" in reason["legalBasis"]
    in_lot = gql.ok(CHECK, u=EDR, lot="L1")["supplierEligibility"]
    assert in_lot["decision"] == "REVIEW"
    banned = gql.ok(CHECK, u=TIN)["supplierEligibility"]
    assert banned["decision"] == "INELIGIBLE"  # rules that need no USCC still decide
    assert [r["code"] for r in banned["reasons"]] == [
        "ACTIVE_PROCUREMENT_BAN",
        "LIST_CHECK_NEEDS_USCC",
    ]
    chinese = gql.ok(CHECK, u=f.make_uscc(1))["supplierEligibility"]
    assert (chinese["decision"], chinese["reasons"]) == ("ELIGIBLE", [])


def test_the_api_finds_an_organisation_by_scheme_key_and_refuses_a_bad_one(
    intake: Intake, gql: GraphQLClient
) -> None:
    ingest(intake, [_foreign(EDR)])
    query = "query($u: String) { organization(uscc: $u) { id uscc scheme name } }"
    found = gql.ok(query, u="ua-edr-00032945")["organization"]
    assert found == {
        "id": f"org:{EDR}",
        "uscc": None,
        "scheme": "UA-EDR",
        "name": f"Organisation {EDR}",
    }
    chinese = gql.ok(query, u=f.make_uscc(1))["organization"]
    assert chinese is None
    error = gql.error(query, u="UA-EDR-123")
    assert error["extensions"]["field"] == "uscc"
    assert error["extensions"]["rule"] == "org_key.id"
    assert "8 digits" in error["message"]


def test_a_real_prozorro_sample_lands_under_ua_edr_with_its_bids(
    intake: Intake, store: GraphStore
) -> None:
    conversion = ocds.read(PROZORRO, "prozorro")
    report = conversion.report
    assert report is not None
    assert report.errors == []
    seen = counts(conversion)
    assert seen["party"][0] == seen["party"][1] > 0  # no party refused for its scheme
    assert seen["bid"] == (12, 12)
    assert not any("org_key" in reason or "uscc" in reason for _, reason in report.skipped)
    landed = land(intake, conversion)
    assert landed.errors == []
    schemes = store.read(
        "MATCH (o:Organization) RETURN o.scheme AS scheme, count(*) AS n ORDER BY scheme"
    )
    # two parties are published under XM-EORI with their EDRPOU code: kept as published
    assert [tuple(r.values()) for r in schemes] == [("UA-EDR", 26), ("XM-EORI", 2)]
    bids = store.read(
        "MATCH (o:Organization)-[:SUBMITTED]->(b:Bid)-[:FOR_LOT]->(l:Lot)"
        " RETURN count(DISTINCT b) AS bids, count(DISTINCT l) AS lots,"
        " collect(DISTINCT o.scheme) AS schemes"
    )
    assert (bids[0]["bids"], bids[0]["schemes"]) == (12, ["UA-EDR"])
    assert bids[0]["lots"] == 5


@pytest.mark.parametrize("prices", [{1: "0", 2: "0", 3: "0"}, {1: "0", 2: "0", 3: "150000"}])
def test_zero_prices_as_real_open_data_publishes_them_neither_crash_nor_flag(
    intake: Intake, store: GraphStore, prices: dict[int, str]
) -> None:
    """Armenian releases publish bids of 0 AMD: no evidence of a tie, and no division by 0."""
    load(intake, [*suppliers(1, 2, 3), buyer(), *tender("L1", prices)])
    found = {flag.pattern for flag in lot_flags(store, "L1")}
    assert not found & {"IDENTICAL_PRICES", "REGULAR_PRICE_DIFFERENCE"}


def test_a_bidder_quoting_0_across_lots_keeps_no_price_ratio(
    intake: Intake, store: GraphStore
) -> None:
    """A 0 against another bidder's price in lot after lot is a missing price, not a fixed
    ratio of 0 between two bidders (as real Armenian releases showed)."""
    lots = [
        tender(f"L{n}", {1: price, 2: "0", 3: other})
        for n, (price, other) in enumerate(
            [("100000", "131700"), ("153000", "171900"), ("211000", "260300"), ("98000", "120700")]
        )
    ]
    load(intake, [*suppliers(1, 2, 3), buyer(), *(r for lot in lots for r in lot)])
    flagged = [flag.suppliers for flag in scanned(store, "REGULAR_PRICE_DIFFERENCE")]
    assert not [s for s in flagged if f"org:{f.make_uscc(2)}" in s]
