"""Flags in the graph: one per identity however often the detectors run, a dismissed flag stays
dismissed until its evidence changes, a flag no longer found is retired (kept), and a full
scan resumes where it stopped."""

from __future__ import annotations

import pytest

from credit.core.store import GraphStore
from credit.detection.flag_store import FlagStatus, ReviewDecision, export, review, reviews
from credit.detection.flags import finding
from credit.detection.registry import default_settings
from credit.detection.scan import detect_lot, scan_all
from credit.intake.pipeline import Intake
from tests import factories as f
from tests.detect_fixtures import buyer, load, lot_flags, suppliers, tender

PLAIN = {1: "1000000", 2: "1043700", 3: "1097350"}
MAC = {"kind": "MAC", "value": "02-1A-4B-7C-9D-E0"}
IP = {"kind": "IP", "value": "100.72.18.41"}


def shared_device(*devices: dict[str, str], version: int = 1) -> list[dict[str, object]]:
    marks = {"devices": list(devices), "version": version}
    return tender("L1", PLAIN, bids={1: marks, 2: marks})


def flag_count(store: GraphStore, pattern: str | None = None) -> int:
    rows = store.read(
        "MATCH (x:Flag) WHERE $p IS NULL OR x.pattern = $p RETURN count(x) AS n", p=pattern
    )
    return int(rows[0]["n"])


def test_re_running_the_detectors_never_duplicates_a_flag(
    intake: Intake, store: GraphStore
) -> None:
    load(intake, [*suppliers(1, 2, 3), buyer(), *shared_device(MAC)])
    first = detect_lot(store, "lot:L1", default_settings())
    again = detect_lot(store, "lot:L1", default_settings())
    scan_all(store, default_settings(), restart=True)
    assert first.report.created == 1
    assert (again.report.created, again.report.changed) == (0, 0)
    assert flag_count(store) == 1


def test_a_dismissed_flag_stays_dismissed_until_its_evidence_changes(
    intake: Intake, store: GraphStore
) -> None:
    load(intake, [*suppliers(1, 2, 3), buyer(), *shared_device(MAC)])
    (flag,) = lot_flags(store, "L1", "SAME_DEVICE")
    review(store, flag.uid, ReviewDecision.DISMISS, "shared office of a consortium", "sup", "Sup")
    (still,) = lot_flags(store, "L1", "SAME_DEVICE")
    assert still.status is FlagStatus.DISMISSED
    load(intake, shared_device(MAC, IP, version=2))
    (reopened,) = lot_flags(store, "L1", "SAME_DEVICE")
    assert reopened.uid == flag.uid
    assert reopened.status is FlagStatus.OPEN
    assert reopened.evidence_changed_at is not None
    (dismissal,) = reviews(store, [flag.uid])[flag.uid]
    assert dismissal.previous_status is FlagStatus.OPEN
    assert dismissal.evidence_hash != reopened.props["evidence_hash"]


def test_a_confirmed_flag_stays_confirmed_when_its_evidence_grows(
    intake: Intake, store: GraphStore
) -> None:
    load(intake, [*suppliers(1, 2, 3), buyer(), *shared_device(MAC)])
    (flag,) = lot_flags(store, "L1", "SAME_DEVICE")
    review(store, flag.uid, ReviewDecision.CONFIRM, "one machine", "sup", "Sup")
    load(intake, shared_device(MAC, IP, version=2))
    (after,) = lot_flags(store, "L1", "SAME_DEVICE")
    assert after.status is FlagStatus.CONFIRMED


def test_a_flag_no_longer_found_is_retired_not_deleted(intake: Intake, store: GraphStore) -> None:
    load(intake, [*suppliers(1, 2, 3), buyer(), *shared_device(MAC)])
    (flag,) = lot_flags(store, "L1", "SAME_DEVICE")
    load(intake, tender("L1", PLAIN, bids={1: {"version": 2}, 2: {"version": 2}}))
    assert lot_flags(store, "L1", "SAME_DEVICE") == []
    (kept,) = [x for x in export(store, current_only=False) if x.uid == flag.uid]
    assert kept.current is False


class Interrupted(Exception):
    pass


def test_an_interrupted_full_scan_resumes_where_it_stopped(
    intake: Intake, store: GraphStore
) -> None:
    lots = []
    for i in range(5):
        marks = {"deposit_account": f"6228000{i}"}
        lots += tender(f"L{i}", PLAIN, bids={1: marks, 2: marks})
    load(intake, [*suppliers(1, 2, 3), buyer(), *lots])
    seen: list[int] = []

    def stop_after_two_batches(phase: str, done: int, total: int) -> None:
        seen.append(done)
        if phase == "lots" and len(seen) == 3:
            raise Interrupted

    with pytest.raises(Interrupted):
        scan_all(store, default_settings(), progress=stop_after_two_batches, batch=2)
    assert flag_count(store, "SAME_DEPOSIT_ACCOUNT") == 4
    resumed = scan_all(store, default_settings(), batch=2)
    assert resumed.resumed and resumed.lots == 5
    assert flag_count(store, "SAME_DEPOSIT_ACCOUNT") == 5
    runs = store.read("MATCH (r:DetectionRun) RETURN r.phase AS phase, r.cursor AS cursor")
    assert [(r["phase"], r["cursor"]) for r in runs] == [("done", "")]


def test_a_scan_in_batches_of_one_lot_finds_a_bidders_ties_on_every_page(
    intake: Intake, store: GraphStore
) -> None:
    """A bidder's ties are read once per scan and reused on later pages: the same two bidders
    under one legal representative are flagged in each of their lots."""
    rep = f.tie("LEGAL_REP_OF", {"person": f.make_id_number(11)}, {"org": f.make_uscc(1)})
    rep2 = f.tie("LEGAL_REP_OF", {"person": f.make_id_number(11)}, {"org": f.make_uscc(2)})
    lots = [r for i in range(4) for r in tender(f"L{i}", PLAIN)]
    load(intake, [*suppliers(1, 2, 3), buyer(), f.person(11), rep, rep2, *lots])
    scan_all(store, default_settings(), batch=1, restart=True)
    assert flag_count(store, "SAME_CONTROLLER") == 4


def test_a_full_scan_keeps_each_lots_bid_screens_with_it(intake: Intake, store: GraphStore) -> None:
    load(intake, [*suppliers(1, 2, 3), buyer(), *tender("L1", PLAIN), *tender("L2", {1: "5"})])
    scan_all(store, default_settings(), restart=True)
    rows = store.read("MATCH (s:BidScreen) RETURN s.lot AS lot, s.bids AS bids ORDER BY lot")
    assert [(r["lot"], r["bids"]) for r in rows] == [("lot:L1", 3)]


def test_flag_identity_is_the_pattern_lot_and_parties_in_any_order() -> None:
    a = finding("SAME_DEVICE", "lot:L1", ["org:B", "org:A"], 0.9, "x")
    b = finding("SAME_DEVICE", "lot:L1", ["org:A", "org:B"], 0.5, "y")
    other_lot = finding("SAME_DEVICE", "lot:L2", ["org:A", "org:B"], 0.9, "x")
    assert a.uid == b.uid != other_lot.uid


def test_the_evidence_hash_ignores_wording_confidence_and_drifting_scores() -> None:
    base = finding(
        "BUYER_CAPTURE", None, ["org:A"], 0.6, "x", lots=["lot:1"], scores={"chance": 1e-4}
    )
    reworded = finding(
        "BUYER_CAPTURE", None, ["org:A"], 0.7, "y", lots=["lot:1"], scores={"chance": 1e-5}
    )
    more = finding("BUYER_CAPTURE", None, ["org:A"], 0.6, "x", lots=["lot:1", "lot:2"])
    assert base.evidence_hash == reworded.evidence_hash != more.evidence_hash


def test_a_review_needs_a_reason(intake: Intake, store: GraphStore) -> None:
    from credit.detection.flag_store import ReviewError

    load(intake, [*suppliers(1, 2, 3), buyer(), *shared_device(MAC)])
    (flag,) = lot_flags(store, "L1", "SAME_DEVICE")
    with pytest.raises(ReviewError) as caught:
        review(store, flag.uid, ReviewDecision.DISMISS, "   ", "sup", "Sup")
    assert (caught.value.field, caught.value.rule) == ("reason", "required")
