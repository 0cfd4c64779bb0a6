"""Search and neighbourhood exploration as plain functions over the store (no GraphQL here)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from credit.core.store import GraphStore, StoredEdge, StoredNode
from credit.domain import model
from credit.domain.errors import DomainError

MAX_DEPTH = 4
MAX_NODES = 1000
_LUCENE_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')
# What a supervisor may walk: every relationship the records write (credit/domain/model.py).
RELATIONSHIP_TYPES = frozenset(model.relationship_types())


class ExploreError(DomainError):
    """A search or a neighbourhood request outside what the explorer answers."""


def lucene_phrase(text: str) -> str:
    """A user's text as one escaped Lucene phrase: partial Chinese names match as bigrams, and
    nothing the user types can act as query syntax."""
    cleaned = " ".join(text.split())
    if not cleaned:
        return ""
    return '"' + _LUCENE_SPECIAL.sub(r"\\\1", cleaned) + '"'


def normalise(text: str) -> str:
    """NFKC (full-width to half-width) and no invisible format characters, so look-alike
    input finds what the plain text finds."""
    text = unicodedata.normalize("NFKC", text)
    return " ".join("".join(c for c in text if unicodedata.category(c) != "Cf").split())


SEARCHABLE_LABELS = ("Organization", "Person", "Project", "Lot")


def search(
    store: GraphStore, text: str, labels: list[str], skip: int, limit: int
) -> list[tuple[StoredNode, float]]:
    text = normalise(text)
    if not text:
        raise ExploreError("query", "min_length", "type at least one character")
    if len(text) > 100:
        raise ExploreError("query", "max_length", "search text is at most 100 characters")
    # One CJK character is below the analyzer's bigrams; plain containment finds it instead.
    phrase = lucene_phrase(text) if len(text) > 1 else ""
    exact = _by_number(store, text, labels) if skip == 0 else []
    found = store.search(phrase, text, labels, skip, limit)
    return [*exact, *(hit for hit in found if hit[0].uid not in {n.uid for n, _ in exact})][:limit]


_NUMBER = re.compile(r"[0-9A-Za-z][0-9A-Za-z_\-.:/]*")
_NUMBERED = {"Project": "project:", "Lot": "lot:"}


def _by_number(store: GraphStore, text: str, labels: list[str]) -> list[tuple[StoredNode, float]]:
    """A project number (ZFCG-2024-00506) or lot id as typed, with or without its prefix, is
    the best hit: such numbers are not names, so the name index never finds them."""
    if not _NUMBER.fullmatch(text):
        return []
    wanted = [p for label, p in _NUMBERED.items() if label in labels]
    uids = [text if text.startswith(p) else p + text for p in wanted]
    found = store.nodes(uids)
    return [(found[u], 3.0) for u in uids if u in found]


@dataclass
class Subgraph:
    nodes: dict[str, StoredNode] = field(default_factory=dict)
    edges: dict[str, StoredEdge] = field(default_factory=dict)
    truncated: bool = False


def neighbourhood(
    store: GraphStore, uid: str, depth: int, types: list[str] | None, limit: int
) -> Subgraph | None:
    """Breadth-first, one bounded query per hop, so a hub (a shared phone, a big purchaser)
    can't make the answer unbounded."""
    if not 1 <= depth <= MAX_DEPTH:
        raise ExploreError("depth", "range", f"depth is between 1 and {MAX_DEPTH}")
    if not 1 <= limit <= MAX_NODES:
        raise ExploreError("limit", "range", f"limit is between 1 and {MAX_NODES}")
    unknown = sorted(set(types or []) - RELATIONSHIP_TYPES)
    if unknown:
        raise ExploreError("relationshipTypes", "enum", f"unknown relationship type {unknown[0]}")
    root = store.node(uid)
    if root is None:
        return None
    graph = Subgraph(nodes={uid: root})
    frontier = [uid]
    for _ in range(depth):
        if not frontier:
            break
        room = limit - len(graph.nodes)
        if room <= 0:
            graph.truncated = True
            break
        hop = store.expand(frontier, types, limit=room * 4 + len(graph.edges) + 1)
        next_frontier = []
        for edge, node in hop:
            if node.uid not in graph.nodes:
                if len(graph.nodes) >= limit:
                    graph.truncated = True
                    continue
                graph.nodes[node.uid] = node
                next_frontier.append(node.uid)
            graph.edges[edge.id] = edge
        frontier = next_frontier
    graph.edges = {
        k: e for k, e in graph.edges.items() if e.start in graph.nodes and e.end in graph.nodes
    }
    return graph
