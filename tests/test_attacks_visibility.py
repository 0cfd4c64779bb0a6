"""Issue 14 as a list of attacks on row- and field-level visibility, each named with its finding
number, each run over HTTP with real tokens: people's data (2), other units' lots (7), the other
buyers' part of a flag (8) and supervisors' review notes (16)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
    get_named_type,
)

from credit.api.schema import build_schema
from credit.core.settings import Settings
from credit.core.wiring import get_mapper
from credit.intake.pipeline import Intake
from credit.security.permissions import Role, load_table
from tests import factories as f
from tests.conftest import GraphQLClient, run_cli
from tests.detect_fixtures import background, buyer, load, suppliers, tender
from tests.test_detect_api import bid_opening

OWNER, OTHER = 90, 92  # two purchasers
EXPERT_NAME = "王专家"


def _person(n: int) -> str:
    return get_mapper().person_uid_for(f.make_id_number(n))


def _leaks_person_id(value: Any) -> bool:
    return "person:" in json.dumps(value, ensure_ascii=False)


# --- finding 2: people's names and ids -------------------------------------------------------

# What the schema walk treats as able to carry a person's data: every field of Person, every
# field that returns a Person (or a union with it), every free-form JSON map, and every text or
# id field whose name speaks of people, parties, notes or texts.
_PERSONAL_WORDS = re.compile(
    r"name|person|expert|part(y|ies)|subject|review|actor|requested|created|owner|via|pool|"
    r"panel|declined|inspector|message|summary|reason|detail|ground|comment|finding|contact|"
    r"phone|email|address|kin|employ|document|listed|source|target|record|content|facts|"
    r"properties|text|draft",
    re.IGNORECASE,
)


def _can_carry_personal_data(type_name: str, field_name: str, field_type: Any) -> bool:
    named = get_named_type(field_type)
    if type_name in ("Person", "EntityNode") or named.name in ("Person", "JSON"):
        return True
    if isinstance(named, GraphQLUnionType) and any(t.name == "Person" for t in named.types):
        return True
    if not isinstance(named, GraphQLScalarType) or named.name not in ("String", "ID"):
        return False  # an object's own fields are walked in their turn
    return bool(_PERSONAL_WORDS.search(field_name))


def test_finding_2_every_field_that_can_carry_personal_data_is_classified_in_the_table() -> None:
    schema = build_schema(Settings())._schema
    table = load_table()
    found = [
        f"{type_name}.{name}"
        for type_name, t in schema.type_map.items()
        if isinstance(t, GraphQLObjectType)
        and not type_name.startswith("__")
        and type_name not in ("Query", "Mutation")
        for name, field in t.fields.items()
        if _can_carry_personal_data(type_name, name, field.type)
    ]
    unclassified = sorted(k for k in found if k not in table.fields and k not in table.public)
    assert unclassified == [], f"classify in permissions.toml [fields] or [public]: {unclassified}"
    assert len(found) > 60  # the walk does find them: names, ids, texts, maps
    assert not set(table.fields) & set(table.public)


def test_finding_2_purchaser_gets_no_person_name_from_credit_profile(
    intake: Intake, client_as: Callable[..., GraphQLClient], gql: GraphQLClient
) -> None:
    load(intake, [f.person(20, name=EXPERT_NAME, expert={"specialties": ["综合"]})])
    query = "query($id: ID!) { creditProfile(id: $id) { name subjectId subjectType } }"
    purchaser = client_as(Role.PURCHASER, org=f.make_uscc(OWNER))
    seen = purchaser.ok(query, id=_person(20))["creditProfile"]
    assert seen["name"] == "王**" and seen["subjectType"] == "expert"
    assert not _leaks_person_id(seen)
    agency = client_as(Role.AGENCY, org=f.make_uscc(91))
    assert agency.ok(query, id=_person(20))["creditProfile"]["name"] != EXPERT_NAME
    assert gql.ok(query, id=_person(20))["creditProfile"]["name"] == EXPERT_NAME


def test_finding_2_person_ids_do_not_reach_purchasers_through_a_violations_subject(
    intake: Intake, client_as: Callable[..., GraphQLClient], gql: GraphQLClient
) -> None:
    load(
        intake,
        [
            f.person(20, name=EXPERT_NAME, expert={"specialties": ["综合"]}),
            f.violation("V1", {"person": f.make_id_number(20)}),
        ],
    )
    query = '{ violation(id: "V1") { subject { ... on Person { id maskedIdNumber } } } }'
    purchaser = client_as(Role.PURCHASER, org=f.make_uscc(OWNER))
    subject = purchaser.ok(query)["violation"]["subject"]
    assert subject["id"].startswith("anon:") and subject["maskedIdNumber"]
    refused = purchaser.error(query.replace("maskedIdNumber", "name"))
    assert refused["extensions"] == {"code": "FORBIDDEN", "field": "Person.name"}
    assert gql.ok(query)["violation"]["subject"]["id"] == _person(20)


def _reviewer_related_to_a_bidder(intake: Intake) -> None:
    """Lot L1 of purchaser 90 reviewed by expert 20, a sibling of bidder 2's legal rep."""
    kin = f.tie(
        "RELATIVE_OF",
        {"person": f.make_id_number(20)},
        {"person": f.make_id_number(11)},
        kinship="SIBLING",
    )
    rep = f.tie("LEGAL_REP_OF", {"person": f.make_id_number(11)}, {"org": f.make_uscc(2)})
    prices = {1: "1000000", 2: "1043700", 3: "1097350"}
    load(
        intake,
        [
            *suppliers(1, 2, 3),
            buyer(OWNER),
            f.person(20, name=EXPERT_NAME, expert={"specialties": ["综合"]}),
            f.person(11, name="李代表"),
            rep,
            kin,
            *tender("L1", prices, purchaser=OWNER, reviewers=[20]),
        ],
    )


EXPERT_FLAG = """query($lot: ID!) { lotFlags(lotId: $lot) { flags { id pattern title: message
  otherPartyIds facts evidence { nodes { id kind name properties }
  edges { type source target properties } } } } }"""


def test_finding_2_a_flag_about_a_reviewer_shows_a_purchaser_no_kinship_and_no_person_ids(
    intake: Intake, client_as: Callable[..., GraphQLClient], gql: GraphQLClient
) -> None:
    _reviewer_related_to_a_bidder(intake)
    purchaser = client_as(Role.PURCHASER, org=f.make_uscc(OWNER))
    flags = purchaser.ok(EXPERT_FLAG, lot="L1")["lotFlags"]["flags"]
    (flag,) = [x for x in flags if x["pattern"] == "EXPERT_CONFLICT"]
    assert not _leaks_person_id(flag), json.dumps(flag, ensure_ascii=False)
    assert "relative" not in flag["title"] and flag["facts"] == {}
    assert all(o.startswith("anon:") for o in flag["otherPartyIds"])
    nodes = flag["evidence"]["nodes"]
    persons = [n for n in nodes if n["kind"] == "person"]
    assert persons and all(n["name"] not in (EXPERT_NAME, "李代表") for n in persons)
    assert all("kinship" not in e["properties"] for e in flag["evidence"]["edges"])
    shown = {n["id"] for n in nodes}  # pseudonyms keep the evidence graph connected
    assert all({e["source"], e["target"]} <= shown for e in flag["evidence"]["edges"])
    full = gql.ok(EXPERT_FLAG, lot="L1")["lotFlags"]["flags"]
    (whole,) = [x for x in full if x["pattern"] == "EXPERT_CONFLICT"]
    assert whole["otherPartyIds"] == [_person(20)] and "relative" in whole["title"]


def test_finding_2_flags_export_carries_no_person_ids_or_kinship(
    intake: Intake, gql: GraphQLClient
) -> None:
    _reviewer_related_to_a_bidder(intake)
    gql.ok(EXPERT_FLAG, lot="L1")
    result = run_cli("flags", "export")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    (flag,) = [x for x in lines if x["pattern"] == "EXPERT_CONFLICT"]
    assert "person:" not in result.stdout and "relative" not in flag["message"]
    assert flag["others"] and all(o.startswith("anon:") for o in flag["others"])


# --- finding 7: lots of other units -----------------------------------------------------------


def _two_purchasers(intake: Intake) -> None:
    load(
        intake,
        [
            *suppliers(1, 2),
            buyer(OWNER),
            buyer(OTHER),
            *tender("L1", {1: "1000000", 2: "1043700"}, purchaser=OWNER),
        ],
    )


def test_finding_7_a_purchaser_reads_no_bids_or_prices_of_another_purchasers_lot(
    intake: Intake, client_as: Callable[..., GraphQLClient]
) -> None:
    _two_purchasers(intake)
    reads = {
        "lot": '{ lot(id: "L1") { bids { price { amount } } } }',
        "project": '{ project(id: "P-L1") { lots { bids { id } } } }',
        "bid": '{ bid(id: "L1-B1") { price { amount } } }',
    }
    supplier_bids = "query($u: String!) { organization(uscc: $u) { bids { id price { amount } } } }"
    stranger = client_as(Role.PURCHASER, org=f.make_uscc(OTHER))
    for root, query in reads.items():
        assert stranger.ok(query)[root] is None, root
    assert stranger.ok(supplier_bids, u=f.make_uscc(1))["organization"]["bids"] == []
    owner = client_as(Role.PURCHASER, org=f.make_uscc(OWNER))
    assert len(owner.ok(reads["lot"])["lot"]["bids"]) == 2
    assert owner.ok(reads["bid"])["bid"]["price"]["amount"] == "1000000"
    assert len(owner.ok(supplier_bids, u=f.make_uscc(1))["organization"]["bids"]) == 1


def test_finding_7_a_purchaser_cannot_check_another_purchasers_lot(
    intake: Intake, client_as: Callable[..., GraphQLClient], gql: GraphQLClient
) -> None:
    _two_purchasers(intake)
    lot_check = '{ lotEligibility(lotId: "L1") { decision checkRecord { id } } }'
    one_check = 'query($u: String!) { supplierEligibility(uscc: $u, lotId: "L1") { decision } }'
    stranger = client_as(Role.PURCHASER, org=f.make_uscc(OTHER))
    nobody = client_as(Role.AGENCY)  # an agency token of no unit
    for client in (stranger, nobody):
        for error in (client.error(lot_check), client.error(one_check, u=f.make_uscc(1))):
            assert error["extensions"] == {"code": "FORBIDDEN", "field": "lotId"}
            assert error["message"].startswith("lotId: unit.not_yours:")
    filed = gql.ok("{ auditEvents { nodes { operation outcome } } }")["auditEvents"]["nodes"]
    assert all(e["outcome"] != "ok" for e in filed if "Eligibility" in e["operation"])
    owner = client_as(Role.PURCHASER, org=f.make_uscc(OWNER))
    assert owner.ok(lot_check)["lotEligibility"]["checkRecord"]["id"]
    assert gql.ok(lot_check)["lotEligibility"]["decision"]


# --- finding 8: a flag over several buyers' lots -----------------------------------------------


def _rotation_over_two_purchasers(intake: Intake) -> None:
    """Suppliers 1-3 take turns winning five lots, alternately of purchaser 90 and 92."""
    records: list[dict[str, Any]] = [
        buyer(OWNER),
        buyer(OTHER),
        *suppliers(1, 2, 3, 4, 5),
        *background(purchaser=OWNER),
    ]
    for i, winner in enumerate([1, 2, 3, 1, 2]):
        base = 2_000_000 + 104_729 * i
        prices = {winner: str(base)}
        for k, member in enumerate(m for m in (1, 2, 3) if m != winner):
            prices[member] = str(base + 20_011 + 19_997 * k)
        for k, outsider in enumerate((4, 5)):
            prices[outsider] = str(base + 200_003 + 30_011 * k)
        owner = OWNER if i % 2 == 0 else OTHER
        records += tender(f"R{i}", prices, purchaser=owner, day=f"2025-{i + 1:02d}-10")
    load(intake, records)


ROTATION = """query($id: ID!) { flag(id: $id) { pattern lotIds message facts otherPartyIds
  evidence { nodes { id kind } edges { type source target } } } }"""


def test_finding_8_a_buyer_sees_only_its_own_lots_part_of_a_flag_over_several_buyers(
    intake: Intake, client_as: Callable[..., GraphQLClient], gql: GraphQLClient
) -> None:
    _rotation_over_two_purchasers(intake)
    history = """{ lotFlags(lotId: "R4", history: true) { flags { id pattern } } }"""
    flags = gql.ok(history)["lotFlags"]["flags"]
    (flag_id,) = [x["id"] for x in flags if x["pattern"] == "BID_ROTATION"]
    whole = gql.ok(ROTATION, id=flag_id)["flag"]
    assert {"lot:R1", "lot:R3"} < set(whole["lotIds"])
    other = client_as(Role.PURCHASER, org=f.make_uscc(OTHER))
    part = other.ok(ROTATION, id=flag_id)["flag"]
    assert set(part["lotIds"]) == {"lot:R1", "lot:R3"}
    assert part["message"] != whole["message"] and "2 of" in part["message"]
    assert part["facts"] == {}
    foreign = re.compile(r"^(lot|bid|award):R[024]\b")
    assert not [n["id"] for n in part["evidence"]["nodes"] if foreign.match(n["id"])]
    for edge in part["evidence"]["edges"]:
        assert not foreign.match(edge["source"]) and not foreign.match(edge["target"])
    assert any(n["id"].startswith("bid:R1") for n in part["evidence"]["nodes"])
    assert f"org:{f.make_uscc(OWNER)}" not in part["otherPartyIds"]
    owner = client_as(Role.PURCHASER, org=f.make_uscc(OWNER))
    mine = owner.ok(ROTATION, id=flag_id)["flag"]
    assert set(mine["lotIds"]) == {"lot:R0", "lot:R2", "lot:R4"}


# --- finding 16: supervisors' review notes -----------------------------------------------------

NOTES = """query($id: ID!) { flag(id: $id) { status reviewedBy reviewedAt reviewReason
  reviews { reason reviewerName } drafts { summary createdBy } } }"""


def test_finding_16_a_purchaser_sees_no_review_reason_reviewer_or_violation_draft(
    intake: Intake, client_as: Callable[..., GraphQLClient], gql: GraphQLClient
) -> None:
    bid_opening(intake)
    flags = gql.ok('{ lotFlags(lotId: "L1") { flags { id pattern } } }')["lotFlags"]["flags"]
    (flag_id,) = [x["id"] for x in flags if x["pattern"] == "SAME_DEPOSIT_ACCOUNT"]
    gql.ok(
        """mutation($id: ID!) { reviewFlag(id: $id, decision: CONFIRM, reason: "银行流水证实",
          createDraftViolation: true) { flag { id } } }""",
        id=flag_id,
    )
    purchaser = client_as(Role.PURCHASER, org=f.make_uscc(90))
    seen = purchaser.ok(NOTES, id=flag_id)["flag"]
    assert seen["status"] == "CONFIRMED" and seen["reviewedAt"]
    assert seen["reviewedBy"] is None and seen["reviewReason"] is None
    assert seen["reviews"] == [] and seen["drafts"] == []
    full = gql.ok(NOTES, id=flag_id)["flag"]
    assert full["reviewReason"] == "银行流水证实" and full["reviewedBy"] == "supervisor"
    assert full["reviews"][0]["reviewerName"] == "supervisor" and full["drafts"]
