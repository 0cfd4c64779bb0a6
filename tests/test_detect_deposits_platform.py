"""Deposits of one holder under different account numbers, or from a person tied to another
bidder (Order 87 Art. 37 item 6); the bidding platform's machine code and the CA certificate
that signed a bid beside MAC and IP, and trading-centre IP ranges that are no evidence. Through
the real intake and graph, with near-misses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from credit.core.store import GraphStore
from credit.core.wiring import get_mapper
from credit.detection.registry import SETTINGS_FILE, load_settings
from credit.detection.scan import detect_lot
from credit.intake.pipeline import Intake
from tests import factories as f
from tests.detect_fixtures import buyer, load, lot_flags, orgs, suppliers, tender

PLAIN = {1: "1000000", 2: "1043700", 3: "1097350"}
HOLDER = 7  # a company that does not bid


def market(*extra: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        *suppliers(1, 2, 3),
        f.organization(HOLDER, name="杭州某某贸易有限公司"),
        buyer(),
        f.person(5, name="王伟"),
        f.person(6, name="王伟"),
        *extra,
    ]


def paid(account: str, **holder: Any) -> dict[str, Any]:
    return {"deposit_account": account, **holder}


def rep(person: int, company: int) -> dict[str, Any]:
    return f.tie(
        "LEGAL_REP_OF", {"person": f.make_id_number(person)}, {"org": f.make_uscc(company)}
    )


# --- deposits ---------------------------------------------------------------------------------


def test_deposits_from_two_accounts_of_one_holder_are_flagged(
    intake: Intake, store: GraphStore
) -> None:
    holder = {"deposit_holder": {"org": f.make_uscc(HOLDER)}}
    bids = {1: paid("6228 0001", **holder), 3: paid("6228 0002", **holder)}
    load(intake, market(*tender("L1", PLAIN, bids=bids)))
    (flag,) = lot_flags(store, "L1", "SAME_DEPOSIT_ACCOUNT")
    assert flag.suppliers == orgs(1, 3)
    assert "one holder" in flag.message and "第（六）项" in flag.basis
    assert f"org:{f.make_uscc(HOLDER)}" in flag.evidence["nodes"]


def test_deposits_in_one_holders_name_under_different_numbers_are_flagged(
    intake: Intake, store: GraphStore
) -> None:
    name = {"deposit_holder_name": "杭州某某贸易有限公司"}
    bids = {1: paid("6228 0001", **name), 2: paid("6228 0002", **name)}
    load(intake, market(*tender("L1", PLAIN, bids=bids)))
    (flag,) = lot_flags(store, "L1", "SAME_DEPOSIT_ACCOUNT")
    assert flag.suppliers == orgs(1, 2) and "holder's name" in flag.message


def test_a_deposit_in_another_bidders_name_is_flagged(intake: Intake, store: GraphStore) -> None:
    other = {"deposit_holder_name": "测试供应商2有限公司"}
    load(intake, market(*tender("L1", PLAIN, bids={1: paid("9999 0001", **other)})))
    (flag,) = lot_flags(store, "L1", "SAME_DEPOSIT_ACCOUNT")
    assert flag.suppliers == orgs(1, 2)


def test_a_deposit_from_another_bidders_legal_representative_is_flagged(
    intake: Intake, store: GraphStore
) -> None:
    person = {"deposit_holder": {"person": f.make_id_number(5)}, "deposit_holder_name": "王伟"}
    load(intake, market(rep(5, 2), *tender("L1", PLAIN, bids={3: paid("6217 5555", **person)})))
    (flag,) = lot_flags(store, "L1", "SAME_DEPOSIT_ACCOUNT")
    assert flag.suppliers == orgs(2, 3) and "tied to another bidder" in flag.message
    assert get_mapper().person_uid_for(f.make_id_number(5)) in flag.evidence["nodes"]
    assert "LEGAL_REP_OF" in {e["type"] for e in flag.evidence["edges"]}


@pytest.mark.parametrize(
    "records",
    [
        # each bidder's deposit from its own legal representative's account
        [
            rep(5, 1),
            rep(6, 2),
            *tender(
                "L1",
                PLAIN,
                bids={
                    1: paid("6217 0005", deposit_holder={"person": f.make_id_number(5)}),
                    2: paid("6217 0006", deposit_holder={"person": f.make_id_number(6)}),
                },
            ),
        ],
        # two people of the same name pay for different bidders: a name is not a person
        [
            *tender(
                "L1",
                PLAIN,
                bids={
                    1: paid(
                        "6217 0005",
                        deposit_holder={"person": f.make_id_number(5)},
                        deposit_holder_name="王伟",
                    ),
                    2: paid(
                        "6217 0006",
                        deposit_holder={"person": f.make_id_number(6)},
                        deposit_holder_name="王伟",
                    ),
                },
            )
        ],
        # each pays from its own account in its own name
        [
            *tender(
                "L1",
                PLAIN,
                bids={
                    1: paid("6228 0001", deposit_holder_name="测试供应商1有限公司"),
                    2: paid("6228 0002", deposit_holder_name="测试供应商2有限公司"),
                },
            )
        ],
    ],
    ids=["own-representatives", "namesakes", "own-names"],
)
def test_deposits_each_bidder_pays_itself_are_not_flagged(
    intake: Intake, store: GraphStore, records: list[dict[str, Any]]
) -> None:
    load(intake, market(*records))
    assert lot_flags(store, "L1", "SAME_DEPOSIT_ACCOUNT") == []


# --- platform identifiers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "label"),
    [
        ("MACHINE_CODE", "BFEBFBFF000906EA-WD-WCC4N1234567", "machine code"),
        ("CA_CERT", "CFCA-OCA1-2025-00A1B2C3", "CA certificate"),
    ],
    ids=["machine-code", "ca-certificate"],
)
def test_bids_from_one_platform_machine_or_signed_with_one_certificate_are_flagged(
    intake: Intake, store: GraphStore, kind: str, value: str, label: str
) -> None:
    marks = {"devices": [{"kind": kind, "value": value}]}
    load(intake, market(*tender("L1", PLAIN, bids={1: marks, 2: marks})))
    (flag,) = lot_flags(store, "L1", "SAME_DEVICE")
    assert flag.suppliers == orgs(1, 2) and label in flag.message


def test_different_machine_codes_and_certificates_are_not_flagged(
    intake: Intake, store: GraphStore
) -> None:
    bids = {
        n: {
            "devices": [
                {"kind": "MACHINE_CODE", "value": f"MC-{n}"},
                {"kind": "CA_CERT", "value": f"CA-{n}"},
            ]
        }
        for n in (1, 2, 3)
    }
    load(intake, market(*tender("L1", PLAIN, bids=bids)))
    assert lot_flags(store, "L1", "SAME_DEVICE") == []


def test_an_ip_in_a_trading_centre_range_is_no_evidence_but_others_are(
    intake: Intake, store: GraphStore, tmp_path: Path
) -> None:
    centre = {"devices": [{"kind": "IP", "value": "10.20.30.40"}]}
    outside = {"devices": [{"kind": "IP", "value": "100.72.18.41"}]}
    load(intake, market(*tender("L1", PLAIN, bids={1: centre, 2: centre, 3: outside})))
    load(intake, [*tender("L2", PLAIN, bids={1: outside, 3: outside})])
    text = (
        SETTINGS_FILE.read_text(encoding="utf-8")
        + '\n[SAME_DEVICE]\nexempt_ip_ranges = ["10.20.0.0/16", "2001:db8::/32"]\n'
    )
    (tmp_path / "settings.toml").write_text(text, encoding="utf-8")
    settings = load_settings(tmp_path / "settings.toml")
    assert [x.pattern for x in detect_lot(store, "lot:L1", settings).flags] == []
    (flag,) = [x for x in detect_lot(store, "lot:L2", settings).flags if x.pattern == "SAME_DEVICE"]
    assert flag.suppliers == orgs(1, 3)
    # without the setting the trading centre's address would flag
    assert [x.suppliers for x in lot_flags(store, "L1", "SAME_DEVICE")] == [orgs(1, 2)]
