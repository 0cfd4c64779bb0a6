"""Eligibility reasons in full, as a purchaser files them with the procurement, and the answer
as it stood at an earlier instant (`known_at`): pure rules, no database. The cases at each
rule's first and last day are in tests/test_eligibility_rules.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from credit.domain.records import PenaltyType, RecordStatus
from credit.legal import text
from credit.policy import NetworkRule, Policy
from credit.standing.eligibility import (
    Decision,
    NetworkLink,
    Reason,
    SupplierFacts,
    assess_supplier,
    with_reasons,
)
from credit.standing.scoring import CreditRecord, LinkKind
from tests.test_eligibility_rules import (
    AS_OF,
    DAY,
    POLICY,
    assess,
    ban,
    codes,
    listing,
    major,
    supplier,
    violation,
)

ELIGIBLE, INELIGIBLE, REVIEW = Decision.ELIGIBLE, Decision.INELIGIBLE, Decision.REVIEW
CST = timezone(timedelta(hours=8))
THEN = datetime(2026, 4, 20, 9, tzinfo=CST)  # the instant an earlier answer was given
LATER = datetime(2026, 4, 25, 9, tzinfo=CST)  # a change recorded after that answer
APPEAL_BASIS = text("ALL-56-NO-SUSPENSION", "ARL-42-SUSPENSION")


def then(facts: SupplierFacts) -> list[str]:
    """The reasons' codes as a check made at THEN answered."""
    result = assess_supplier(facts, AS_OF, POLICY, THEN)
    assert result.known_at == THEN
    return codes(result)


# --- the three lists ---------------------------------------------------------------------------


def test_a_listing_reason_names_the_list_its_day_its_authority_and_its_last_day() -> None:
    listed = listing(
        "l1",
        "COURT_DISHONEST_DEBTOR",
        date(2026, 1, 5),
        authority="最高人民法院",
        valid_until=date(2026, 12, 31),
    )
    assert assess(listed).reasons == (
        Reason(
            "LISTED_COURT_DISHONEST_DEBTOR",
            INELIGIBLE,
            text("CAIKU-2016-125-LISTS"),
            "The supplier is on the courts' list of dishonest persons subject to enforcement "
            "(失信被执行人) since 2026-01-05 (listed by 最高人民法院), valid until 2026-12-31.",
            ("l1",),
            date(2026, 12, 31),
        ),
    )
    open_ended = listing("l2", "MAJOR_TAX_VIOLATION", date(2026, 1, 5))
    (reason,) = assess(open_ended).reasons
    assert (reason.message, reason.until) == (
        "The supplier is a party to a major tax-violation case (重大税收违法失信案件当事人) "
        "since 2026-01-05.",
        None,
    )


def test_a_listing_repaired_after_an_earlier_answer_still_barred_at_that_answer() -> None:
    repaired = listing(
        "l1",
        "GP_SERIOUS_DISHONESTY",
        date(2026, 1, 5),
        status=RecordStatus.REPAIRED,
        status_date=date(2026, 4, 22),
        status_recorded_at=LATER,
    )
    assert assess(repaired).decision is ELIGIBLE
    assert then(supplier(repaired)) == ["LISTED_GP_SERIOUS_DISHONESTY"]


# --- procurement bans --------------------------------------------------------------------------


def test_a_ban_reason_names_its_days_and_its_decision_or_the_record() -> None:
    (reason,) = assess(ban("b1", date(2025, 5, 10), date(2027, 5, 9))).reasons
    assert reason == Reason(
        "ACTIVE_PROCUREMENT_BAN",
        INELIGIBLE,
        text("GPL-22-77-BAN"),
        "Banned from government procurement from 2025-05-10 to 2027-05-09 (both days "
        "included) by decision 财库处〔2025〕b1号.",
        ("b1",),
        date(2027, 5, 9),
    )
    unnumbered = ban("b2", date(2025, 5, 10), date(2027, 5, 9), decision_number="")
    assert assess(unnumbered).reasons[0].message.endswith(" by decision b2.")


def test_a_ban_without_its_end_asks_for_the_decision_to_be_checked() -> None:
    start_only = violation(
        "b1", date(2025, 3, 1), PenaltyType.PROCUREMENT_BAN, ban_start=date(2025, 4, 1)
    )
    assert assess(start_only).reasons == (
        Reason(
            "BAN_PERIOD_UNKNOWN",
            REVIEW,
            text("GPL-22-77-BAN"),
            "Decision 财库处〔2025〕b1号 imposes a procurement ban from 2025-04-01 but its end "
            "is not recorded; check the decision (a ban lasts at most 3 years).",
            ("b1",),
            date(2028, 4, 1),
        ),
    )


def test_a_ban_without_its_start_runs_from_its_decision_and_says_so() -> None:
    end_only = violation(
        "b1", date(2026, 1, 5), PenaltyType.PROCUREMENT_BAN, ban_end=date(2026, 7, 4)
    )
    (reason,) = assess(end_only).reasons
    assert reason.message == (
        "Banned from government procurement from its decision of 2026-01-05 (start not "
        "recorded) to 2026-07-04 (both days included) by decision 财库处〔2025〕b1号."
    )


# --- appeals and suspension orders -------------------------------------------------------------


def test_a_ban_under_appeal_bars_and_says_an_appeal_does_not_suspend_it() -> None:
    appealed = ban(
        "b1",
        date(2025, 5, 10),
        date(2027, 5, 9),
        status=RecordStatus.UNDER_APPEAL,
        status_date=date(2026, 4, 22),
        status_recorded_at=LATER,
    )
    (reason,) = assess(appealed).reasons
    assert (reason.code, reason.decision) == ("ACTIVE_PROCUREMENT_BAN", INELIGIBLE)
    assert reason.legal_basis == text("GPL-22-77-BAN") + "；" + APPEAL_BASIS
    assert reason.message == (
        "Banned from government procurement from 2025-05-10 to 2027-05-09 (both days "
        "included) by decision 财库处〔2025〕b1号. The decision is under appeal; an appeal does "
        "not suspend it and no suspension order is recorded."
    )
    # at THEN the appeal had not been recorded: the plain ban
    earlier = assess_supplier(supplier(appealed), AS_OF, POLICY, THEN).reasons
    assert earlier == (
        replace(reason, legal_basis=text("GPL-22-77-BAN"), message=earlier[0].message),
    )
    assert "appeal" not in earlier[0].message


def test_a_suspension_order_turns_only_the_bars_into_reviews_until_the_day_before_its_lift() -> (
    None
):
    order = {"suspended_on": date(2026, 4, 1), "status_recorded_at": LATER}
    lifted = ban(
        "b1", date(2025, 5, 10), date(2027, 5, 9), suspension_lifted_on=date(2026, 6, 1), **order
    )
    assert assess(lifted).reasons == (
        Reason(
            "DECISION_SUSPENDED",
            REVIEW,
            text("GPL-22-77-BAN") + "；" + APPEAL_BASIS,
            "Banned from government procurement from 2025-05-10 to 2027-05-09 (both days "
            "included) by decision 财库处〔2025〕b1号. Its execution was suspended by order from "
            "2026-04-01 (ACTIVE_PROCUREMENT_BAN would otherwise make the supplier ineligible): "
            "confirm the suspension still stands.",
            ("b1",),
            date(2026, 5, 31),
        ),
    )
    standing = ban("b2", date(2025, 5, 10), date(2027, 5, 9), **order)
    assert assess(standing).reasons[0].until is None  # no lift recorded: no end known
    # a review stays what it is: only a bar is suspended
    unknown_end = violation(
        "b3", date(2025, 5, 10), PenaltyType.PROCUREMENT_BAN, ban_start=date(2025, 5, 10), **order
    )
    assert codes(assess(unknown_end)) == ["BAN_PERIOD_UNKNOWN"]
    # at THEN the order had not been recorded: the ban barred
    assert then(supplier(lifted)) == ["ACTIVE_PROCUREMENT_BAN"]


# --- major illegal records (Regs Art. 19) ------------------------------------------------------


def test_a_major_record_names_every_ground_and_the_day_its_bar_ends() -> None:
    record = major(
        "m1",
        date(2025, 6, 1),
        fine_amount=Decimal("2000000"),
        penalty_types=(PenaltyType.CRIMINAL_PENALTY, PenaltyType.LICENCE_REVOCATION),
    )
    assert assess(record).reasons == (
        Reason(
            "MAJOR_ILLEGAL_RECORD_WITHIN_3_YEARS",
            INELIGIBLE,
            text("GPL-22-1-5-MAJOR", "CIVIL-201-202"),
            "Major illegal record (criminal penalty; revocation of licence; fine of CNY "
            "2,000,000 (>= 2,000,000)) decided on 2025-06-01 by decision 财库处〔2025〕m1号; it "
            "bars participation through 2028-06-01.",
            ("m1",),
            date(2028, 6, 1),
        ),
    )


def test_a_repaired_major_record_says_the_repair_ended_publication_not_the_bar() -> None:
    repaired = major(
        "m1",
        date(2025, 6, 1),
        status=RecordStatus.REPAIRED,
        status_date=date(2026, 4, 22),
        status_recorded_at=LATER,
    )
    (reason,) = assess(repaired).reasons
    assert reason.legal_basis == (
        text("GPL-22-1-5-MAJOR", "CIVIL-201-202") + "；" + text("NDRC-58-REPAIR")
    )
    assert reason.message == (
        "Major illegal record (suspension of business) decided on 2025-06-01 by decision "
        "财库处〔2025〕m1号; it bars participation through 2028-06-01 (the credit repair ended "
        "its publication, not the 3-year bar)."
    )
    (earlier,) = assess_supplier(supplier(repaired), AS_OF, POLICY, THEN).reasons
    assert earlier.legal_basis == text("GPL-22-1-5-MAJOR", "CIVIL-201-202")
    assert earlier.message.endswith("it bars participation through 2028-06-01.")


def test_a_fine_in_another_currency_asks_whether_it_reaches_the_threshold() -> None:
    fined = violation(
        "f1",
        date(2025, 6, 1),
        PenaltyType.FINE,
        fine_amount=Decimal("300000"),
        fine_currency="USD",
    )
    assert assess(fined).reasons == (
        Reason(
            "FOREIGN_CURRENCY_FINE",
            REVIEW,
            text("GPL-22-1-5-MAJOR", "CIVIL-201-202"),
            "Decision 财库处〔2025〕f1号 imposed a fine of USD 300,000; check whether it reaches "
            "the CNY 2,000,000 of a relatively large fine.",
            ("f1",),
            date(2028, 6, 1),
        ),
    )


def test_a_criminal_judgment_under_appeal_asks_whether_it_became_final_for_three_years() -> None:
    judged = violation(
        "c1",
        date(2026, 3, 1),
        PenaltyType.CRIMINAL_PENALTY,
        status=RecordStatus.UNDER_APPEAL,
        status_date=date(2026, 4, 22),
        status_recorded_at=LATER,
    )
    assert assess(judged).reasons == (
        Reason(
            "CRIMINAL_JUDGMENT_NOT_FINAL",
            REVIEW,
            text("CPL-259-FINAL"),
            "Criminal judgment 财库处〔2025〕c1号 of 2026-03-01 is under appeal and not yet in "
            "legal force, so it is not yet a major illegal record; check whether it has become "
            "final.",
            ("c1",),
            date(2029, 3, 1),
        ),
    )
    # at THEN the appeal had not been recorded: a criminal penalty, a major record
    assert then(supplier(judged)) == ["MAJOR_ILLEGAL_RECORD_WITHIN_3_YEARS"]


def test_a_restricting_penalty_counts_in_the_suppliers_answer() -> None:
    closed = violation("p1", date(2026, 1, 5), PenaltyType.ORDERED_CLOSURE)
    (reason,) = assess(closed).reasons
    assert (reason.code, reason.decision, reason.until) == (
        "RESTRICTING_PENALTY",
        REVIEW,
        date(2029, 1, 5),  # the policy's 3-year look-back
    )


# --- links to banned suppliers -----------------------------------------------------------------


def _linked(kind: LinkKind, other: str, *, received_at: datetime | None = None) -> NetworkLink:
    sister_ban = ban(f"{other}-ban", date(2025, 5, 10), date(2027, 5, 9), received_at=received_at)
    return NetworkLink(kind, f"org:{other}", f"{other}公司", "person:rep", (sister_ban,))


def test_a_link_reason_names_the_linked_supplier_the_tie_and_the_policy_rule() -> None:
    facts = supplier(network=(_linked("CONTROLLED_BY", "P"),))
    assert assess_supplier(facts, AS_OF, POLICY).reasons == (
        Reason(
            "NETWORK_LINK_TO_BANNED_SUPPLIER",
            REVIEW,
            text("POLICY-NETWORK"),
            "Is controlled by P公司 (org:P) via person:rep, which is banned from government "
            "procurement until 2027-05-09 (policy rule supplier.network.control_with_banned).",
            ("P-ban",),
            date(2027, 5, 9),
        ),
    )


def test_a_network_rule_without_a_decision_skips_only_its_own_links() -> None:
    cap_only = NetworkRule(grade_cap="C")
    network = POLICY.supplier.network.model_copy(update={"shared_legal_rep_with_banned": cap_only})
    rules = POLICY.supplier.model_copy(update={"network": network})
    policy: Policy = POLICY.model_copy(update={"supplier": rules})
    links = (_linked("SHARED_LEGAL_REP", "A"), _linked("CONTROLS", "B"))
    result = assess_supplier(supplier(network=links), AS_OF, policy)
    assert [(r.code, r.record_ids) for r in result.reasons] == [
        ("NETWORK_LINK_TO_BANNED_SUPPLIER", ("B-ban",))
    ]


def test_a_ban_received_after_an_earlier_answer_was_no_link_risk_then() -> None:
    facts = supplier(network=(_linked("SAME_CONTROLLER", "S", received_at=LATER),))
    assert codes(assess_supplier(facts, AS_OF, POLICY)) == ["NETWORK_LINK_TO_BANNED_SUPPLIER"]
    assert then(facts) == []


# --- consortia ---------------------------------------------------------------------------------


def _member(*records: CreditRecord, uscc: str = "91330106000000012Y") -> SupplierFacts:
    return SupplierFacts(
        id=f"org:{uscc or 'GB-COH-01234567'}",
        uscc=uscc,
        name="成员公司",
        records=records,
    )


def test_a_consortium_reason_names_the_member_and_every_decisive_reason() -> None:
    member = _member(
        listing("l1", "COURT_DISHONEST_DEBTOR", date(2026, 1, 5)),
        ban("b1", date(2025, 5, 10), date(2027, 5, 9)),
    )
    (reason,) = assess(consortium_members=(member,)).reasons
    assert reason == Reason(
        "CONSORTIUM_MEMBER_INELIGIBLE",
        INELIGIBLE,
        text("GPL-24-CONSORTIUM"),
        "Consortium member 成员公司 (91330106000000012Y) is ineligible: "
        "ACTIVE_PROCUREMENT_BAN, LISTED_COURT_DISHONEST_DEBTOR.",
        ("b1", "l1"),
        None,  # the listing has no end, so neither has the bar
    )


def test_a_consortium_member_without_a_uscc_is_named_by_its_key_and_needs_review() -> None:
    foreign = _member(uscc="")
    (reason,) = assess(consortium_members=(foreign,)).reasons
    assert (reason.code, reason.decision) == ("CONSORTIUM_MEMBER_NEEDS_REVIEW", REVIEW)
    assert reason.message == (
        "Consortium member 成员公司 (GB-COH-01234567) needs review: LIST_CHECK_NEEDS_USCC."
    )


def test_a_members_record_received_after_an_earlier_answer_did_not_count_then() -> None:
    member = _member(listing("l1", "COURT_DISHONEST_DEBTOR", date(2026, 1, 5), received_at=LATER))
    facts = supplier(consortium_members=(member,))
    assert codes(assess_supplier(facts, AS_OF, POLICY)) == ["CONSORTIUM_MEMBER_INELIGIBLE"]
    assert then(facts) == []


# --- identified by another scheme than the USCC ------------------------------------------------


def test_a_supplier_without_a_uscc_needs_its_lists_checked_by_name() -> None:
    foreign = supplier(id="org:GB-COH-01234567", uscc="", name="Example Ltd")
    assert assess_supplier(foreign, AS_OF, POLICY).reasons == (
        Reason(
            "LIST_CHECK_NEEDS_USCC",
            REVIEW,
            text("CAIKU-2016-125-LISTS"),
            "Example Ltd is identified as GB-COH-01234567 (GB-COH), not by a USCC; the courts' "
            "dishonest-debtor list, the major tax-violation list and the government-procurement "
            "serious-dishonesty list are kept by USCC, so this rule needs a USCC and they were "
            "not checked by code: query them by name and keep the query record.",
            (),
            None,
        ),
    )
    # only an organisation is checked against the lists by code
    assert assess_supplier(supplier(id="person:1", uscc=""), AS_OF, POLICY).reasons == ()


def test_a_link_reason_lists_the_linked_suppliers_bans_by_id() -> None:
    bans = tuple(ban(rid, date(2025, 5, 10), date(2027, 5, 9)) for rid in ("z-ban", "a-ban"))
    link = NetworkLink("SAME_CONTROLLER", "org:S", "S公司", "person:rep", bans)
    (reason,) = assess_supplier(supplier(network=(link,)), AS_OF, POLICY).reasons
    assert reason.record_ids == ("a-ban", "z-ban")


# --- Administrative Penalty Law Art. 9 penalties and reasons composed in ----------------------


def test_a_restricting_penalty_counts_from_its_decision_day_naming_its_period() -> None:
    restricted = violation(
        "p1",
        date(2026, 5, 10),
        PenaltyType.RESTRICTED_BUSINESS,
        PenaltyType.PRACTICE_BAN,
        ban_start=AS_OF,
        ban_end=date(2026, 11, 9),
    )
    assert assess(restricted, as_of=AS_OF - DAY).reasons == ()
    (reason,) = assess(restricted).reasons
    assert reason == Reason(
        "RESTRICTING_PENALTY",
        REVIEW,
        text("APL-9-PENALTIES"),
        "Decision 财库处〔2025〕p1号 of 2026-05-10 imposed restricted business activities "
        "(限制开展生产经营活动); barred from practice (限制从业), in force from 2026-05-10 to "
        "2026-11-09; check whether it is a major illegal record or stops the supplier "
        "performing (counts through 2029-05-10).",
        ("p1",),
        date(2029, 5, 10),
    )
    # only its end recorded: no period to name
    end_only = replace(restricted, ban_start=None)
    assert "in force" not in assess(end_only).reasons[0].message


def test_reasons_composed_in_keep_the_worst_first_order() -> None:
    listed = assess(listing("l1", "OTHER_REGION_SERIOUS_DISHONESTY", date(2026, 1, 5)))
    extra = [
        Reason("B_REVIEW", REVIEW, "", "", (), None),
        Reason("A_BAR", INELIGIBLE, "", "", (), None),
    ]
    composed = with_reasons(listed, extra)
    assert [r.code for r in composed.reasons] == [
        "A_BAR",
        "B_REVIEW",
        "LISTED_OTHER_REGION_SERIOUS_DISHONESTY",
    ]
    assert composed.decision is INELIGIBLE
    assert with_reasons(listed, []) is listed
