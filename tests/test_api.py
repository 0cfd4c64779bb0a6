"""The GraphQL API over HTTP against a real Neo4j: lookups, search, neighbourhoods, paging,
mutations, and the limits that keep one query from taking the service down."""

from __future__ import annotations

from typing import Any

import pytest

from credit.core.store import GraphStore
from credit.intake.pipeline import Intake
from tests import factories as f
from tests.conftest import GraphQLClient, ingest

SUPPLIER = f.make_uscc(1)


@pytest.fixture
def market(intake: Intake) -> None:
    records: list[dict[str, Any]] = [
        f.organization(1, name="杭州鼎盛建设工程有限公司", phones=["0571-1234567"]),
        f.organization(2, name="宁波鼎盛建设有限公司", phones=["0571-1234567"]),
        f.organization(3, name="温州华信科技有限公司"),
        f.organization(9, roles=["PURCHASER"], name="杭州市财政局"),
        f.person(1, name="王伟"),
        f.project("P1", 9),
        f.lot("L1", "P1"),
        f.bid("B1", "L1", 1, "100000.00"),
        f.bid("B2", "L1", 2, "101000.00"),
        f.tie("LEGAL_REP_OF", {"person": f.make_id_number(1)}, {"org": SUPPLIER}),
        f.violation("V1", 1),
    ]
    assert ingest(intake, records).errors == []


@pytest.mark.usefixtures("market")
def test_an_organization_is_found_by_uscc_with_its_records(gql: GraphQLClient) -> None:
    data = gql.ok(
        """query($u: String!) { organization(uscc: $u) { id name roles
             violations { violationId severity fine { amount currency } status }
             bids { bidId price { amount }
                    lot { lotId project { projectId purchaser { name } } } } } }""",
        u=SUPPLIER,
    )
    org = data["organization"]
    assert org["name"] == "杭州鼎盛建设工程有限公司"
    assert org["violations"] == [
        {
            "violationId": "V1",
            "severity": "SERIOUS",
            "fine": {"amount": "50000.00", "currency": "CNY"},
            "status": "ACTIVE",
        }
    ]
    assert org["bids"][0]["lot"]["project"]["purchaser"]["name"] == "杭州市财政局"


def test_a_lookup_with_a_wrong_check_character_names_field_and_rule(gql: GraphQLClient) -> None:
    error = gql.error(
        "query($u: String!) { organization(uscc: $u) { id } }", u=f.wrong_check(SUPPLIER)
    )
    assert error["extensions"] == {
        "code": "BAD_USER_INPUT",
        "field": "uscc",
        "rule": "uscc.check_character",
        "label": "统一社会信用代码无效 Not a valid USCC",  # the pages' sentence (credit/labels)
    }


@pytest.mark.usefixtures("market")
@pytest.mark.parametrize("text", ["鼎盛", "鼎盛建设", "华信科技", "盛"])
def test_search_finds_chinese_names_by_partial_input(gql: GraphQLClient, text: str) -> None:
    data = gql.ok(
        "query($q: String!) { search(query: $q) { nodes { score node { name } } } }", q=text
    )
    names = [hit["node"]["name"] for hit in data["search"]["nodes"]]
    assert names and all(text in name for name in names)


@pytest.mark.usefixtures("market")
def test_search_ranks_the_closer_name_first(gql: GraphQLClient) -> None:
    data = gql.ok('{ search(query: "鼎盛建设工程") { nodes { node { name } } } }')
    assert data["search"]["nodes"][0]["node"]["name"] == "杭州鼎盛建设工程有限公司"


@pytest.mark.usefixtures("market")
@pytest.mark.parametrize("text", ['") RETURN 1 //', "name:* OR *", "' OR 1=1 --", "\\", "x" * 100])
def test_search_treats_query_syntax_as_plain_text(gql: GraphQLClient, text: str) -> None:
    data = gql.ok("query($q: String!) { search(query: $q) { nodes { node { id } } } }", q=text)
    assert data["search"]["nodes"] == []


@pytest.mark.usefixtures("market")
def test_invisible_and_full_width_characters_do_not_change_results(gql: GraphQLClient) -> None:
    query = "query($q: String!) { search(query: $q) { nodes { node { id } } } }"
    plain = gql.ok(query, q="鼎盛")["search"]["nodes"]
    assert plain and gql.ok(query, q="\u200b鼎\u200d盛\ufeff")["search"]["nodes"] == plain
    assert (
        gql.ok(query, q="ｈｕａｘｉｎ")["search"]["nodes"]
        == gql.ok(query, q="huaxin")["search"]["nodes"]
    )


@pytest.mark.usefixtures("market")
def test_the_neighbourhood_shows_shared_phones_as_hubs(gql: GraphQLClient) -> None:
    data = gql.ok(
        """query($id: ID!) { neighbourhood(id: $id, depth: 2, relationshipTypes: ["HAS_PHONE"])
             { nodes { id kind } edges { type source target } truncated } }""",
        id=f"org:{SUPPLIER}",
    )
    graph = data["neighbourhood"]
    ids = {n["id"] for n in graph["nodes"]}
    assert ids == {f"org:{SUPPLIER}", "phone:05711234567", f"org:{f.make_uscc(2)}"}
    assert {e["type"] for e in graph["edges"]} == {"HAS_PHONE"}
    assert graph["truncated"] is False


@pytest.mark.usefixtures("market")
def test_the_neighbourhood_is_bounded_by_its_limit(gql: GraphQLClient) -> None:
    data = gql.ok(
        "query($id: ID!) { neighbourhood(id: $id, depth: 3, limit: 3) { nodes { id } truncated } }",
        id=f"org:{SUPPLIER}",
    )
    assert len(data["neighbourhood"]["nodes"]) == 3
    assert data["neighbourhood"]["truncated"] is True


@pytest.mark.parametrize(
    ("args", "field", "rule"),
    [("depth: 9", "depth", "range"), ('relationshipTypes: ["KNOWS"]', "relationshipTypes", "enum")],
)
def test_bad_neighbourhood_arguments_are_refused(
    gql: GraphQLClient, args: str, field: str, rule: str
) -> None:
    error = gql.error(f'{{ neighbourhood(id: "org:x", {args}) {{ truncated }} }}')
    assert (error["extensions"]["field"], error["extensions"]["rule"]) == (field, rule)


@pytest.mark.usefixtures("market")
def test_pages_follow_cursors_without_gaps_or_repeats(gql: GraphQLClient) -> None:
    seen: list[str] = []
    after = None
    while True:
        data = gql.ok(
            "query($a: String) { organizations(first: 2, after: $a) "
            "{ nodes { uscc } pageInfo { hasNextPage endCursor } } }",
            a=after,
        )["organizations"]
        seen += [n["uscc"] for n in data["nodes"]]
        if not data["pageInfo"]["hasNextPage"]:
            break
        after = data["pageInfo"]["endCursor"]
    assert seen == sorted({f.make_uscc(n) for n in (1, 2, 3, 9)})


@pytest.mark.parametrize(
    ("cursor", "rule"),
    [("not-a-cursor!!", "cursor.malformed"), ("YzF8c2VhcmNofDE", "cursor.foreign")],
)
def test_a_malformed_or_foreign_cursor_is_a_clear_error(
    gql: GraphQLClient, cursor: str, rule: str
) -> None:
    error = gql.error("query($a: String) { organizations(after: $a) { nodes { id } } }", a=cursor)
    assert (error["extensions"]["field"], error["extensions"]["rule"]) == ("after", rule)


def test_page_size_is_capped(gql: GraphQLClient) -> None:
    error = gql.error("{ organizations(first: 500) { nodes { id } } }")
    assert error["extensions"]["rule"] == "range"


def test_an_expensive_query_is_refused_before_it_runs(gql: GraphQLClient) -> None:
    error = gql.error("{ organizations(first: 200) { nodes { bids { lot { bids { id } } } } } }")
    assert error["extensions"]["code"] == "COST_LIMIT"


def test_upsert_organization_validates_and_writes(gql: GraphQLClient, store: GraphStore) -> None:
    mutation = """mutation($u: String!) { upsertOrganization(input: {uscc: $u, name: "新公司",
                  roles: [SUPPLIER, AGENCY]}) { id roles } }"""
    data = gql.ok(mutation, u=f.make_uscc(40))
    assert data["upsertOrganization"]["roles"] == ["AGENCY", "SUPPLIER"]
    error = gql.error(mutation, u=f.wrong_check(f.make_uscc(41)))
    assert error["extensions"]["rule"] == "uscc.check_character"
    assert store.node(f"org:{f.make_uscc(41)}") is None


@pytest.mark.usefixtures("market")
def test_record_violation_rejects_a_negative_fine_and_writes_nothing(
    gql: GraphQLClient, store: GraphStore
) -> None:
    mutation = """mutation($u: String!, $fine: String!) { recordViolation(input: {id: "V2",
        subjectUscc: $u, category: BRIBERY, severity: MAJOR, decisionNumber: "财库〔2025〕9号",
        authority: "浙江省财政厅", basis: "政府采购法第七十七条",
        penaltyTypes: [FINE, PROCUREMENT_BAN],
        fine: {amount: $fine}, decidedOn: "2025-05-01", banStart: "2025-05-01",
        banEnd: "2028-04-30"}) { violationId banEnd subject { ... on Organization { uscc } } } }"""
    error = gql.error(mutation, u=SUPPLIER, fine="-1.00")
    assert (error["extensions"]["field"], error["extensions"]["rule"]) == ("fine.amount", "minimum")
    assert store.node("violation:V2") is None
    data = gql.ok(mutation, u=SUPPLIER, fine="2000000.00")
    assert data["recordViolation"] == {
        "violationId": "V2",
        "banEnd": "2028-04-30",
        "subject": {"uscc": SUPPLIER},
    }


def test_upsert_person_shows_only_the_masked_identity_number(gql: GraphQLClient) -> None:
    number = f.make_id_number(5)
    data = gql.ok(
        'mutation($n: String!) { upsertPerson(input: {idNumber: $n, name: "李娜", '
        'expertSpecialties: ["工程造价"]}) { id maskedIdNumber isExpert } }',
        n=number,
    )
    person = data["upsertPerson"]
    assert person["maskedIdNumber"] == number[:4] + "**********" + number[-4:]
    assert number not in person["id"] and person["isExpert"] is True


def test_ingest_records_lands_the_good_and_reports_the_bad(gql: GraphQLClient) -> None:
    data = gql.ok(
        "mutation($r: [JSON!]!) { ingestRecords(records: $r) "
        "{ received changed rejected errors { index field rule } ids } }",
        r=[f.organization(1), f.organization(2, uscc="123"), f.organization(3)],
    )["ingestRecords"]
    assert (data["received"], data["changed"], data["rejected"]) == (3, 2, 1)
    assert data["errors"] == [{"index": 1, "field": "uscc", "rule": "uscc.length"}]
    assert data["ids"] == [f"org:{f.make_uscc(1)}", None, f"org:{f.make_uscc(3)}"]


def test_an_over_deep_query_is_refused(gql: GraphQLClient) -> None:
    deep = (
        '{ organization(uscc: "x") { bids { lot { bids { lot { bids { lot { bids { lot '
        "{ bids { id } } } } } } } } } } }"
    )
    error = gql.error(deep)
    assert "exceeds maximum operation depth" in error["message"]


def test_too_many_aliases_are_refused(gql: GraphQLClient) -> None:
    query = "{ " + " ".join(f'a{i}: node(id: "x") {{ id }}' for i in range(40)) + " }"
    error = gql.error(query)
    assert "aliases" in error["message"]


def test_health_checks_answer_without_a_token(api_url: str) -> None:
    import httpx

    assert httpx.get(f"{api_url}/health/ready").json() == {"status": "ok"}
    assert httpx.get(f"{api_url}/health/live").status_code == 200


def test_graphiql_page_is_served(api_url: str) -> None:
    import httpx

    page = httpx.get(f"{api_url}/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
