"""At bid opening, what the last scan knows about a lot's bidders: `lotFlags { standing }`
shows the scan's standing flags (a rotation ring) naming some of them to the lot's purchaser,
with the pattern, which of its bidders, the legal basis and the confidence, and nothing of the
ring's lots, other buyers' bids or prices; a supervisor also gets the whole flag's id."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from credit.core.store import GraphStore
from credit.detection.registry import default_settings
from credit.detection.scan import scan_all
from credit.intake.pipeline import Intake
from credit.security.permissions import Role
from tests import factories as f
from tests.conftest import GraphQLClient
from tests.detect_fixtures import BUYER, background, buyer, load, orgs, suppliers, tender, turns

NEW_BUYER = 92
STANDING = """query($lot: ID!, $run: Boolean!) { lotFlags(lotId: $lot, run: $run) {
  standing { pattern title legalBasis confidence status lastSeen bidderIds otherParties flagId
             bidders { uscc } } } }"""


def ring_then_new_lot(intake: Intake, store: GraphStore) -> None:
    """Suppliers 1-3 take turns winning at purchaser 90; then 1, 2 and outsider 4 bid for a
    lot of purchaser 92, and the full scan runs."""
    load(
        intake,
        [
            buyer(),
            buyer(NEW_BUYER),
            *suppliers(1, 2, 3, 4, 5),
            *background(),
            *turns([1, 2, 3, 1, 2], (1, 2, 3), (4, 5)),
            *tender(
                "NEW",
                {1: "1031000", 2: "1057300", 4: "1000000"},
                purchaser=NEW_BUYER,
                day="2026-02-10",
            ),
        ],
    )
    scan_all(store, default_settings(), restart=True)


def test_the_purchaser_sees_the_ring_among_its_bidders_and_nothing_of_the_rings_lots(
    intake: Intake, store: GraphStore, client_as: Callable[..., GraphQLClient]
) -> None:
    ring_then_new_lot(intake, store)
    purchaser = client_as(Role.PURCHASER, org=f.make_uscc(NEW_BUYER))
    result: dict[str, Any] = purchaser.ok(STANDING, lot="NEW", run=True)
    standing = {x["pattern"]: x for x in result["lotFlags"]["standing"]}
    rotation = standing["BID_ROTATION"]
    assert rotation["bidderIds"] == list(orgs(1, 2))
    assert {b["uscc"] for b in rotation["bidders"]} == {f.make_uscc(1), f.make_uscc(2)}
    assert rotation["otherParties"] == 1  # supplier 3, not named
    assert "第七十四条" in rotation["legalBasis"] and rotation["confidence"] > 0
    assert rotation["flagId"] is None
    text = json.dumps(result, ensure_ascii=False)
    assert f.make_uscc(3) not in text and "lot:R" not in text and "2000000" not in text


def test_a_supervisor_gets_the_whole_flag_and_another_purchaser_gets_nothing(
    intake: Intake, store: GraphStore, client_as: Callable[..., GraphQLClient]
) -> None:
    ring_then_new_lot(intake, store)
    supervisor = client_as(Role.SUPERVISOR)
    result = supervisor.ok(STANDING, lot="NEW", run=False)
    (rotation,) = [x for x in result["lotFlags"]["standing"] if x["pattern"] == "BID_ROTATION"]
    assert rotation["flagId"]
    other = client_as(Role.PURCHASER, org=f.make_uscc(BUYER))
    assert other.error(STANDING, lot="NEW", run=False)["extensions"]["code"] == "FORBIDDEN"


def test_a_lot_whose_bidders_have_no_standing_flags_shows_none(
    intake: Intake, store: GraphStore, client_as: Callable[..., GraphQLClient]
) -> None:
    ring_then_new_lot(intake, store)
    quiet = tender("QUIET", {6: "1000000", 7: "1057300"}, purchaser=NEW_BUYER)
    load(intake, [*suppliers(6, 7), *quiet])
    purchaser = client_as(Role.PURCHASER, org=f.make_uscc(NEW_BUYER))
    assert purchaser.ok(STANDING, lot="QUIET", run=False)["lotFlags"]["standing"] == []
