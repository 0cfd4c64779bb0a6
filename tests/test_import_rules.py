"""The layering the code keeps (issue 18): rules are pure, the edges only translate.

- A rule module decides from facts it is given: it never imports the store, the driver, the
  Neo4j client, the Cypher under `graph/`, the API or a web framework. That is what lets the rules
  be tested without a database and mutation-tested.
- The edges (the GraphQL/HTTP API and the CLI) call services: they never import `graph/`.
- Cypher lives only under `graph/` (checked by tests/test_layout.py where it exists, and here for
  the edges).
The check reads every import statement, including those inside functions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CREDIT = ROOT / "credit"

RULE_MODULES = sorted(
    {
        *CREDIT.glob("**/rules.py"),
        *(CREDIT / "detection" / "detectors").glob("*.py"),
        *(CREDIT / "detection" / "cardinal").glob("r0*.py"),
        *(CREDIT / "domain").glob("*.py"),
        *(
            ROOT / name
            for name in (
                "credit/standing/eligibility.py",
                "credit/standing/scoring.py",
                "credit/standing/participation.py",
                "credit/domain/periods.py",
                "credit/standing/decisions.py",
                "credit/standing/agency.py",
                "credit/policy/__init__.py",
                "credit/detection/art18.py",
                "credit/detection/common.py",
                "credit/detection/facts.py",
                "credit/detection/detector.py",
                "credit/detection/planting.py",
                "credit/oversight/conflicts.py",
                "credit/oversight/deadlines.py",
                "credit/legal/__init__.py",
                "credit/labels/__init__.py",
            )
        ),
    }
)
RULES_MAY_NOT = (
    "graph",
    "neo4j",
    "credit.core.store",
    "credit.core.db",
    "credit.core.wiring",
    "credit.api",
    "credit.cli",
    "fastapi",
    "strawberry",
    "httpx",
    "credit.markets",  # the simulated markets use the rules (detectors' planted cases), not back
)

EDGE_MODULES = sorted(
    {*(CREDIT / "api").glob("**/*.py"), *CREDIT.glob("**/cli.py"), CREDIT / "entry.py"}
)
EDGES_MAY_NOT = ("graph",)


def imported(source: str, package: str) -> list[tuple[int, str]]:
    """(line, module) of every import in the source, relative imports resolved."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def breaches(path: Path, forbidden: tuple[str, ...], source: str | None = None) -> list[str]:
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    text = path.read_text(encoding="utf-8") if source is None else source
    return sorted(
        {
            f"{path.relative_to(ROOT)}:{line} imports {module}"
            for line, module in imported(text, package)
            for bad in forbidden
            if module == bad or module.startswith(bad + ".")
        }
    )


def test_the_lists_are_not_empty() -> None:
    """A moved module must not make the rules below vacuous."""
    assert [p for p in RULE_MODULES if not p.exists()] == []
    assert len(RULE_MODULES) >= 30
    assert len(EDGE_MODULES) >= 10


@pytest.mark.parametrize("path", RULE_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_rules_are_pure(path: Path) -> None:
    assert breaches(path, RULES_MAY_NOT) == []


@pytest.mark.parametrize("path", EDGE_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_edges_do_not_reach_into_graph(path: Path) -> None:
    assert breaches(path, EDGES_MAY_NOT) == []


def test_the_check_sees_a_breach() -> None:
    """The walker finds imports inside functions and relative ones (so the tests above can fail)."""
    probe = CREDIT / "api" / "_probe_for_import_rules.py"
    source = "def f():\n    from graph import queries\n    from ..store import X\n"
    assert breaches(probe, ("graph", "credit.store"), source) == [
        "credit/api/_probe_for_import_rules.py:2 imports graph",
        "credit/api/_probe_for_import_rules.py:2 imports graph.queries",
        "credit/api/_probe_for_import_rules.py:3 imports credit.store",
        "credit/api/_probe_for_import_rules.py:3 imports credit.store.X",
    ]
