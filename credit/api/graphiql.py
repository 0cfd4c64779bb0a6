"""GraphiQL as a newcomer should meet it: one tab of example operations per kind of user, a note
on the `Authorization` header and a link to the pages, instead of an empty editor."""

from __future__ import annotations

import json
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import HTMLResponse
from strawberry.fastapi import GraphQLRouter

from credit.api.types import Context


@dataclass(frozen=True)
class Example:
    title: str
    query: str
    variables: dict[str, object]


WELCOME = """# 政府采购信用记录系统 GraphQL — procurement credit-record API
#
# Every operation needs a credential. Open the "Headers" tab below and add
#   {"Authorization": "Bearer <token>"}
# with a token from `credit token create --role PURCHASER --name "采购员" --org <USCC>`
# (or an API key from `credit apikey create`, sent the same way).
# What each role may call and see: credit/security/permissions.toml.
#
# The tabs above hold one example per user: a purchaser's whole-lot check, a supervisor's
# network walk and flag queue, and a sync client's feed page. The pages for people are at /ui/.
"""

EXAMPLES: tuple[Example, ...] = (
    Example(
        "Purchaser: whole-lot check",
        """# 采购人：标段资格审查 — a purchaser checks every bidder of its lot at bid opening.
# Files a check record (keep its id and hash with the procurement file).
query LotCheck($lotId: ID!) {
  lotEligibility(lotId: $lotId) {
    decision asOf
    bidders { supplierId decision reasons { code legalBasis message recordIds until } }
    conflicts { code supplierIds via legalBasis message }
    checkRecord { id contentHash requestedAt }
  }
  lotFlags(lotId: $lotId) { flags { pattern title confidence legalBasis supplierIds message } }
}
""",
        {"lotId": "lot:REPLACE-WITH-A-LOT-ID"},
    ),
    Example(
        "Supervisor: network walk",
        """# 监管人员：关系网络 — the ties around a supplier: people, phones, accounts, devices.
query Network($id: ID!) {
  neighbourhood(id: $id, depth: 2) {
    nodes { id kind name labels }
    edges { type source target }
    truncated
  }
}
""",
        {"id": "org:REPLACE-WITH-A-USCC"},
    ),
    Example(
        "Supervisor: flag queue",
        """# 监管人员：预警复核 — open collusion and conflict flags, most confident first.
query FlagQueue($after: String) {
  flags(filter: {status: OPEN, minConfidence: 0.8}, first: 20, after: $after) {
    nodes { id pattern title confidence legalBasis lotId supplierIds message }
    pageInfo { hasNextPage endCursor }
  }
}
""",
        {},
    ),
    Example(
        "Sync client: feed page",
        """# 外部信用系统：变更订阅 — read the change feed after your last cursor; keep endCursor.
query Feed($after: String) {
  changes(after: $after, first: 100) {
    items { id seq kind at record }
    endCursor hasMore
  }
}
""",
        {"after": None},
    ),
)


def _tabs() -> list[dict[str, str]]:
    """The welcome note opens the first tab; each example has a tab of its own."""
    return [
        {
            "query": (WELCOME + "\n" if i == 0 else "") + example.query,
            "variables": json.dumps(example.variables, indent=2),
        }
        for i, example in enumerate(EXAMPLES)
    ]


def graphiql_html(html: str) -> str:
    """Strawberry's GraphiQL page with the welcome as its first tab and the examples after it."""
    start = html.index("const EXAMPLE_QUERY = `")
    end = html.index("`;", start)
    welcome = WELCOME + "\n" + EXAMPLES[0].query
    html = html[:start] + "const EXAMPLE_QUERY = " + json.dumps(welcome) + html[end + 1 :]
    tabs = json.dumps(_tabs(), ensure_ascii=False).replace("</", "<\\/")
    html = html.replace(
        "fetcher: fetcher,", f"fetcher: fetcher,\n          defaultTabs: {tabs},", 1
    )
    return html.replace("<title>Strawberry GraphiQL</title>", "<title>信用记录 GraphiQL</title>")


class CreditGraphQLRouter(GraphQLRouter[Context, None]):
    """The GraphQL router whose GraphiQL opens with the examples."""

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse(graphiql_html(self.graphql_ide_html))
