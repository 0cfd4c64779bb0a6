"""GROUP_INSTRUCTION: members of one group or association, in force on the lot's day, bid
for the same lot (Regs Art. 74 item 4)."""

from __future__ import annotations

from datetime import date

from credit.detection.detectors.group_instruction import DETECTOR
from credit.detection.facts import Membership
from tests.detectors.build import DAY, bid, facts, golden, lot, org, run

L1 = lot("L1", [bid(1, 10), bid(2, 11), bid(3, 12)])


def member(n: int, group: str, kind: str | None = "GROUP", **period: date) -> Membership:
    return Membership(org(n), group, kind, uid=f"m:{n}:{group}", **period)


def test_two_members_of_a_group_and_of_an_association_weigh_by_kind() -> None:
    ms = {
        org(1): [member(1, "group:G"), member(1, "group:A", "ASSOCIATION", valid_from=DAY)],
        org(2): [member(2, "group:G", valid_to=DAY), member(2, "group:A", "ASSOCIATION")],
        org(3): [member(3, "group:G")],
    }
    found = run(DETECTOR, facts(L1, memberships=ms))
    assert [(f.others, f.suppliers, f.confidence) for f in found] == [
        (("group:A",), (org(1), org(2)), 0.4),
        (("group:G",), (org(1), org(2), org(3)), 0.6),
    ]
    assert found[1].facts == {"group": "group:G", "kind": "GROUP"}
    golden("group_instruction", found)


def test_one_member_a_past_membership_or_an_unweighted_kind_is_not_flagged() -> None:
    ms = {
        org(1): [member(1, "group:G"), member(1, "group:X", "CLUB"), member(1, "group:N", None)],
        org(2): [
            member(2, "group:G", valid_to=date(2025, 3, 19)),
            member(2, "group:X", "CLUB"),
            member(2, "group:N", None),
        ],
        org(3): [member(3, "group:H", valid_from=date(2025, 3, 21))],
    }
    assert run(DETECTOR, facts(L1, memberships=ms)) == []
