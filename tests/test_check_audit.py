"""A check record and the audit event of the request that filed it commit in one transaction
(issue 21.5): an answered check has both, a request whose event cannot be written leaves
neither, and until the event joins it nothing of the check is visible to anyone else."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

from credit.core.store import REQUEST_TRANSACTION, GraphStore, RequestTransaction
from credit.intake.mapping import org_uid
from credit.intake.pipeline import Intake
from credit.policy import load_policy
from credit.security.audit import AuditEvent, append_in, verify_chain
from credit.security.permissions import Role
from credit.standing import service as assessment
from graph import audit_queries as audit_q
from tests import factories as f
from tests.conftest import GraphQLClient, ingest, token_for
from tests.test_attacks_ownership import _answered_then_killed

A = f.make_uscc(1)
CHECK = """query($u: String!) { supplierEligibility(uscc: $u, asOf: "2026-11-29") {
  decision checkRecord { id logIndex } } }"""
RECORDS = "MATCH (c:CheckRecord) RETURN c.id AS id ORDER BY id"


def _events(store: GraphStore) -> list[dict[str, Any]]:
    rows = store.read(audit_q.AUDIT_PAGE, after=0, limit=1000)
    return [r["e"] for r in rows if r["e"]["operation"] == "Query.supplierEligibility"]


def _records(store: GraphStore) -> list[str]:
    return [r["id"] for r in store.read(RECORDS)]


def test_an_answered_check_has_its_record_and_its_event(
    intake: Intake, gql: GraphQLClient, store: GraphStore
) -> None:
    assert ingest(intake, [f.organization(1)]).errors == []
    record = gql.ok(CHECK, u=A)["supplierEligibility"]["checkRecord"]
    assert _records(store) == [record["id"]]
    [event] = _events(store)
    assert event["outcome"] == "ok" and record["id"] in event["targets"]
    assert org_uid(A) in event["targets"]
    assert verify_chain(store).intact


def test_concurrent_checks_beyond_the_thread_pool_are_all_answered(
    intake: Intake, gql: GraphQLClient, store: GraphStore
) -> None:
    """More concurrent checks than the server's thread pool has threads: the checks waiting
    for the log head's lock must not keep the one holding it from committing."""
    assert ingest(intake, [f.organization(1)]).errors == []

    def check(_: int) -> dict[str, Any]:
        ref: dict[str, Any] = gql.ok(CHECK, u=A)["supplierEligibility"]["checkRecord"]
        return ref

    with ThreadPoolExecutor(max_workers=24) as pool:
        answers = list(pool.map(check, range(48)))
    assert sorted(a["logIndex"] for a in answers) == list(range(48))
    named = [t for e in _events(store) for t in e["targets"] if t.startswith("check:")]
    assert sorted(named) == sorted(a["id"] for a in answers) == sorted(_records(store))
    assert verify_chain(store).intact


def test_a_check_whose_audit_event_cannot_be_written_files_no_record(
    intake: Intake, gql: GraphQLClient, store: GraphStore
) -> None:
    assert ingest(intake, [f.organization(1)]).errors == []
    store.write("MATCH (h:AuditHead {id: 1}) SET h.seq = 'broken'")  # no event can be sealed
    error = gql.error(CHECK, u=A)
    assert error["extensions"]["code"] == "AUDIT_UNAVAILABLE"
    assert _records(store) == [], "a check record was filed without its audit event"
    assert store.read("MATCH (h:CheckLogHead) RETURN h.size AS n") in ([], [{"n": 0}])


def test_an_answered_check_keeps_record_and_event_when_the_server_is_killed(
    intake: Intake, store: GraphStore
) -> None:
    assert ingest(intake, [f.organization(1)]).errors == []
    body = _answered_then_killed(token_for(Role.PURCHASER), CHECK, u=A)
    record = body["data"]["supplierEligibility"]["checkRecord"]
    assert _records(store) == [record["id"]]
    assert [record["id"] in e["targets"] for e in _events(store)] == [True]


def _event(uid: str) -> AuditEvent:
    return AuditEvent("tester", "tester", ("PURCHASER",), "jwt", "Query.test", (uid,), "ok", "")


def test_a_check_left_open_commits_with_its_event_or_not_at_all(
    intake: Intake, store: GraphStore
) -> None:
    """The store's side: the check's transaction stays open (its record invisible) until the
    event is appended; a failing append rolls the record back with it."""
    assert ingest(intake, [f.organization(1)]).errors == []
    policy = load_policy()
    for fails in (True, False):
        pending = RequestTransaction(store.driver, store.database)
        token = REQUEST_TRANSACTION.set(pending)
        try:
            check = assessment.check_supplier(
                store, policy, org_uid(A), date(2026, 11, 29), None, "tester"
            )
        finally:
            REQUEST_TRANSACTION.reset(token)
        assert pending.open and _records(store) == [], "visible before its event"

        def last(tx: Any, record: str = check.record.id, fails: bool = fails) -> None:
            append_in(tx, [_event(record)])
            if fails:
                raise RuntimeError("the event could not be written")

        try:
            assert pending.commit(last)
        except RuntimeError:
            assert fails
        assert not pending.open
        assert _records(store) == ([] if fails else [check.record.id])
        events = store.read(audit_q.AUDIT_PAGE, after=0, limit=10)
        assert [e["e"]["targets"] for e in events] == ([] if fails else [[check.record.id]])
    assert verify_chain(store).intact
