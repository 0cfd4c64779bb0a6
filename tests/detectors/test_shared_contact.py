"""SHARED_CONTACT: one contact person, phone or e-mail in different bidders' bids; a named
contact with one phone or e-mail is one person, a name alone is not."""

from __future__ import annotations

from credit.detection.detectors.shared_contact import DETECTOR
from credit.detection.facts import Identifier
from tests.detectors.build import bid, facts, golden, lot, org, run, who

CONTACT = Identifier("CONTACT", "person:C1")
PHONE = Identifier("CONTACT_PHONE", "phone:1")
EMAIL = Identifier("CONTACT_EMAIL", "email:1")


def test_a_contact_person_a_phone_and_an_e_mail_weigh_by_what_they_are() -> None:
    lots = [
        lot("L1", [bid(1, 10, lot="L1", ids=[CONTACT]), bid(2, 11, lot="L1", ids=[CONTACT])]),
        lot("L2", [bid(1, 10, lot="L2", ids=[PHONE]), bid(2, 11, lot="L2", ids=[PHONE])]),
        lot("L3", [bid(1, 10, lot="L3", ids=[EMAIL]), bid(2, 11, lot="L3", ids=[EMAIL])]),
    ]
    found = run(DETECTOR, facts(*lots))
    assert [(f.lot, f.confidence) for f in found] == [
        ("lot:L1", 0.9),
        ("lot:L2", 0.8),
        ("lot:L3", 0.85),
    ]
    golden("shared_contact", found)


def test_the_same_name_with_the_same_phone_is_the_same_person() -> None:
    named = [
        bid(1, 10, ids=[PHONE], contact_name="王 伟"),
        bid(2, 11, ids=[PHONE], contact_name="王伟"),
        bid(3, 12, ids=[EMAIL], contact_name="J. Smith"),
        bid(4, 13, ids=[EMAIL], contact_name="j smith"),
    ]
    found = run(DETECTOR, facts(lot("L1", named)))
    assert who(found) == [(org(1), org(2)), (org(3), org(4))]
    # the phone (0.8) and the named person on it (0.9) together: 1 - 0.2 * 0.1
    assert [f.confidence for f in found] == [0.98, 0.985]
    assert len(found[0].facts["shared"]) == 2
    golden("shared_contact_named", found)


def test_a_name_alone_or_another_kind_of_identifier_is_not_a_shared_contact() -> None:
    names = [bid(1, 10, contact_name="王伟"), bid(2, 11, contact_name="王伟")]
    other = [
        bid(1, 10, ids=[Identifier("AT_ADDRESS", "addr:1")], contact_name="王伟"),
        bid(2, 11, ids=[Identifier("AT_ADDRESS", "addr:1")], contact_name="王伟"),
    ]
    blank = [
        bid(1, 10, ids=[PHONE], contact_name=" . "),
        bid(2, 11, ids=[Identifier("CONTACT_PHONE", "phone:2")], contact_name=" . "),
    ]
    assert run(DETECTOR, facts(lot("L1", names), lot("L2", other), lot("L3", blank))) == []
