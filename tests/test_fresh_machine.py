"""Issue 16 item 1: the README's test command stands alone on a fresh machine: `make test`
installs what its tests need (Chromium and CJK fonts for the pages, poppler for the printout)
before it runs them, not only CI's script."""

from __future__ import annotations

import subprocess

from tests.conftest import ROOT


def test_make_test_installs_the_browser_before_the_tests() -> None:
    plan = subprocess.run(
        ["make", "-n", "-B", "test"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    deps = next(i for i, line in enumerate(plan) if "scripts/system-deps.sh --tests" in line)
    tests = next(i for i, line in enumerate(plan) if "/pytest" in line)
    assert deps < tests
    script = (ROOT / "scripts" / "system-deps.sh").read_text()
    for needed in ("chromium", "fonts-noto-cjk", "poppler-utils"):
        assert needed in script


def test_make_bench_installs_wrk_and_the_neo4j_graphql_packages_before_the_run() -> None:
    """Issue 21: the hot path's comparison needs wrk and @neo4j/graphql's npm packages."""
    plan = subprocess.run(
        ["make", "-n", "-B", "bench", "SCALE=L"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    wrk = next(i for i, line in enumerate(plan) if "scripts/system-deps.sh --bench" in line)
    npm = next(i for i, line in enumerate(plan) if "neo4j-graphql && npm ci" in line)
    run = next(i for i, line in enumerate(plan) if "bench/run.py --scale L" in line)
    assert wrk < npm < run
    assert "missing+=(wrk)" in (ROOT / "scripts" / "system-deps.sh").read_text()
