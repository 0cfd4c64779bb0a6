"""Reading facts from the graph, once: records in through the real intake, facts out of
`gather`, compared with the same facts built by hand as the pure detector tests build them
(tests/detectors/). Every rule beyond this reading is tested there, without a database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from credit.core.store import GraphStore
from credit.core.wiring import get_mapper
from credit.detection import gather
from credit.detection.facts import BidFact, Identifier, LotFacts, ReviewFact, Tie
from credit.intake.pipeline import Intake
from tests import factories as f
from tests.detect_fixtures import BUYER, buyer, expert, load, org, suppliers, tender

AT = datetime(2025, 3, 20, 9, 30, tzinfo=timezone(timedelta(hours=8)))


def test_a_lot_its_bids_identifiers_award_review_and_ties_read_as_built_by_hand(
    intake: Intake, store: GraphStore
) -> None:
    rep = f.tie(
        "LEGAL_REP_OF",
        {"person": f.make_id_number(11)},
        {"org": f.make_uscc(1)},
        valid_from="2020-01-01",
    )
    owns = f.tie("OWNS", {"org": f.make_uscc(1)}, {"org": f.make_uscc(2)}, share=0.6)
    marks: dict[int, dict[str, object]] = {
        1: {
            "preparer": {"person": f.make_id_number(11)},
            "deposit_account": "6228 0000 1111",
            "devices": [{"kind": "MAC", "value": "00:11:22:33:44:55"}],
        },
        2: {"deposit_account": "6228 0000 1111", "file_fingerprint": "sha:1"},
    }
    prices = {1: "1000000", 2: "1043700.5", 3: "1097350"}
    load(
        intake,
        [
            *suppliers(1, 2, 3),
            buyer(),
            f.person(11),
            expert(21),
            rep,
            owns,
            *tender("L1", prices, bids=marks, reviewers=[21]),
        ],
    )
    person = get_mapper().person_uid_for(f.make_id_number(11))
    reviewer = get_mapper().person_uid_for(f.make_id_number(21))
    account = Identifier("DEPOSIT_FROM", "bankaccount:622800001111", value="6228 0000 1111")

    def bid(n: int, fingerprint: str | None = None, *ids: Identifier) -> BidFact:
        return BidFact(
            uid=f"bid:L1-B{n}",
            supplier=org(n),
            price=Decimal(prices[n]),
            currency="CNY",
            status="VALID",
            submitted_at=AT,
            fingerprint=fingerprint,
            identifiers=ids,
            supplier_name=f"测试供应商{n}有限公司",
        )

    expected = LotFacts(
        uid="lot:L1",
        key="L1",
        project="project:P-L1",
        project_key="P-L1",
        ocid=None,
        purchaser=org(BUYER),
        agency=None,
        category="GOODS",
        day=date(2025, 3, 20),
        budget=None,
        bids=(
            bid(
                1,
                None,
                Identifier(
                    "CREATED_ON",
                    "device:mac:00:11:22:33:44:55",
                    kind="MAC",
                    value="00:11:22:33:44:55",
                ),
                account,
                Identifier("PREPARED_BY", person),
            ),
            bid(2, "sha:1", account),
            bid(3),
        ),
        winner=org(1),
        award="award:L1-AW",
        reviews=(ReviewFact(reviewer, "review:L1-RV1", date(2025, 3, 20)),),
    )
    (read,) = gather.load_lots(store, ["lot:L1", "lot:NONE"], details=True)
    assert read == expected
    (light,) = gather.load_lots(store, ["lot:L1"], details=False)
    assert [b.identifiers for b in light.bids] == [(), (), ()]
    assert (light.winner, light.day, [b.price for b in light.bids]) == (
        expected.winner,
        expected.day,
        [b.price for b in expected.bids],
    )
    assert gather.load_history(store, ["lot:L1"]).lots.keys() == {"lot:L1"}

    ties = gather.load_ties(store, read.suppliers)
    assert {k: [replace(t, uid=None) for t in v] for k, v in ties.items()} == {
        org(1): [Tie("LEGAL_REP_OF", person, org(1), True, valid_from=date(2020, 1, 1))],
        org(2): [Tie("OWNS", org(1), org(2), False, share=0.6)],
    }
    assert all(t.uid and t.uid.startswith("tie:") for v in ties.values() for t in v)
    assert gather.lot_bidder_ties(store, "lot:L1") == ties
