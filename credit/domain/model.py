"""Each kind of record, described once: its key, the labels and properties it is stored with,
and its relationships with their names and directions (in the spirit of FollowTheMoney's
schema). The description drives the intake's mapping of references (credit/intake/mapping.py),
the GraphQL relationship fields (credit/api/types.py), the check that the graph has a
constraint for every key (tests/test_model.py) and the model documentation (docs/model.md,
`credit model`). Who may see which field is the permission table's
(credit/security/permissions.toml); the documentation shows it beside each property.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# What the other end of a relationship is: a kind's uid prefix, "party" (an organisation or a
# person, by reference), or "hub" (a shared identifier node: phone, e-mail, account, device).
Target = Literal[
    "org",
    "person",
    "party",
    "group",
    "project",
    "lot",
    "bid",
    "award",
    "hub",
    "identity",
    "section",
]


@dataclass(frozen=True)
class Link:
    """A relationship a record of the declaring kind writes.

    `field` is the record field naming the other end; `outgoing` says whether the relationship
    points from the record to it (False: from it to the record). `forward` and `backward` are
    the GraphQL fields that follow it from the record's type and from the other end's type."""

    type: str
    field: str
    target: Target
    outgoing: bool = True
    many: bool = False
    forward: str | None = None
    backward: str | None = None
    backward_doc: str | None = None
    doc: str = ""


@dataclass(frozen=True)
class Kind:
    """A kind of record of our intake format and how the graph keeps it."""

    type: str  # the record's `type` in our format
    prefix: str  # its uid is `prefix:key`
    labels: tuple[str, ...]  # the labels besides :Entity (or the relationship types, for edges)
    key: str  # the node property that is unique per label (constraint)
    properties: tuple[str, ...]
    links: tuple[Link, ...] = ()
    graphql: str | None = None  # the GraphQL type that shows it
    edge: bool = False  # kept as a relationship between its two ends, not as a node
    doc: str = ""


_CONTACT_HUBS = (
    Link("HAS_PHONE", "phones", "hub", many=True, doc="a phone number (shared-identifier hub)"),
    Link("HAS_EMAIL", "emails", "hub", many=True, doc="an e-mail address (hub)"),
)

# In the order the intake writes them: a record after those it refers to (a tie may point to a
# project; everything after the parties).
KINDS: tuple[Kind, ...] = (
    Kind(
        "organization",
        "org",
        ("Organization",),
        "key",
        ("key", "uscc", "scheme", "name", "roles", "region", "registered_on", "address"),
        (
            *_CONTACT_HUBS,
            Link("HOLDS_ACCOUNT", "bank_accounts", "hub", many=True, doc="a bank account (hub)"),
            Link("LOCATED_AT", "address", "hub", doc="its registered address (hub)"),
        ),
        graphql="Organization",
        doc="A supplier, purchaser or agency (roles add the labels Supplier, Purchaser, Agency), "
        "keyed by its USCC, or by `SCHEME-id` for open data of other countries (UA-EDR, GB-COH).",
    ),
    Kind(
        "person",
        "person",
        ("Person",),
        "id_hash",
        ("id_hash", "id_masked", "name", "specialties", "active"),
        (
            *_CONTACT_HUBS,
            Link("WORKS_FOR", "expert.employer", "org", doc="an expert's employer"),
        ),
        graphql="Person",
        doc="A natural person, kept under a keyed hash of the identity number (Expert label "
        "for review experts); the number itself is never stored.",
    ),
    Kind(
        "group",
        "group",
        ("Group",),
        "key",
        ("key", "name", "kind"),
        doc="A business group or association (members join it with MEMBER_OF ties).",
    ),
    Kind(
        "project",
        "project",
        ("Project",),
        "key",
        ("key", "name", "ocid", "method", "category", "published_on", "budget"),
        (
            Link("PURCHASED_BY", "purchaser", "org", forward="purchaser"),
            Link("RUN_BY", "agency", "org", forward="agency"),
            Link(
                "HAS_SECTION",
                "sections",
                "section",
                many=True,
                doc="a section of the tender documents, fingerprinted (boilerplate for bids)",
            ),
        ),
        graphql="Project",
        doc="A procurement project of a purchaser, run by an agency or by itself.",
    ),
    Kind(
        "lot",
        "lot",
        ("Lot",),
        "key",
        ("key", "name", "bid_deadline", "budget"),
        (
            Link(
                "HAS_LOT", "project", "project", outgoing=False, forward="project", backward="lots"
            ),
        ),
        graphql="Lot",
        doc="A lot of a project: what suppliers bid for.",
    ),
    Kind(
        "tie",
        "tie",
        (
            "LEGAL_REP_OF",
            "RESPONSIBLE_FOR",
            "OWNS",
            "CONTROLS",
            "MANAGES",
            "DIRECTOR_OF",
            "SUPERVISOR_OF",
            "EMPLOYED_BY",
            "RELATIVE_OF",
            "MEMBER_OF",
            "PROVIDED_SERVICE",
        ),
        "uid",
        ("uid", "share", "kinship", "service", "valid_from", "valid_to"),
        (
            Link("(kind)", "from", "party", doc="the party the tie starts from"),
            Link("(kind)", "to", "party", doc="the party, group or project it points to"),
        ),
        edge=True,
        doc="A tie between parties (its `kind` is the relationship type), dated.",
    ),
    Kind(
        "bid",
        "bid",
        ("Bid",),
        "key",
        (
            "key",
            "submitted_at",
            "status",
            "file_fingerprint",
            "contact_name",
            "deposit_holder_name",
            "consortium",
            "price",
        ),
        (
            Link(
                "SUBMITTED",
                "supplier",
                "org",
                outgoing=False,
                forward="supplier",
                backward="bids",
            ),
            Link("SUBMITTED", "supplier_person", "identity", outgoing=False),
            Link("FOR_LOT", "lot", "lot", forward="lot", backward="bids"),
            Link("CONSORTIUM_MEMBER_OF", "consortium_members", "org", outgoing=False, many=True),
            Link("PREPARED_BY", "preparer", "party", doc="who prepared the bid documents"),
            Link("AGENT", "agent", "party", doc="the bidder's authorised agent"),
            Link("CONTACT", "contact", "party", doc="the bid's contact person"),
            Link("CONTACT_PHONE", "contact_phone", "hub"),
            Link("CONTACT_EMAIL", "contact_email", "hub"),
            Link("DEPOSIT_FROM", "deposit_account", "hub", doc="the account the deposit came from"),
            Link("TEAM_MEMBER", "team", "party", many=True, doc="the project team, with a role"),
            Link("CREATED_ON", "devices", "hub", many=True, doc="machine, IP, MAC, certificate"),
            Link("HAS_SECTION", "sections", "section", many=True, doc="a section fingerprint"),
        ),
        graphql="Bid",
        doc="A supplier's (or a consortium's) bid for a lot.",
    ),
    Kind(
        "award",
        "award",
        ("Award",),
        "key",
        ("key", "awarded_on", "amount"),
        (
            Link("AWARD_OF", "lot", "lot"),
            Link("WON_BY", "supplier", "org"),
            Link("FROM_BID", "bid", "bid"),
        ),
        doc="The award of a lot to a supplier.",
    ),
    Kind(
        "contract",
        "contract",
        ("Contract",),
        "key",
        ("key", "signed_on", "acceptance", "accepted_on", "amount"),
        (Link("UNDER_AWARD", "award", "award"),),
        doc="The contract signed under an award, with its acceptance.",
    ),
    Kind(
        "review",
        "review",
        ("REVIEWED",),
        "uid",
        ("uid", "reviewed_on", "chair"),
        (
            Link("REVIEWED", "expert", "identity", doc="the expert (start of the relationship)"),
            Link("REVIEWED", "lot", "lot", doc="the lot reviewed (its end)"),
        ),
        edge=True,
        doc="An expert's review of a lot (the Regs Art. 9 recusal rules read it).",
    ),
    Kind(
        "violation",
        "violation",
        ("Record", "Violation"),
        "key",
        (
            "key",
            "category",
            "severity",
            "decision_number",
            "authority",
            "basis",
            "penalty_types",
            "penalty_content",
            "decided_on",
            "ban_start",
            "ban_end",
            "publication_end",
            "status",
            "status_date",
            "suspended_on",
            "suspension_lifted_on",
            "fine",
        ),
        (
            Link(
                "AGAINST",
                "subject",
                "party",
                forward="subject",
                backward="violations",
                backward_doc="Violations recorded against this organisation, any status.",
            ),
            Link("IN_PROCUREMENT", "project", "project"),
            Link("IN_PROCUREMENT", "lot", "lot"),
        ),
        graphql="Violation",
        doc="A penalty decision against a supplier, agency, expert or purchaser.",
    ),
    Kind(
        "external_listing",
        "listing",
        ("Record", "ExternalListing"),
        "key",
        (
            "key",
            "list",
            "subject_uscc",
            "subject_name",
            "authority",
            "reference",
            "listed_on",
            "valid_until",
            "retracted_on",
        ),
        (
            Link(
                "LISTS",
                "subject",
                "org",
                backward="listings",
                backward_doc="External list entries (courts, tax, other regions).",
            ),
            Link("LISTS", "subject_person", "identity"),
        ),
        graphql="ExternalListing",
        doc="An entry on another authority's list (courts, tax, other regions).",
    ),
    Kind(
        "complaint",
        "complaint",
        ("Record", "Complaint"),
        "key",
        ("key", "filed_on", "grounds", "outcome", "decided_on", "decision_number"),
        (Link("FILED_BY", "complainant", "org"), Link("ABOUT", "lot", "lot")),
        doc="A supplier's complaint about a lot and how it was decided.",
    ),
    Kind(
        "evaluation",
        "evaluation",
        ("Record", "Evaluation"),
        "key",
        ("key", "score", "rated_on", "comment"),
        (
            Link("RATES", "subject", "party"),
            Link("RATED_BY", "rater", "org"),
            Link("FOR_PROJECT", "project", "project"),
        ),
        doc="A purchaser's or agency's rating of a supplier, agency or expert on a project.",
    ),
)

BY_TYPE = {kind.type: kind for kind in KINDS}
BY_GRAPHQL = {kind.graphql: kind for kind in KINDS if kind.graphql}
# The GraphQL type a relationship field returns for each target, and the types that show the
# backward field of a link to it (a party's records are shown on organisations).
TARGET_TYPES = {"org": "Organization", "party": "Party", "lot": "Lot", "project": "Project"}
SHOWN_ON = {"org": "Organization", "party": "Organization", "lot": "Lot", "project": "Project"}


@dataclass(frozen=True)
class Traversal:
    """A GraphQL relationship field: follow `type` from a node (`outgoing` from its side) to
    nodes of the GraphQL type `returns`; one of them, or all (`many`)."""

    name: str
    type: str
    outgoing: bool
    returns: str
    many: bool
    doc: str | None


def traversals(graphql_type: str) -> dict[str, Traversal]:
    """Every relationship field of a GraphQL type, from the links that name it."""
    found: dict[str, Traversal] = {}
    own = BY_GRAPHQL.get(graphql_type)
    for link in own.links if own else ():
        if link.forward:
            returns = TARGET_TYPES[link.target]
            found[link.forward] = Traversal(
                link.forward, link.type, link.outgoing, returns, link.many, link.doc or None
            )
    for kind in KINDS:
        for link in kind.links:
            if link.backward and kind.graphql and SHOWN_ON.get(link.target) == graphql_type:
                found[link.backward] = Traversal(
                    link.backward,
                    link.type,
                    not link.outgoing,
                    kind.graphql,
                    True,
                    link.backward_doc,
                )
    return found


def relationship_types() -> list[str]:
    """Every relationship type the intake writes, in the order the kinds declare them."""
    names = [t for kind in KINDS if kind.edge for t in kind.labels]
    names += [link.type for kind in KINDS for link in kind.links if not link.type.startswith("(")]
    names.append("HOLDS_ACCOUNT")  # a deposit holder's account (bid.deposit_holder)
    return list(dict.fromkeys(names))


def document(redacted: dict[str, tuple[list[str], list[str]]]) -> str:
    """The model as Markdown (docs/model.md). `redacted` maps a label or relationship type to
    (its properties kept from other roles, the roles that see them), from the permission
    table's [redact] section."""
    lines = [
        "# The record model",
        "",
        "Generated from `credit/domain/model.py` by `credit model`; do not edit by hand.",
        "Every node also has the label `Entity` and a `uid` (`prefix:key`), the owning source",
        "(`owner_source`) and its provenance (`source`, `external_id`, `version`).",
        "",
    ]
    for kind in KINDS:
        stored = "relationship" if kind.edge else "node"
        lines += [
            f"## `{kind.type}`",
            "",
            kind.doc,
            "",
            f"- stored as: {stored} `{'|'.join(kind.labels)}`, uid `{kind.prefix}:…`, "
            f"unique `{kind.key}`" + (f"; GraphQL type `{kind.graphql}`" if kind.graphql else ""),
            "",
            "| property | seen by |",
            "| --- | --- |",
        ]
        for prop in kind.properties:
            rules = [redacted[x] for x in kind.labels if x in redacted and prop in redacted[x][0]]
            seen = ", ".join(sorted({role for _, roles in rules for role in roles})) or "readers"
            lines.append(f"| `{prop}` | {seen} |")
        if kind.links:
            lines += ["", "| relationship | field | other end | direction | GraphQL |"]
            lines += ["| --- | --- | --- | --- | --- |"]
            for link in kind.links:
                arrow = "record → other" if link.outgoing else "other → record"
                shown = [f"`{kind.graphql}.{link.forward}`"] if link.forward else []
                if link.backward:
                    shown.append(f"`{SHOWN_ON[link.target]}.{link.backward}`")
                fields = ", ".join(shown)
                many = " (many)" if link.many else ""
                lines.append(
                    f"| `{link.type}` | `{link.field}`{many} | {link.target} | {arrow} | {fields} |"
                )
        lines.append("")
    return "\n".join(lines)
