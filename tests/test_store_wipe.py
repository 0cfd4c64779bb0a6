"""GraphStore.wipe empties the graph whatever the degree of its nodes (issue 21): after a large
market a hub (a device, a date, a purchaser) has very many relationships, and deleting a batch
of nodes with all of theirs in one transaction ran out of transaction memory on the 512 MB heap
the tests run on (CREDIT_NEO4J_HEAP=512m)."""

from __future__ import annotations

from credit.core.store import GraphStore

DEGREE = 200_000  # the old wipe (10,000 nodes with all their relationships) ran out here
CHUNK = 10_000  # built in several transactions, so building it fits the heap

LEFT = """
MATCH (n) WHERE NOT (n:Migration OR n:FeedHead OR n:AuditHead)
WITH count(n) AS nodes
RETURN nodes, COUNT { ()-[]->() } AS relationships
"""


def test_a_hub_of_two_hundred_thousand_relationships_is_wiped(store: GraphStore) -> None:
    store.write("CREATE (:Entity:Identifier:Device {uid: 'device:hub', value: 'hub'})")
    for start in range(0, DEGREE, CHUNK):
        store.write(
            "MATCH (h:Entity {uid: 'device:hub'}) "
            "UNWIND range($start, $end) AS i "
            "CREATE (:Entity:Bid {uid: 'bid:' + i, key: 'B-' + i, note: $note})"
            "-[:CREATED_ON {owner: 'bid:' + i, source: 'test'}]->(h)",
            start=start,
            end=start + CHUNK - 1,
            note="x" * 64,
        )
    built = store.read(LEFT)[0]
    assert (built["nodes"], built["relationships"]) == (DEGREE + 1, DEGREE)
    migrations = store.read("MATCH (m:Migration) RETURN count(m) AS n")[0]["n"]
    store.wipe()
    left = store.read(LEFT)[0]
    assert (left["nodes"], left["relationships"]) == (0, 0)
    assert store.read("MATCH (m:Migration) RETURN count(m) AS n")[0]["n"] == migrations
    heads = store.read("MATCH (h) WHERE h:FeedHead OR h:AuditHead RETURN h.seq AS seq")
    assert [h["seq"] for h in heads] == [0, 0]
